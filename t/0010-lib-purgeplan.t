#!/bin/sh
# C unit tests of lib/purgeplan.c (t/unit/lib-purgeplan.c).
exec "$(dirname "$0")/unit/lib-purgeplan"
