#!/bin/sh
# C unit tests of lib/postplan.c and lib/stagename.c.
exec "$(dirname "$0")/unit/lib-prestore-logic"
