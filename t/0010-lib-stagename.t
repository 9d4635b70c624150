#!/bin/sh
# C unit tests of lib/stagename.c (t/unit/lib-stagename.c).
exec "$(dirname "$0")/unit/lib-stagename"
