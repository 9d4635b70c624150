#!/bin/sh
# C unit tests of lib/pgopts.c (t/unit/lib-pgopts.c).
exec "$(dirname "$0")/unit/lib-pgopts"
