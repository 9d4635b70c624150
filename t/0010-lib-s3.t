#!/bin/sh
# C unit tests of lib/s3.c (t/unit/lib-s3.c).
exec "$(dirname "$0")/unit/lib-s3"
