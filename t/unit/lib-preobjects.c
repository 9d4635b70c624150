/* Unit tests of lib/preobjects.c: the pre-data objects as JSON, DROP statements. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "preobjects.h"
#include "tap.h"

static bool
skip_t(void *ctx, const char *schema, const char *name)
{
	(void)ctx;
	return strcmp(schema, "public") == 0 && strcmp(name, "t") == 0;
}

int
main(void)
{
	const char *pre =
		"SET search_path = '';\n"
		"CREATE SCHEMA s;\n"
		"CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA public;\n"
		"CREATE TYPE public.e AS ENUM ('a');\n"
		"CREATE FUNCTION s.f(a integer, OUT b text) RETURNS text\n"
		"    LANGUAGE sql AS $$select ';'$$;\n"
		"ALTER FUNCTION s.f(a integer, OUT b text) OWNER TO x;\n"
		"CREATE TABLE public.t (a public.e);\n"
		"CREATE VIEW public.v AS SELECT 1;\n"
		"CREATE CAST (public.e AS integer) WITH INOUT;\n";
	json_t *j = preobjects_json(pre, strlen(pre), NULL, NULL);
	char *s = json_dumps(j, JSON_COMPACT);
	char *d;

	is_str(s,
	       "[{\"k\":\"type\",\"s\":\"public\",\"n\":\"e\",\"a\":[]},"
	       "{\"k\":\"function\",\"s\":\"s\",\"n\":\"f\",\"a\":[\"integer\"]},"
	       "{\"k\":\"relation\",\"s\":\"public\",\"n\":\"t\",\"a\":[]},"
	       "{\"k\":\"relation\",\"s\":\"public\",\"n\":\"v\",\"a\":[]},"
	       "{\"k\":\"cast\",\"s\":\"public\",\"n\":\"\",\"a\":[\"public.e\",\"integer\"]}]",
	       "objects in script order, schemas and extensions left out");
	free(s);
	json_decref(j);
	j = preobjects_json(pre, strlen(pre), skip_t, NULL);
	is_int(json_array_size(j), 4, "a skipped relation is left out");
	json_decref(j);

	d = preobjects_drop_sql("function", "s.f(integer)", true);
	is_str(d, "DROP FUNCTION s.f(integer) CASCADE", "drop a function");
	free(d);
	d = preobjects_drop_sql("foreign-data wrapper", "w", false);
	is_str(d, "DROP FOREIGN DATA WRAPPER w", "drop a wrapper");
	free(d);
	d = preobjects_drop_sql("text search configuration", "public.c", true);
	is_str(d, "DROP TEXT SEARCH CONFIGURATION public.c CASCADE", "drop a ts config");
	free(d);
	ok(preobjects_drop_sql("schema", "s", true) == NULL, "no DROP for a schema");
	ok(preobjects_drop_sql("index", "public.i", true) == NULL, "no DROP for an index");
	return done_testing();
}
