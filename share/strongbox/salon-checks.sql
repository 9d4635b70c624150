-- salon-checks.sql: the integrity report of the seed "Stocktake Backup &
-- Restore" for the reference salon schema (salon-schema.sql), run by
--
--   smetrics --checks /usr/local/share/strongbox/salon-checks.sql
--
-- Each check is a query that returns the rows breaking one rule (none when
-- all is well); smetrics runs them all in one READ ONLY snapshot, in the
-- branch's time zone (TZ), and prints each check's count of violations
-- with up to 10 sample rows.  A check begins with a line "-- check: NAME".
-- Add your own below: one query each.  psql -f runs this file as well, and
-- prints the rows themselves.

-- Soft references, which no foreign key guards: the audit log and the
-- outbox name their entity by type and id.
-- check: audit_logs_entity_exists
SELECT a.id, a.entity_type, a.entity_id, a.action
FROM audit_logs a
WHERE a.entity_id IS NOT NULL AND (
	(a.entity_type = 'bill' AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = a.entity_id))
	OR (a.entity_type = 'customer' AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = a.entity_id))
	OR (a.entity_type = 'user' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.entity_id)))
ORDER BY a.id;

-- check: events_aggregate_exists
SELECT e.id::text AS id, e.event_type, e.aggregate_type, e.aggregate_id
FROM events e
WHERE (e.aggregate_type = 'bill' AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = e.aggregate_id))
	OR (e.aggregate_type = 'customer' AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = e.aggregate_id))
ORDER BY e.occurred_at;

-- Quantities and amounts that cannot be negative (those without a CHECK
-- constraint in the schema).
-- check: no_negative_amounts
SELECT 'bills' AS tbl, id, 'tax or total' AS what,
	least(cgst_amount, sgst_amount, igst_amount, total_amount) AS value
FROM bills WHERE least(cgst_amount, sgst_amount, igst_amount, total_amount) < 0
UNION ALL
SELECT 'bill_items', id, 'tax, total or commission',
	least(tax_amount, line_total, commission_amount)
FROM bill_items WHERE least(tax_amount, line_total, commission_amount) < 0
UNION ALL
SELECT 'daily_reconciliations', id, 'upi, card or other total',
	least(upi_total, card_total, other_total)
FROM daily_reconciliations WHERE least(upi_total, card_total, other_total) < 0
UNION ALL
SELECT 'cash_drawers', id, 'opening float', opening_float
FROM cash_drawers WHERE opening_float < 0
ORDER BY 1, 2;

-- check: no_negative_stock
SELECT s.sku_id, k.code, s.on_hand::text AS on_hand, s.reorder_level::text AS reorder_level
FROM stock s JOIN skus k ON k.id = s.sku_id
WHERE s.on_hand < 0 OR s.reorder_level < 0
ORDER BY s.sku_id;

-- Bills dated after today in the branch's zone, or created more than five
-- minutes from now (a wrong clock at the till).
-- check: no_bills_in_the_future
SELECT id, invoice_number, business_date::text AS business_date,
	created_at::text AS created_at
FROM bills
WHERE business_date > current_date OR created_at > now() + interval '5 minutes'
ORDER BY id;

-- A bill's subtotal is the sum of its lines (price x quantity).
-- check: bill_subtotal_matches_items
SELECT b.id, b.invoice_number, b.subtotal,
	coalesce(round(sum(i.unit_price * i.quantity)), 0)::bigint AS items
FROM bills b LEFT JOIN bill_items i ON i.bill_id = b.id
WHERE b.status <> 'draft'
GROUP BY b.id
HAVING b.subtotal <> coalesce(round(sum(i.unit_price * i.quantity)), 0)
ORDER BY b.id;

-- A posted bill is paid in full, and its refund paid back, no more.
-- check: payments_match_bill
SELECT b.id, b.invoice_number, b.status::text AS status,
	b.total_amount, p.paid, b.refund_amount, p.refunded
FROM bills b
LEFT JOIN LATERAL (
	SELECT coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0) AS paid,
		coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS refunded
	FROM payments WHERE bill_id = b.id) p ON true
WHERE b.status NOT IN ('draft', 'void')
	AND (p.paid <> b.total_amount OR p.refunded <> b.refund_amount)
ORDER BY b.id;

-- phone is UNIQUE as written, so this finds the same mobile number written
-- with another prefix (+91..., +910..., +0091...): the last ten digits,
-- among customers active in the last year (a bill or an appointment).
-- check: no_duplicate_customer_phones
WITH active AS (
	SELECT c.id, c.full_name, c.phone, right(c.phone, 10) AS number
	FROM customers c
	WHERE EXISTS (SELECT 1 FROM bills b WHERE b.customer_id = c.id
			AND b.business_date > current_date - 365)
		OR EXISTS (SELECT 1 FROM appointments a WHERE a.customer_id = c.id
			AND a.scheduled_at > now() - interval '1 year')
)
SELECT number, count(*) AS customers, string_agg(phone, ' ' ORDER BY id) AS phones,
	min(id) AS first_id
FROM active
GROUP BY number
HAVING count(*) > 1
ORDER BY number;
