#!/bin/sh
# C unit tests of lib/number.c (t/unit/lib-number.c).
exec "$(dirname "$0")/unit/lib-number"
