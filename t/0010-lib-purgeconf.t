#!/bin/sh
# C unit tests of lib/purgeconf.c (t/unit/lib-purgeconf.c), with the
# shipped etc/purge-tables.conf.
d=$(dirname "$0")
exec "$d/unit/lib-purgeconf" "$d/../etc/purge-tables.conf"
