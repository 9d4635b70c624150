/*
 * Unit tests of lib/sqlguard.c: what an archive's SQL member may not hold
 * (transaction control, session changes, COPY, DO/CALL/LOAD, psql
 * meta-commands but the \restrict ... \unrestrict pair).
 */
#include <string.h>

#include "sqlguard.h"
#include "tap.h"

static void
good(const char *sql, const char *title)
{
	char why[512] = "";
	int r = sqlguard_check("schema/pre-data.sql", sql, strlen(sql), why,
	                       sizeof why);

	ok(r == 0, "accepted: %s%s%s", title, *why ? ": " : "", why);
}

static void
bad(const char *sql, const char *want, const char *title)
{
	char why[512] = "";
	int r = sqlguard_check("schema/pre-data.sql", sql, strlen(sql), why,
	                       sizeof why);

	ok(r < 0 && strstr(why, want) != NULL && strchr(why, '\n') == NULL,
	   "refused: %s (%s)", title, why);
}

int
main(void)
{
	good("SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n"
	     "SELECT pg_catalog.set_config('search_path', '', false);\n"
	     "CREATE TABLE public.t (id integer, \"begin\" text DEFAULT 'COMMIT;');\n"
	     "COMMENT ON TABLE public.t IS 'COPY x TO PROGRAM ''y''';\n"
	     "CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$\n"
	     "BEGIN\n  COMMIT;\nEND;\n$$;\n"
	     "CREATE FUNCTION public.g() RETURNS integer LANGUAGE sql\n"
	     "    BEGIN ATOMIC\n SELECT 1;\nEND;\n"
	     "CREATE RULE r AS ON INSERT TO public.t DO INSTEAD NOTHING;\n"
	     "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n"
	     "GRANT SELECT ON TABLE public.t TO PUBLIC;\n"
	     "CREATE DOMAIN public.d AS integer;\nSET default_tablespace = '';\n",
	     "what pg_dump writes, with the refused words in quotes and bodies");
	good("\\restrict abcDEF123\n\nSET statement_timeout = 0;\n"
	     "CREATE TABLE public.t (a int);\n\n\\unrestrict abcDEF123\n",
	     "the \\restrict KEY ... \\unrestrict KEY pair");
	good("", "an empty member");

	bad("CREATE TABLE a (x int);\nCOMMIT;\nBEGIN;\n", "COMMIT", "COMMIT; BEGIN;");
	bad("begin;\n", "BEGIN", "begin, lower case");
	bad("START TRANSACTION;", "START TRANSACTION", "START TRANSACTION");
	bad("END;", "END", "END");
	bad("/* x */ ROLLBACK;", "ROLLBACK", "ROLLBACK after a comment");
	bad("ABORT;", "ABORT", "ABORT");
	bad("SAVEPOINT s;", "SAVEPOINT", "SAVEPOINT");
	bad("RELEASE SAVEPOINT s;", "RELEASE", "RELEASE");
	bad("PREPARE TRANSACTION 'x';", "PREPARE", "PREPARE TRANSACTION");
	bad("SET SESSION AUTHORIZATION postgres;", "SET SESSION AUTHORIZATION",
	    "SET SESSION AUTHORIZATION");
	bad("set local session authorization x;", "SET LOCAL SESSION AUTHORIZATION",
	    "SET LOCAL SESSION AUTHORIZATION");
	bad("RESET SESSION AUTHORIZATION;", "RESET SESSION AUTHORIZATION",
	    "RESET SESSION AUTHORIZATION");
	bad("SET ROLE postgres;", "SET ROLE", "SET ROLE");
	bad("RESET ROLE;", "RESET ROLE", "RESET ROLE");
	bad("RESET ALL;", "RESET ALL", "RESET ALL");
	bad("DISCARD ALL;", "DISCARD", "DISCARD");
	bad("COPY (SELECT 1) TO PROGRAM 'touch x';", "COPY", "COPY TO PROGRAM");
	bad("COPY public.t (a) FROM stdin;\n1\n\\.\n", "COPY", "COPY FROM stdin");
	bad("DO $$BEGIN PERFORM 1; END$$;", "DO", "DO");
	bad("CALL public.p();", "CALL", "CALL");
	bad("LOAD 'evil';", "LOAD", "LOAD");
	bad("CREATE TABLE a (x int);\n\\! touch pwned\n", "meta-command \"\\! touch pwned\"",
	    "\\! in the middle");
	bad("\\connect other\n", "meta-command", "\\connect");
	bad("\\restrict abc\nSELECT 1;\n\\unrestrict abd\n", "meta-command",
	    "a \\restrict pair whose keys differ");
	bad("\\restrict abc\nSELECT 1;\n", "meta-command", "\\restrict without \\unrestrict");
	bad("\\restrict abc\n\\! id\n\\unrestrict abc\n", "meta-command",
	    "another meta-command inside the pair");
	bad("\\unrestrict abc\nSELECT 1;\n\\restrict abc\n", "meta-command",
	    "the pair the wrong way round");
	bad("SELECT 1; \\gexec\n", "meta-command", "a meta-command after a statement");
	good("SELECT pg_catalog.set_config('search_path', '', false);\n"
	     "SELECT pg_catalog.lo_create('16385');\n"
	     "select pg_catalog.set_config('a', 'it''s', true)",
	     "set_config() and lo_create() of constants");
	bad("SELECT public.evil();", "SELECT public.evil()",
	    "a SELECT of a function the archive defines");
	bad("SELECT pg_catalog.set_config('search_path', public.evil()::text, false);",
	    "set_config", "set_config() with a call for an argument");
	bad("SELECT pg_catalog.set_config('a', 'b', false), public.evil();",
	    "set_config", "set_config() and another call");
	bad("SELECT pg_catalog.set_config('a', 'b', false) FROM public.t;",
	    "set_config", "set_config() with a FROM");
	bad("SELECT pg_catalog.set_config('a', 'b'", "set_config",
	    "an unterminated set_config()");
	bad("WITH x AS (SELECT public.evil()) SELECT 1;", "WITH", "WITH");
	bad("VALUES (public.evil());", "VALUES", "VALUES");
	bad("EXPLAIN ANALYZE SELECT public.evil();", "EXPLAIN", "EXPLAIN ANALYZE");
	bad("INSERT INTO public.t VALUES (1);", "INSERT", "INSERT");
	bad("DELETE FROM public.t;", "DELETE", "DELETE");
	return done_testing();
}
