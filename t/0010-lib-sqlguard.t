#!/bin/sh
# C unit tests of lib/sqlguard.c (t/unit/lib-sqlguard.c): the statements
# and psql meta-commands an archive's SQL member may not hold.
exec "$(dirname "$0")/unit/lib-sqlguard"
