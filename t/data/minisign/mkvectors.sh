#!/bin/sh
# Makes the minisign test vectors in this directory with the reference
# tool (Debian's minisign), for t/unit/lib-minisign.c: an unencrypted key
# pair (minisign -G -W), a password-protected secret key, and signatures
# of msg.txt in the default (prehashed) and the legacy format.  Test keys,
# nothing else.  Run from anywhere: sh t/data/minisign/mkvectors.sh
set -eu
cd "$(dirname "$0")"
rm -f *.pub *.key *.minisig msg.txt
minisign -G -W -p test.pub -s test.key >/dev/null
printf 'pw\npw\n' | minisign -G -p other.pub -s encrypted.key >/dev/null 2>&1
rm -f other.pub
printf 'strongbox/manifest.json, signed\n' > msg.txt
minisign -S -s test.key -m msg.txt -x msg-hashed.minisig \
	-t 'timestamp:1700000000	file:msg.txt	hashed' >/dev/null
minisign -S -l -s test.key -m msg.txt -x msg-legacy.minisig \
	-t 'legacy' >/dev/null
