-- hard-schema.sql: a schema with the hard things a dump must get right
-- (quoted identifiers, arrays, jsonb, bytea, enums, domains, identity and
-- serial columns, generated columns, partitions, inheritance, views,
-- materialized views, foreign-key chains and a cycle, NULLs, tabs,
-- newlines and backslashes in text).  Used by the sdump and round-trip tests.
CREATE SCHEMA "Sales Dept";
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);

CREATE TABLE branches (
	id serial PRIMARY KEY,
	name text NOT NULL
);
CREATE TABLE customers (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	branch_id integer NOT NULL REFERENCES branches,
	name text,
	tags text[],
	prefs jsonb,
	photo bytea,
	feeling mood,
	visits posint,
	born date,
	seen timestamptz,
	balance numeric(12, 2),
	ratio double precision,
	name_upper text GENERATED ALWAYS AS (upper(name)) STORED
);
CREATE TABLE "Sales Dept"."Bill Items.v2" (
	"Id" serial PRIMARY KEY,
	customer_id bigint REFERENCES customers,
	"qty ""quoted""" integer,
	"prix-été" numeric,
	note text
);
-- a foreign-key cycle
CREATE TABLE staff (id int PRIMARY KEY, team_id int);
CREATE TABLE teams (id int PRIMARY KEY, lead_id int REFERENCES staff);
ALTER TABLE staff ADD FOREIGN KEY (team_id) REFERENCES teams;
-- self-reference
CREATE TABLE categories (id int PRIMARY KEY, parent_id int REFERENCES categories);
-- partitions
CREATE TABLE sales (id int, sold date NOT NULL, amount int) PARTITION BY RANGE (sold);
CREATE TABLE sales_2025 PARTITION OF sales FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE sales_2026 PARTITION OF sales FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- inheritance
CREATE TABLE events (id int, what text);
CREATE TABLE events_special (extra text) INHERITS (events);
CREATE VIEW big_customers AS SELECT * FROM customers WHERE balance > 100;
CREATE MATERIALIZED VIEW branch_totals AS
	SELECT b.id, count(c.id) AS n FROM branches b LEFT JOIN customers c ON c.branch_id = b.id GROUP BY b.id;
CREATE TABLE empty_one (x int);

INSERT INTO branches (name) VALUES ('Main'), ('Café Ünïcode'), (E'tab\there');
INSERT INTO customers (branch_id, name, tags, prefs, photo, feeling, visits, born, seen, balance, ratio) VALUES
	(1, 'alice', '{a,b,"c d"}', '{"k": [1, 2, {"x": null}]}', '\x00ff10', 'happy', 3, '1990-01-02', '2026-01-01 10:00+05:30', 123.45, 0.1),
	(1, E'line1\nline2', '{}', 'null', '', 'sad', 1, NULL, NULL, NULL, 'NaN'),
	(2, E'back\\slash and \ttab', NULL, NULL, NULL, NULL, NULL, 'infinity', '-infinity', -0.5, 1e300),
	(3, NULL, '{NULL}', '"str"', '\x5c', 'ok', 7, '2000-02-29', now(), 0, -0);
INSERT INTO "Sales Dept"."Bill Items.v2" (customer_id, "qty ""quoted""", "prix-été", note)
	SELECT 1 + (i % 4), i, i * 1.5, repeat('x', i % 50) FROM generate_series(1, 500) i;
INSERT INTO staff VALUES (1, NULL), (2, NULL);
INSERT INTO teams VALUES (10, 1);
UPDATE staff SET team_id = 10;
INSERT INTO categories VALUES (1, NULL), (2, 1), (3, 2);
INSERT INTO sales SELECT i, DATE '2025-06-01' + i, i FROM generate_series(1, 400) i;
INSERT INTO events VALUES (1, 'parent row');
INSERT INTO events_special VALUES (2, 'child row', 'extra');
REFRESH MATERIALIZED VIEW branch_totals;
SELECT setval('branches_id_seq', 42);
