#!/bin/sh
# C unit tests of lib/fdio.c (t/unit/lib-fdio.c).
exec "$(dirname "$0")/unit/lib-fdio"
