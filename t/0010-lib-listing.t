#!/bin/sh
# C unit tests of lib/listing.c (t/unit/lib-listing.c).
exec "$(dirname "$0")/unit/lib-listing"
