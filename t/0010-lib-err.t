#!/bin/sh
# C unit tests of lib/err.c (t/unit/lib-err.c).
exec "$(dirname "$0")/unit/lib-err"
