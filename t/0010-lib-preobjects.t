#!/bin/sh
# C unit tests of lib/preobjects.c (t/unit/lib-preobjects.c).
exec "$(dirname "$0")/unit/lib-preobjects"
