#!/bin/sh
# C unit tests of lib/fklevels.c (t/unit/lib-fklevels.c).
exec "$(dirname "$0")/unit/lib-fklevels"
