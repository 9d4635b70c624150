#!/bin/sh
# C unit tests of supload's pure library parts (t/unit/lib-target.c): key
# validation, endpoint parsing, the --verify-archive trailer check.
exec "$(dirname "$0")/unit/lib-target"
