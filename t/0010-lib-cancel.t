#!/bin/sh
# C unit tests of lib/cancel.c and pglock_describe() (t/unit/lib-cancel.c).
exec "$(dirname "$0")/unit/lib-cancel"
