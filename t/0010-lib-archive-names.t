#!/bin/sh
# C unit tests of lib/archive_names.c (t/unit/lib-archive-names.c).
exec "$(dirname "$0")/unit/lib-archive-names"
