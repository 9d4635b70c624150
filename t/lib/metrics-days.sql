-- metrics-days.sql: three known days of a salon for smetrics' tests, on
-- the reference schema (salon-schema.sql), days in Asia/Kolkata:
--   2026-02-10  two bills (one later partly refunded) and a void one; a card
--               payment at 23:50
--   2026-02-11  one bill paid at 00:15 (18:45 UTC the day before), the
--               refund of 2026-02-10's second bill in cash
--   2026-02-12  nothing: zeros
-- t/6002-smetrics-metrics.t holds the figures these rows must give.
SET client_min_messages = warning;
INSERT INTO salon_settings (salon_name, legal_name, gstin, state_code, address, phone)
VALUES ('Glow "Studio" Bandra', 'Glow Studio LLP', '27ABCDE1234F1Z5', '27', 'Bandra', '+912200000000');
INSERT INTO roles (id, name) VALUES (1, 'owner');
INSERT INTO users (id, role_id, username, full_name, password_hash, joined_on)
VALUES (1, 1, 'asha', 'Asha', 'x', '2025-01-01');
INSERT INTO service_categories (id, name) VALUES (1, 'Hair');
INSERT INTO services (id, category_id, name, duration_min, price) VALUES
	(1, 1, 'Haircut', 30, 80000), (2, 1, 'Colour', 90, 50000);
INSERT INTO skus (id, code, name, mrp, cost_price) VALUES
	(1, 'SH-1', 'Shampoo', 20000, 7000), (2, 'SE-1', 'Serum', 20000, 9000);

INSERT INTO bills (id, business_date, status, subtotal, discount_amount,
	cgst_amount, sgst_amount, total_amount, tip_amount, refund_amount,
	refunded_at, created_by, created_at) VALUES
	(1, '2026-02-10', 'posted', 100000, 10000, 8100, 8100, 106200, 5000, 0,
		NULL, 1, '2026-02-10 11:00+05:30'),
	(2, '2026-02-10', 'partially_refunded', 50000, 0, 4500, 4500, 59000, 0,
		20000, '2026-02-11 10:00+05:30', 1, '2026-02-10 23:40+05:30'),
	(3, '2026-02-10', 'void', 30000, 0, 2700, 2700, 35400, 0, 0,
		NULL, 1, '2026-02-10 12:00+05:30'),
	(4, '2026-02-11', 'posted', 20000, 0, 1800, 1800, 23600, 1000, 0,
		NULL, 1, '2026-02-11 00:05+05:30');
INSERT INTO bill_items (bill_id, line_no, kind, service_id, sku_id,
	description, quantity, unit_price, gst_rate_bps, tax_amount, line_total,
	cogs_amount) VALUES
	(1, 1, 'service', 1, NULL, 'Haircut', 1, 80000, 1800, 12960, 84960, 20000),
	(1, 2, 'product', NULL, 1, 'Shampoo', 1, 20000, 1800, 3240, 23240, 7000),
	(2, 1, 'service', 2, NULL, 'Colour', 1, 50000, 1800, 9000, 59000, 10000),
	(3, 1, 'service', 1, NULL, 'Haircut', 1, 30000, 1800, 5400, 35400, 6000),
	(4, 1, 'product', NULL, 2, 'Serum', 1, 20000, 1800, 3600, 23600, 9000);
INSERT INTO payments (bill_id, kind, method, amount, paid_at) VALUES
	(1, 'payment', 'cash', 60000, '2026-02-10 11:30+05:30'),
	(1, 'payment', 'upi', 46200, '2026-02-10 11:31+05:30'),
	(2, 'payment', 'card', 59000, '2026-02-10 23:50+05:30'),
	(3, 'payment', 'cash', 35400, '2026-02-10 12:05+05:30'),
	(4, 'payment', 'wallet', 23600, '2026-02-11 00:15+05:30'),
	(2, 'refund', 'cash', 20000, '2026-02-11 10:00+05:30');
INSERT INTO daily_reconciliations (business_date, expected_cash, counted_cash,
	expenses_amount) VALUES
	('2026-02-10', 60000, 60000, 1500),
	('2026-02-11', -20000, -20000, 700);
