#!/bin/sh
# C unit tests of lib/age.c, lib/bech32.c and lib/keyfile.c
# (t/unit/lib-age.c): the spec's rules and the age CLI's vectors.
exec "$(dirname "$0")/unit/lib-age" "$(dirname "$0")/data/age"
