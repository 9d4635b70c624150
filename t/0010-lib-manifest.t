#!/bin/sh
# C unit tests of lib/manifest.c (t/unit/lib-manifest.c).
exec "$(dirname "$0")/unit/lib-manifest"
