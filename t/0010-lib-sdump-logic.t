#!/bin/sh
# C unit tests of lib/namepattern.c and lib/fklevels.c.
exec "$(dirname "$0")/unit/lib-sdump-logic"
