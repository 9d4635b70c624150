#!/bin/sh
# C unit tests of lib/duration.c (t/unit/lib-duration.c).
exec "$(dirname "$0")/unit/lib-duration"
