#!/bin/sh
# C unit tests of lib/checkfile.c (t/unit/lib-checkfile.c).
exec "$(dirname "$0")/unit/lib-checkfile"
