#!/bin/sh
# C unit tests of lib/sigv4.c (t/unit/lib-sigv4.c): AWS's published SigV4
# examples and S3's encoding rules.
exec "$(dirname "$0")/unit/lib-sigv4"
