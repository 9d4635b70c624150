#!/bin/sh
# C unit tests of lib/monotime.c (t/unit/lib-monotime.c).
exec "$(dirname "$0")/unit/lib-monotime"
