#!/bin/sh
# C unit tests of lib/timestamp.c and lib/caltime.c (t/unit/lib-timestamp.c).
exec "$(dirname "$0")/unit/lib-timestamp"
