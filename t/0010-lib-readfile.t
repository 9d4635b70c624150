#!/bin/sh
# C unit tests of lib/readfile.c (t/unit/lib-readfile.c).
exec "$(dirname "$0")/unit/lib-readfile"
