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
-- the password is never on a command line; it is hashed here with
-- pgcrypto's bcrypt (crypt(), gen_salt('bf')), as the application's
-- passlib verifies it.  The seed fills empty tables: after a reset.

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

CREATE EXTENSION IF NOT EXISTS pgcrypto;

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
	crypt(:'admin_password', gen_salt('bf', 10)), current_date
FROM roles r WHERE r.name = 'admin';

INSERT INTO salon_settings (id, salon_name, legal_name, gstin, state_code,
	address, phone, timezone)
VALUES (1, :'salon_name', :'salon_legal_name', :'salon_gstin',
	left(:'salon_gstin', 2), :'salon_address', :'salon_phone',
	ltrim(:'salon_tz', ':'));

\unset admin_password
