/*
 * Unit tests of lib/purgeconf.c: sections, schema-qualified names, date
 * columns, quoted identifiers with quotes, dots, ";", "#" and non-ASCII,
 * case folding, comments, every refusal with its line, the shipped file,
 * and the display form of names.
 */
#include <stdlib.h>
#include <string.h>

#include "purgeconf.h"
#include "tap.h"

static struct purgeconf conf;
static char *why;

static int
parse(const char *text)
{
	purgeconf_free(&conf);
	free(why);
	why = NULL;
	return purgeconf_parse(text, strlen(text), "t.conf", &conf, &why);
}

static void
refused(const char *text, const char *want, const char *title)
{
	ok(parse(text) == -1 && conf.ntables == 0, "%s: refused", title);
	is_str(why, want, "%s: message", title);
}

int
main(int argc, char **argv)
{
	ok(parse("") == 0 && conf.ntables == 0, "empty file");
	ok(parse("# only a comment\n\n   \n") == 0 && conf.ntables == 0,
	   "comments and blank lines");

	ok(parse("[master]\nroles\n[transactional]\nbills created_at  # x\n"
	         "  sales.orders\t\"placed at\"\n[audit]\naudit_logs\n"
	         "[keep]\nalembic_version\n") == 0,
	   "the four sections");
	is_int(conf.ntables, 5, "five tables");
	is_str(conf.tables[0].name, "roles", "roles");
	is_int(conf.tables[0].cls, PURGE_MASTER, "roles is master");
	is_str(conf.tables[0].schema, "public", "default schema public");
	ok(conf.tables[0].datecol == NULL, "no date column");
	is_str(conf.tables[1].datecol, "created_at", "bills' date column");
	is_int(conf.tables[1].cls, PURGE_TRANSACTIONAL, "bills transactional");
	is_int(conf.tables[1].line, 4, "bills on line 4");
	is_str(conf.tables[2].schema, "sales", "schema.table: schema");
	is_str(conf.tables[2].name, "orders", "schema.table: table");
	is_str(conf.tables[2].datecol, "placed at", "quoted date column");
	is_int(conf.tables[3].cls, PURGE_AUDIT, "audit");
	is_int(conf.tables[4].cls, PURGE_KEEP, "keep");
	is_int(purgeconf_find(&conf, "sales", "orders"), 2, "find");
	is_int(purgeconf_find(&conf, "public", "orders"), -1, "find: schema");

	ok(parse("[transactional]\n\"tips \"\"jar\"\"\"\n"
	         "\"a;drop table roles;--\"\n\"Bücher.2025\" \"Datum\"\n"
	         "\"we\"\".ird\".\"x#y\"\nBills\nrechnungsbücher\n"
	         "\"\"\"\"\n") == 0,
	   "hostile quoted names");
	is_str(conf.tables[0].name, "tips \"jar\"", "doubled quotes");
	is_str(conf.tables[1].name, "a;drop table roles;--", "semicolons");
	is_str(conf.tables[2].name, "Bücher.2025", "dot and non-ASCII in quotes");
	is_str(conf.tables[2].datecol, "Datum", "quoted column keeps case");
	is_str(conf.tables[3].schema, "we\".ird", "quoted schema");
	is_str(conf.tables[3].name, "x#y", "# inside quotes");
	is_str(conf.tables[4].name, "bills", "unquoted folds to lower case");
	is_str(conf.tables[5].name, "rechnungsbücher", "unquoted non-ASCII");
	is_str(conf.tables[6].name, "\"", "a name that is one quote");

	refused("bills\n", "t.conf:1: a table before any section",
	        "table before section");
	refused("[master]\n[bogus]\n",
	        "t.conf:2: unknown section [bogus] (master, transactional, audit, keep)",
	        "unknown section");
	refused("[master\n", "t.conf:1: a section header is \"[name]\"",
	        "unclosed section");
	refused("[keep] x\n", "t.conf:1: text after the section header",
	        "text after section");
	refused("[master]\n\"open\n", "t.conf:2: unterminated quoted name",
	        "unterminated quote");
	refused("[master]\n\"\"\n", "t.conf:2: empty quoted name", "empty quotes");
	refused("[master]\na..b\n", "t.conf:2: empty name", "empty part");
	refused("[master]\na.b.c\n",
	        "t.conf:2: a table name is \"table\" or \"schema.table\"",
	        "three parts");
	refused("[master]\nbills a.b\n", "t.conf:2: a column name has no dot",
	        "dotted column");
	refused("[master]\nbills at x\n",
	        "t.conf:2: more than a table and a date column on a line",
	        "three words");
	refused("[master]\n\"a\"b\n",
	        "t.conf:2: a quoted name must be followed by a space, a dot or "
	        "the end of the line",
	        "text glued to a quote");
	refused("[master]\nbills\n[audit]\npublic.BILLS\n",
	        "t.conf:4: table bills is listed already on line 2",
	        "a table twice");
	{
		const char nul[] = "[master]\nbi\0lls\n";
		purgeconf_free(&conf);
		free(why);
		ok(purgeconf_parse(nul, sizeof nul - 1, "t.conf", &conf, &why) == -1,
		   "a NUL byte is refused");
		is_str(why, "t.conf: a NUL byte: not a text file", "NUL message");
	}

	purgeconf_free(&conf);
	free(why);
	ok(purgeconf_load(argc > 1 ? argv[1] : "etc/purge-tables.conf", &conf, &why) == 0,
	   "the shipped purge-tables.conf parses");
	ok(conf.ntables >= 21, "it lists the salon tables (%zu)", conf.ntables);
	{
		long k = purgeconf_find(&conf, "public", "alembic_version");
		ok(k >= 0 && conf.tables[k].cls == PURGE_KEEP,
		   "alembic_version is in [keep]");
		k = purgeconf_find(&conf, "public", "bills");
		ok(k >= 0 && conf.tables[k].datecol != NULL,
		   "bills has a date column");
	}
	purgeconf_free(&conf);
	free(why);
	why = NULL;
	ok(purgeconf_load("/nonexistent/x.conf", &conf, &why) == -1 && why &&
	       strstr(why, "cannot open /nonexistent/x.conf") == why,
	   "a missing file");

	is_int(purgeconf_class_from_name("audit"), PURGE_AUDIT, "class audit");
	is_int(purgeconf_class_from_name("Audit"), -1, "class names are exact");
	is_str(purgeconf_class_name(PURGE_KEEP), "keep", "class name");

	{
		char *d;
		d = purgeconf_display("public", "bills");
		is_str(d, "bills", "display: plain");
		free(d);
		d = purgeconf_display("sales", "Orders");
		is_str(d, "sales.\"Orders\"", "display: schema and capitals");
		free(d);
		d = purgeconf_display("public", "tips \"jar\"\nx");
		is_str(d, "\"tips \"\"jar\"\"?x\"", "display: quote and newline");
		free(d);
	}
	purgeconf_free(&conf);
	free(why);
	return done_testing();
}
