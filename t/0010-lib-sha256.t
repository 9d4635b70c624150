#!/bin/sh
# C unit tests of lib/sha256.c (t/unit/lib-sha256.c).
exec "$(dirname "$0")/unit/lib-sha256"
