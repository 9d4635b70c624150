-- A schema with what srestore must carry: types, domains, identity,
-- serial and generated columns, arrays, jsonb, bytea, partitions,
-- inheritance, quoted names, views, a materialized view, functions with
-- dollar quoting and BEGIN ATOMIC, foreign keys with a self-reference.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN paise AS bigint CHECK (VALUE >= 0);
CREATE SCHEMA "Sales Dept";
CREATE TABLE branches (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE customers (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	branch_id int NOT NULL REFERENCES branches,
	referrer bigint REFERENCES customers,
	name text, mood mood, tags text[], prefs jsonb, photo bytea,
	balance paise DEFAULT 0, born date, seen timestamptz, ratio numeric(10,3),
	score double precision, ip inet, uid uuid,
	name_len int GENERATED ALWAYS AS (length(name)) STORED
);
CREATE TABLE bills (id bigserial, customer_id bigint REFERENCES customers,
	billed date NOT NULL, total paise NOT NULL, PRIMARY KEY (id, billed))
	PARTITION BY RANGE (billed);
CREATE TABLE bills_2025 PARTITION OF bills FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE bills_2026 PARTITION OF bills FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE "Sales Dept"."Bill Items.v2" ("Qty" int, "naïve ""quoted""" text);
CREATE TABLE events (id int, at timestamptz);
CREATE TABLE special_events (kind text) INHERITS (events);
CREATE VIEW big_customers AS SELECT id, name FROM customers WHERE balance > 1000;
CREATE MATERIALIZED VIEW bill_totals AS SELECT billed, sum(total) AS total FROM bills GROUP BY billed;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.seen := now(); -- a ; in a body
	RETURN NEW;
END;
$$;
CREATE FUNCTION double_it(a integer) RETURNS integer LANGUAGE sql
	BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN a * 2 ELSE 0 END; END;
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch();
CREATE INDEX customers_name ON customers (lower(name));

INSERT INTO branches (name) SELECT 'branch ' || i FROM generate_series(1, 5) i;
INSERT INTO customers (branch_id, referrer, name, mood, tags, prefs, photo, balance, born, seen, ratio, score, ip, uid)
SELECT 1 + i % 5, CASE WHEN i > 1 THEN i - 1 END,
	CASE i % 7 WHEN 0 THEN NULL WHEN 1 THEN E'tab\there' WHEN 2 THEN E'new\nline' WHEN 3 THEN E'back\\slash'
	WHEN 4 THEN 'ünïcödé' ELSE 'name ' || i END,
	(ARRAY['sad','ok','happy'])[1 + i % 3]::mood, ARRAY['a', 'b c', NULL],
	jsonb_build_object('i', i, 'k', ARRAY[1, 2]), decode(md5(i::text), 'hex'),
	i * 10, DATE '2000-01-01' + i, TIMESTAMPTZ '2026-01-01 00:00+00' + i * INTERVAL '1 hour',
	i / 7.0, i * 1.5, '10.0.0.1', md5(i::text)::uuid
FROM generate_series(1, 3000) i;
INSERT INTO bills (customer_id, billed, total)
SELECT 1 + i % 3000, DATE '2025-06-01' + i % 400, i FROM generate_series(1, 6000) i;
INSERT INTO "Sales Dept"."Bill Items.v2" VALUES (1, 'x'), (2, NULL);
INSERT INTO events VALUES (1, now());
INSERT INTO special_events VALUES (2, now(), 'party');
REFRESH MATERIALIZED VIEW bill_totals;
