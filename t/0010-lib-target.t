#!/bin/sh
# C unit tests of lib/target.c (t/unit/lib-target.c).
exec "$(dirname "$0")/unit/lib-target"
