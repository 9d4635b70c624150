-- salon-seed.sql: what a salon database needs after `spurge --all` (the
-- reset of share/strongbox/reset.sh, the Railway guide's "What Gets
-- Recreated"): the roles, one administrator, and default settings.  Run by
-- psql 15 or later, in one transaction:
--
--   ADMIN_USERNAME=owner ADMIN_EMAIL=owner@example.in ADMIN_PASSWORD=... \
--     psql -X -v ON_ERROR_STOP=1 -1 -f salon-seed.sql DBNAME
--
-- The administrator comes from ADMIN_USERNAME, ADMIN_EMAIL, ADMIN_PASSWORD
-- (required) and ADMIN_FULL_NAME (default "System Administrator"); the
-- settings from SALON_NAME, SALON_LEGAL_NAME, SALON_GSTIN, SALON_PHONE,
-- SALON_ADDRESS and TZ where set.  psql reads them with \getenv, so that
-- no value is ever on a command line.  The password never reaches the
-- server, nor therefore its log (log_statement = all) or pg_stat_activity:
-- it is hashed on this machine, before any statement is sent, by perl's
-- crypt(), which is libcrypt's (libxcrypt, on every Debian), as bcrypt
-- "$2a$" with cost 10 and a salt from /dev/urandom: the hash that
-- pgcrypto's crypt() and the application's passlib verify.  perl reads
-- the password from its environment, never its arguments.  What the
-- server sees, and may log, is the hash, which the users table holds
-- anyway.  The seed fills empty tables: after a reset.

SET client_min_messages = warning;

\getenv admin_username ADMIN_USERNAME
\getenv admin_email ADMIN_EMAIL
\getenv admin_password ADMIN_PASSWORD
\if :{?admin_username}
\else
DO $$ BEGIN RAISE EXCEPTION 'salon-seed.sql: ADMIN_USERNAME is not set'; END $$;
\endif
\if :{?admin_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'salon-seed.sql: ADMIN_PASSWORD is not set'; END $$;
\endif
\unset admin_password
-- A salt of 128 random bits in bcrypt's alphabet of 64 letters (a byte
-- modulo 64 picks one evenly): 21 letters, then one of the four whose
-- low four bits are zero, as libcrypt wants the 22nd.
\set admin_password_hash `perl -e 'open(my $r, "<", "/dev/urandom") or exit 1; read($r, my $x, 22) == 22 or exit 1; my @a = (".", "/", "A" .. "Z", "a" .. "z", "0" .. "9"); my @c = map { ord } split(//, $x); my $h = crypt($ENV{ADMIN_PASSWORD}, "\$2a\$10\$" . join("", map { $a[$_ % 64] } @c[0 .. 20]) . $a[16 * ($c[21] % 4)]); defined($h) && $h =~ m{^\$2a\$10\$[./A-Za-z0-9]{53}$} or exit 1; print $h'`
SELECT :'admin_password_hash' ~ '^\$2a\$10\$[./A-Za-z0-9]{53}$' AS admin_hash_ok \gset
\if :admin_hash_ok
\else
DO $$ BEGIN RAISE EXCEPTION 'salon-seed.sql: cannot hash ADMIN_PASSWORD with bcrypt: perl''s crypt() failed'; END $$;
\endif
\if :{?admin_email}
\else
\set admin_email ''
\endif
\set admin_full_name 'System Administrator'
\getenv admin_full_name ADMIN_FULL_NAME
\set salon_name 'My Salon'
\getenv salon_name SALON_NAME
\set salon_legal_name :salon_name
\getenv salon_legal_name SALON_LEGAL_NAME
\set salon_gstin '29ABCDE1234F1Z5'
\getenv salon_gstin SALON_GSTIN
\set salon_phone '+910000000000'
\getenv salon_phone SALON_PHONE
\set salon_address 'not set'
\getenv salon_address SALON_ADDRESS
\set salon_tz 'Asia/Kolkata'
\getenv salon_tz TZ

INSERT INTO roles (name, description, permissions) VALUES
	('admin', 'Everything, including users and settings', '["*"]'),
	('manager', 'Billing, refunds, reports, stock and staff rosters',
	 '["bills:*", "refunds:*", "reports:read", "stock:*", "appointments:*"]'),
	('operator', 'Front desk: bills, appointments, walk-ins',
	 '["bills:create", "appointments:*", "walkins:*", "customers:*"]'),
	('viewer', 'Read-only access to reports',
	 '["reports:read"]');

INSERT INTO users (role_id, username, full_name, email, password_hash, joined_on)
SELECT r.id, :'admin_username', :'admin_full_name', nullif(:'admin_email', ''),
	:'admin_password_hash', current_date
FROM roles r WHERE r.name = 'admin';

INSERT INTO salon_settings (id, salon_name, legal_name, gstin, state_code,
	address, phone, timezone)
VALUES (1, :'salon_name', :'salon_legal_name', :'salon_gstin',
	left(:'salon_gstin', 2), :'salon_address', :'salon_phone',
	ltrim(:'salon_tz', ':'));

\unset admin_password_hash
