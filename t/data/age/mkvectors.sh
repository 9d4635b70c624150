#!/bin/sh
# Makes the age test vectors in this directory with the reference tools
# (Debian's age: age-keygen and age -r), for t/unit/lib-age.c.  The
# identities here are test keys, nothing else.  Run from anywhere:
#     sh t/data/age/mkvectors.sh
# The plaintext of p-N.age is N bytes, byte i = (i * 7 + 3) mod 256.
set -eu
cd "$(dirname "$0")"
rm -f id*.txt *.age
for i in 1 2 3; do
	age-keygen -o "id$i.txt" 2>/dev/null
	chmod 600 "id$i.txt"
done
r1=$(age-keygen -y id1.txt)
r2=$(age-keygen -y id2.txt)
r3=$(age-keygen -y id3.txt)
plain() {
	perl -e 'my $n = shift; print pack("C*", map { ($_ * 7 + 3) % 256 } 0 .. $n - 1)' "$1"
}
for n in 0 1 65535 65536 65537 131072; do
	plain "$n" | age -r "$r1" -o "p-$n.age"
done
# three recipients: each identity alone opens it
plain 65537 | age -r "$r1" -r "$r2" -r "$r3" -o "three-65537.age"
