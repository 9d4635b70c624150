#!/bin/sh
# C unit tests of lib/lineio.c (t/unit/lib-lineio.c).
exec "$(dirname "$0")/unit/lib-lineio"
