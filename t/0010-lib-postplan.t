#!/bin/sh
# C unit tests of lib/postplan.c (t/unit/lib-postplan.c).
exec "$(dirname "$0")/unit/lib-postplan"
