#!/bin/sh
# C unit tests of lib/retention.c (t/unit/lib-retention.c).
exec "$(dirname "$0")/unit/lib-retention"
