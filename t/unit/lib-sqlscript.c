/* Unit tests of lib/sqlscript.c: splitting pg_dump's SQL into statements. */
#include <stdio.h>
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
	{
		static const struct {
			const char *stmt;
			enum sql_role_use use;
			const char *roles;
		} cases[] = {
			{"ALTER TABLE public.bills OWNER TO postgres;", SQL_ROLES_OWNER, "postgres"},
			{"ALTER TYPE public.address OWNER TO \"Salon Admin\";", SQL_ROLES_OWNER, "Salon Admin"},
			{"ALTER FUNCTION public.f(integer) OWNER TO App;", SQL_ROLES_OWNER, "app"},
			{"GRANT SELECT ON TABLE public.bills TO reporting;", SQL_ROLES_ACL, "reporting"},
			{"GRANT ALL ON SCHEMA s TO a, \"B c\" WITH GRANT OPTION;", SQL_ROLES_ACL, "a,B c"},
			{"REVOKE ALL ON TABLE public.x FROM PUBLIC;", SQL_ROLES_ACL, ""},
			{"REVOKE USAGE ON SCHEMA public FROM gone_role;", SQL_ROLES_ACL, "gone_role"},
			{"ALTER DEFAULT PRIVILEGES FOR ROLE owner1 IN SCHEMA public GRANT SELECT ON TABLES TO r2;", SQL_ROLES_ACL, "owner1,r2"},
			{"GRANT SELECT ON TABLE public.\"to\" TO x;", SQL_ROLES_ACL, "x"},
			{"ALTER TABLE ONLY public.t ALTER COLUMN c SET DEFAULT 'OWNER TO x';", SQL_ROLES_NONE, ""},
			{"CREATE TABLE t (owner text);", SQL_ROLES_NONE, ""},
			{"ALTER TABLE public.t ADD CONSTRAINT c CHECK (x > 0);", SQL_ROLES_NONE, ""},
		};
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			char **roles = NULL, buf[256] = "";
			size_t n = 0;
			enum sql_role_use use = sqlscript_roles(cases[i].stmt, &roles, &n);

			for (size_t k = 0; k < n; k++) {
				if (k)
					strcat(buf, ",");
				strcat(buf, roles[k]);
				free(roles[k]);
			}
			free(roles);
			is_int(use, cases[i].use, "roles kind of %s", cases[i].stmt);
			is_str(buf, cases[i].roles, "roles of %s", cases[i].stmt);
		}
	}
	{
		/* What identifies each object pre-data creates: kind|schema|name|args. */
		static const struct {
			const char *stmt, *want;
		} cases[] = {
			{"CREATE FUNCTION public.f(a integer, b double precision DEFAULT 1.0, "
			 "OUT c integer) RETURNS integer LANGUAGE sql AS $$select 1$$;",
			 "4|public|f|integer,double precision"},
			{"CREATE PROCEDURE public.p(IN a integer, INOUT b text, OUT c integer) "
			 "LANGUAGE plpgsql AS $$begin c := 1; end$$;",
			 "4|public|p|integer,text"},
			{"CREATE FUNCTION s.\"F x\"(\"out\" public.\"My T\"[], VARIADIC v "
			 "character varying[], double double precision, timestamp with time "
			 "zone, \"time\" time without time zone) RETURNS void",
			 "4|s|F x|public.\"My T\"[],character varying[],double precision,"
			 "timestamp with time zone,time without time zone"},
			{"CREATE FUNCTION public.noargs() RETURNS int", "4|public|noargs|"},
			{"CREATE AGGREGATE public.agg(integer) (SFUNC = int4pl, STYPE = integer);",
			 "4|public|agg|integer"},
			{"CREATE AGGREGATE public.cnt(*) (SFUNC = int8inc, STYPE = bigint);",
			 "4|public|cnt|"},
			{"CREATE AGGREGATE public.pct(double precision ORDER BY numeric) (SFUNC = f);",
			 "4|public|pct|double precision,numeric"},
			{"CREATE OPERATOR public.=== (FUNCTION = int4eq, LEFTARG = integer, "
			 "RIGHTARG = public.\"T\");", "10|public|===|integer,public.\"T\""},
			{"CREATE OPERATOR public.!! (FUNCTION = f, RIGHTARG = bigint);",
			 "10|public|!!|,bigint"},
			{"CREATE CAST (public.e AS integer) WITH FUNCTION public.fe(public.e);",
			 "13|-||public.e,integer"},
			{"CREATE COLLATION public.c1 (provider = libc, locale = 'C');",
			 "14|public|c1|"},
			{"CREATE TEXT SEARCH CONFIGURATION public.tsc (PARSER = pg_catalog.\"default\");",
			 "16|public|tsc|"},
			{"CREATE OPERATOR CLASS public.oc FOR TYPE integer USING btree AS OPERATOR 1 <;",
			 "11|public|oc|btree"},
			{"CREATE OPERATOR FAMILY public.of USING hash;", "12|public|of|hash"},
			{"CREATE DEFAULT CONVERSION public.cv FOR 'LATIN1' TO 'UTF8' FROM f;",
			 "15|public|cv|"},
			{"CREATE FOREIGN DATA WRAPPER w;", "20|-|w|"},
			{"CREATE SERVER srv FOREIGN DATA WRAPPER w;", "21|-|srv|"},
			{"CREATE FOREIGN TABLE public.ft (a int) SERVER srv;", "5|public|ft|"},
			{"CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;", "9|-|hstore|"},
			{"ALTER FUNCTION public.f(integer) OWNER TO x;", "0"},
		};
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct sql_object o;
			char buf[512];
			enum sql_object_kind k = sqlscript_object(cases[i].stmt, &o);

			if (k == SQL_OBJ_NONE) {
				snprintf(buf, sizeof buf, "0");
			} else {
				snprintf(buf, sizeof buf, "%d|%s|%s|", (int)k,
				         o.schema ? o.schema : "-", o.name);
				for (size_t a = 0; a < o.nargs; a++) {
					if (a)
						strcat(buf, ",");
					strcat(buf, o.args[a]);
				}
			}
			is_str(buf, cases[i].want, "object of %.40s", cases[i].stmt);
			sqlscript_object_free(&o);
		}
	}
	return done_testing();
}
