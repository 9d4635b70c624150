#!/bin/sh
# C unit tests of lib/pgjson.c (t/unit/lib-pgjson.c).
exec "$(dirname "$0")/unit/lib-pgjson"
