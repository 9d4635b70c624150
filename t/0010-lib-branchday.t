#!/bin/sh
# C unit tests of lib/branchday.c (t/unit/lib-branchday.c).
exec "$(dirname "$0")/unit/lib-branchday"
