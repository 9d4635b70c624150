/*
 * Unit tests of lib/purgeplan.c on the salon's tables: the default classes,
 * --keep-audit-logs and --class, unclassified and extension tables, missing
 * configured tables, the foreign-key refusal (and none with --before),
 * --all with [keep], and children-first order.
 */
#include <stdlib.h>
#include <string.h>

#include "purgeplan.h"
#include "tap.h"

static const char conf_text[] =
	"[master]\nusers\ncustomers\n"
	"[transactional]\nbills created_at\nbill_items\npayments\nappointments\n"
	"[audit]\naudit_logs\n"
	"[keep]\nalembic_version\n";

/* In catalog order (schema, name). */
enum { ALEMBIC, APPOINTMENTS, AUDIT, BILL_ITEMS, BILLS, CUSTOMERS, NEWTABLE,
       PAYMENTS, POSTGIS, USERS, NT };
static const struct purgeplan_table tables[NT] = {
	{"public", "alembic_version", false}, {"public", "appointments", false},
	{"public", "audit_logs", false},      {"public", "bill_items", false},
	{"public", "bills", false},           {"public", "customers", false},
	{"public", "new_table", false},       {"public", "payments", false},
	{"public", "spatial_ref_sys", true},  {"public", "users", false},
};
static const struct purgeplan_fk fks[] = {
	{"bill_items_bill_id_fkey", BILL_ITEMS, BILLS},
	{"payments_bill_id_fkey", PAYMENTS, BILLS},
	{"bills_appointment_id_fkey", BILLS, APPOINTMENTS},
	{"bills_customer_id_fkey", BILLS, CUSTOMERS},
	{"appointments_customer_id_fkey", APPOINTMENTS, CUSTOMERS},
	{"customers_referred_by_fkey", CUSTOMERS, CUSTOMERS},
	{"audit_logs_user_id_fkey", AUDIT, USERS},
	{"customers_user_fkey", CUSTOMERS, USERS},
};
#define NFK (sizeof fks / sizeof fks[0])

static struct purgeconf conf;
static struct purgeplan plan;

static const char *
order(void)
{
	static char buf[256];
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < plan.norder; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? " " : "",
		                      tables[plan.order[i]].name);
	return buf;
}

static void
make(unsigned classes, bool all, bool before, size_t nfk)
{
	struct purgeplan_opts o = {classes, all, before};

	purgeplan_free(&plan);
	purgeplan_make(&conf, tables, NT, fks, nfk, &o, &plan);
}

int
main(void)
{
	char *why = NULL;

	if (purgeconf_parse(conf_text, strlen(conf_text), "t", &conf, &why) != 0)
		return 1;

	make(PURGEPLAN_DEFAULT_CLASSES, false, false, NFK);
	is_str(order(), "bill_items payments bills appointments audit_logs",
	       "default: transactional and audit, children first");
	is_int(plan.fate[USERS], PURGEPLAN_KEEP, "master kept");
	is_int(plan.fate[ALEMBIC], PURGEPLAN_KEEP, "[keep] kept");
	is_int(plan.fate[NEWTABLE], PURGEPLAN_UNCLASSIFIED, "new table unclassified");
	is_int(plan.fate[POSTGIS], PURGEPLAN_EXTENSION, "extension table");
	is_int(plan.refused, -1, "nothing refused");
	is_int(plan.nmissing, 0, "nothing missing");
	is_int(plan.conf[BILLS], 2, "bills' config line");
	is_int(plan.conf[NEWTABLE], -1, "new table has none");

	make(1u << PURGE_TRANSACTIONAL, false, false, NFK);
	is_str(order(), "bill_items payments bills appointments",
	       "--keep-audit-logs");
	is_int(plan.fate[AUDIT], PURGEPLAN_KEEP, "audit kept");

	make(1u << PURGE_AUDIT, false, false, NFK);
	is_str(order(), "audit_logs", "--class audit");

	make(PURGEPLAN_DEFAULT_CLASSES | (1u << PURGE_MASTER), false, false, NFK);
	is_str(order(),
	       "bill_items payments bills appointments audit_logs customers users",
	       "--class master too: users last");

	/* A kept table that references a purged one. */
	{
		struct purgeplan_fk bad[NFK + 1];
		memcpy(bad, fks, sizeof fks);
		bad[NFK].name = "customers_last_bill_id_fkey";
		bad[NFK].child = CUSTOMERS;
		bad[NFK].parent = BILLS;
		purgeplan_free(&plan);
		purgeplan_make(&conf, tables, NT, bad, NFK + 1,
		               &(struct purgeplan_opts){PURGEPLAN_DEFAULT_CLASSES,
		                                        false, false},
		               &plan);
		is_int(plan.refused, (long)NFK, "kept -> purged is refused");
		purgeplan_free(&plan);
		purgeplan_make(&conf, tables, NT, bad, NFK + 1,
		               &(struct purgeplan_opts){PURGEPLAN_DEFAULT_CLASSES,
		                                        false, true},
		               &plan);
		is_int(plan.refused, -1, "--before: not refused (rows spared)");
		bad[NFK].child = NEWTABLE;
		purgeplan_free(&plan);
		purgeplan_make(&conf, tables, NT, bad, NFK + 1,
		               &(struct purgeplan_opts){PURGEPLAN_DEFAULT_CLASSES,
		                                        false, false},
		               &plan);
		is_int(plan.refused, (long)NFK, "unclassified -> purged is refused");
	}

	make(0, true, false, NFK);
	is_str(order(), "bill_items payments bills appointments audit_logs "
	                "customers new_table users",
	       "--all: all but [keep] and extensions");
	is_int(plan.fate[ALEMBIC], PURGEPLAN_KEEP, "--all keeps [keep]");
	is_int(plan.fate[POSTGIS], PURGEPLAN_EXTENSION, "--all skips extensions");

	/* A configured table the database lacks. */
	purgeconf_free(&conf);
	{
		const char t2[] = "[transactional]\nbills\nghost\n[keep]\n\"Ghost 2\"\n";
		purgeconf_parse(t2, strlen(t2), "t", &conf, &why);
	}
	make(PURGEPLAN_DEFAULT_CLASSES, false, false, NFK);
	is_int(plan.nmissing, 2, "two missing");
	ok(plan.nmissing == 2 && strcmp(conf.tables[plan.missing[0]].name, "ghost") == 0 &&
	       strcmp(conf.tables[plan.missing[1]].name, "Ghost 2") == 0,
	   "named in config order");
	is_int(plan.refused, 0, "bill_items (unclassified now) -> bills refused");

	/* A cycle among purged tables still lists each table once. */
	{
		struct purgeplan_fk cyc[] = {
			{"a", BILLS, APPOINTMENTS}, {"b", APPOINTMENTS, BILLS}};
		purgeconf_free(&conf);
		const char t3[] = "[transactional]\nbills\nappointments\n";
		purgeconf_parse(t3, strlen(t3), "t", &conf, &why);
		purgeplan_free(&plan);
		purgeplan_make(&conf, tables, NT, cyc, 2,
		               &(struct purgeplan_opts){PURGEPLAN_DEFAULT_CLASSES,
		                                        false, false},
		               &plan);
		is_str(order(), "appointments bills", "cycle: both, once");
	}
	purgeplan_free(&plan);
	purgeconf_free(&conf);
	return done_testing();
}
