/* Unit tests of lib/sqlscript.c: splitting pg_dump's SQL into statements. */
#include <stdlib.h>
#include <string.h>

#include "sqlscript.h"
#include "tap.h"

static struct sql_script sc;

static void
split(const char *s)
{
	sqlscript_free(&sc);
	sqlscript_split(s, strlen(s), &sc);
}

int
main(void)
{
	char *schema = NULL, *name = NULL;

	split("\\restrict abc123\n--\n-- PostgreSQL database dump\n--\n"
	      "SET statement_timeout = 0;\nSET transaction_timeout = 0;\n"
	      "CREATE TABLE public.t (a int);\n\\unrestrict abc123\n");
	is_int(sc.n, 3, "meta-commands dropped, three statements");
	is_int(sc.meta_removed, 2, "two meta-commands counted");
	is_str(sc.stmts[0].text, "SET statement_timeout = 0;", "leading comments removed");
	ok(sqlscript_is_set(sc.stmts[1].text, "transaction_timeout"), "SET transaction_timeout seen");
	ok(!sqlscript_is_set(sc.stmts[0].text, "transaction_timeout"), "other SET not");

	split("CREATE FUNCTION public.f() RETURNS text LANGUAGE plpgsql AS $_$\n"
	      "BEGIN\n  RETURN 'a;b' || $x$;\\n$x$;\nEND;\n$_$;\nSELECT 1;");
	is_int(sc.n, 2, "dollar quotes keep their semicolons and backslashes");
	ok(strstr(sc.stmts[0].text, "END;\n$_$;") != NULL, "whole function body");

	split("CREATE FUNCTION public.g(a integer) RETURNS integer\n"
	      "    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n"
	      " SELECT 2;\nEND;\nCREATE TABLE x (\"a;b\" text DEFAULT 'it''s;', c text DEFAULT E'\\';');\n");
	is_int(sc.n, 2, "BEGIN ATOMIC bodies and quotes");
	ok(sc.n == 2 && strncmp(sc.stmts[1].text, "CREATE TABLE x", 14) == 0, "second statement");

	split("/* a; /* nested; */ b; */ SELECT 1; -- c;\nSELECT (1;2);");
	is_int(sc.n, 2, "comments and parentheses");

	split("COPY public.t (a, b) FROM stdin;\n1\tx\n\\N\t\\\\y\n\\.\nSELECT 3;\n");
	is_int(sc.n, 2, "COPY keeps its data");
	is_str(sc.stmts[0].copy_data, "1\tx\n\\N\t\\\\y\n", "COPY data lines");
	is_str(sc.stmts[1].text, "SELECT 3;", "after the data");

	ok(sqlscript_created_object("CREATE TABLE public.\"Bill Items\" (a int);",
	                            &schema, &name) == SQL_OBJ_TABLE, "table");
	is_str(schema, "public", "schema");
	is_str(name, "Bill Items", "quoted name");
	free(schema);
	free(name);
	ok(sqlscript_created_object("CREATE OR REPLACE FUNCTION s.F(a int) RETURNS int",
	                            &schema, &name) == SQL_OBJ_FUNCTION, "function");
	is_str(name, "f", "unquoted names fold");
	free(schema);
	free(name);
	ok(sqlscript_created_object("CREATE MATERIALIZED VIEW public.mv AS SELECT 1",
	                            &schema, &name) == SQL_OBJ_MATVIEW, "matview");
	free(schema);
	free(name);
	ok(sqlscript_created_object("CREATE SCHEMA \"My Schema\";", &schema, &name) ==
	           SQL_OBJ_SCHEMA && schema == NULL && strcmp(name, "My Schema") == 0,
	   "schema");
	free(name);
	ok(sqlscript_created_object("CREATE INDEX i ON t (a);", &schema, &name) ==
	           SQL_OBJ_NONE, "an index is not dropped by --clean");
	ok(sqlscript_starts_with("  -- x\n REFRESH  MATERIALIZED VIEW public.mv;",
	                         "REFRESH MATERIALIZED VIEW"), "starts_with");
	sqlscript_free(&sc);
	return done_testing();
}
