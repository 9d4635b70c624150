#!/bin/sh
# C unit tests of lib/size.c (t/unit/lib-size.c).
exec "$(dirname "$0")/unit/lib-size"
