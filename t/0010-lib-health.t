#!/bin/sh
# C unit tests of lib/health.c (t/unit/lib-health.c).
exec "$(dirname "$0")/unit/lib-health"
