#!/bin/sh
# C unit tests of lib/sqlscript.c (t/unit/lib-sqlscript.c).
exec "$(dirname "$0")/unit/lib-sqlscript"
