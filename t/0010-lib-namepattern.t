#!/bin/sh
# C unit tests of lib/namepattern.c (t/unit/lib-namepattern.c).
exec "$(dirname "$0")/unit/lib-namepattern"
