#!/bin/sh
# C unit tests of lib/pgconn.c that need no server (t/unit/lib-pgconn.c).
exec "$(dirname "$0")/unit/lib-pgconn"
