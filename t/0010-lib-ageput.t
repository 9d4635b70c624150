#!/bin/sh
# C unit tests of lib/ageput.c (t/unit/lib-ageput.c): an encrypted put's
# source, read in every size a put asks for, from a file and from a pipe.
exec "$(dirname "$0")/unit/lib-ageput"
