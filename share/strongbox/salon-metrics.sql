-- salon-metrics.sql: the daily metrics of the seed "Centralized Backups &
-- Metrics Push", computed from the reference salon schema
-- (salon-schema.sql) for the business days $1 to $2 (dates, inclusive) in
-- the time zone $3 (text: the branch's TZ, e.g. Asia/Kolkata), as smetrics
-- runs it.  One row per day, days without business included (zeros); the
-- columns are the keys of the metrics JSON, money in integer paise, and
-- branch_name the salon's name (smetrics uses it unless BRANCH_NAME is set).
--
-- Definitions (the application's, which its day_summaries rows hold; the
-- tests check this query against them):
--   total_bills      bills of the day that are neither draft nor void
--   gross_revenue    their subtotals (before discount and tax)
--   discount_amount  their discounts
--   refund_count,    bills refunded that day (by the time of the refund,
--   refund_amount    whatever the bill's day), and the amounts refunded
--   net_revenue      gross_revenue - discount_amount - refund_amount
--   cgst_, sgst_collected, total_tax   the taxes of the day's bills
--   cash_collected   cash payments received that day, less cash refunds
--   digital_collected  the same for every other method
--   actual_service_cogs, actual_product_cogs   cost of the day's lines
--   total_expenses   petty cash spent that day (daily_reconciliations)
--   gross_profit     net_revenue - total_cogs
--   net_profit       gross_profit - total_expenses
--   total_tips       tips on the day's bills
-- Days are the branch's, in the zone $3: a payment at 23:30 in Kolkata
-- belongs to that day there.
--
-- In psql:  PREPARE m(date, date, text) AS <this file>;
--           EXECUTE m('2026-02-01', '2026-02-16', 'Asia/Kolkata');
-- The parameters appear in each WHERE clause as they are, not through a
-- CTE, so that the planner sees the range: one day reads its day's rows
-- through the indexes (bills by business_date, payments by paid_at, lines
-- by their bill), not whole tables.
WITH
days AS (
	SELECT d::date AS d FROM generate_series($1::date, $2::date, '1 day') AS d
),
b AS (
	SELECT business_date AS d, count(*) AS n, sum(subtotal) AS gross,
		sum(discount_amount) AS disc, sum(cgst_amount) AS cgst,
		sum(sgst_amount) AS sgst, sum(igst_amount) AS igst, sum(tip_amount) AS tips
	FROM bills
	WHERE business_date BETWEEN $1::date AND $2::date
		AND status NOT IN ('draft', 'void')
	GROUP BY 1
),
r AS (
	SELECT (refunded_at AT TIME ZONE $3::text)::date AS d, count(*) AS n,
		sum(refund_amount) AS amount
	FROM bills
	WHERE refunded_at >= ($1::date::timestamp AT TIME ZONE $3::text)
		AND refunded_at < (($2::date + 1)::timestamp AT TIME ZONE $3::text)
		AND refund_amount > 0
	GROUP BY 1
),
p AS (
	SELECT (p.paid_at AT TIME ZONE $3::text)::date AS d,
		sum(CASE WHEN p.kind = 'payment' THEN p.amount ELSE -p.amount END)
			FILTER (WHERE p.method = 'cash') AS cash,
		sum(CASE WHEN p.kind = 'payment' THEN p.amount ELSE -p.amount END)
			FILTER (WHERE p.method <> 'cash') AS digital
	FROM payments p JOIN bills bl ON bl.id = p.bill_id
	WHERE p.paid_at >= ($1::date::timestamp AT TIME ZONE $3::text)
		AND p.paid_at < (($2::date + 1)::timestamp AT TIME ZONE $3::text)
		AND bl.status <> 'void'
	GROUP BY 1
),
c AS (
	SELECT bl.business_date AS d,
		sum(i.cogs_amount) FILTER (WHERE i.kind = 'service') AS scogs,
		sum(i.cogs_amount) FILTER (WHERE i.kind = 'product') AS pcogs
	FROM bill_items i JOIN bills bl ON bl.id = i.bill_id
	WHERE bl.business_date BETWEEN $1::date AND $2::date
		AND bl.status NOT IN ('draft', 'void')
	GROUP BY 1
),
x AS (
	SELECT business_date AS d, sum(expenses_amount) AS expenses
	FROM daily_reconciliations
	WHERE business_date BETWEEN $1::date AND $2::date
	GROUP BY 1
),
m AS (
	SELECT days.d,
		coalesce(b.n, 0) AS total_bills, coalesce(r.n, 0) AS refund_count,
		coalesce(b.gross, 0) AS gross, coalesce(b.disc, 0) AS disc,
		coalesce(r.amount, 0) AS refund, coalesce(b.cgst, 0) AS cgst,
		coalesce(b.sgst, 0) AS sgst, coalesce(b.igst, 0) AS igst,
		coalesce(b.tips, 0) AS tips, coalesce(p.cash, 0) AS cash,
		coalesce(p.digital, 0) AS digital, coalesce(c.scogs, 0) AS scogs,
		coalesce(c.pcogs, 0) AS pcogs, coalesce(x.expenses, 0) AS expenses
	FROM days
	LEFT JOIN b USING (d) LEFT JOIN r USING (d) LEFT JOIN p USING (d)
	LEFT JOIN c USING (d) LEFT JOIN x USING (d)
)
SELECT d AS summary_date,
	(SELECT salon_name FROM salon_settings LIMIT 1) AS branch_name,
	total_bills::integer AS total_bills,
	refund_count::integer AS refund_count,
	gross::bigint AS gross_revenue,
	disc::bigint AS discount_amount,
	refund::bigint AS refund_amount,
	(gross - disc - refund)::bigint AS net_revenue,
	cgst::bigint AS cgst_collected,
	sgst::bigint AS sgst_collected,
	(cgst + sgst + igst)::bigint AS total_tax,
	cash::bigint AS cash_collected,
	digital::bigint AS digital_collected,
	scogs::bigint AS actual_service_cogs,
	pcogs::bigint AS actual_product_cogs,
	(scogs + pcogs)::bigint AS total_cogs,
	expenses::bigint AS total_expenses,
	(gross - disc - refund - scogs - pcogs)::bigint AS gross_profit,
	(gross - disc - refund - scogs - pcogs - expenses)::bigint AS net_profit,
	tips::bigint AS total_tips
FROM m
ORDER BY d
