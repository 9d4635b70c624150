#!/bin/sh
# C unit tests of lib/jsonline.c (t/unit/lib-jsonline.c).
exec "$(dirname "$0")/unit/lib-jsonline"
