#!/bin/sh
# C unit tests of lib/minisign.c (t/unit/lib-minisign.c): minisign's key
# and signature formats, against vectors minisign made.
exec "$(dirname "$0")/unit/lib-minisign" "$(dirname "$0")/data/minisign"
