/*
 * Unit tests of lib/manifest.c: the manifest built and parsed back, the
 * strict trailer parse, and the shallow trailer check of --verify-archive.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "tap.h"
#include "xalloc.h"

static void
trailer(const char *json, int want_ok, const char *title)
{
	char why[512] = "";
	int r = manifest_trailer_check(json, strlen(json), why, sizeof why);

	ok(want_ok ? r == 0 : r < 0 && *why, "trailer: %s%s%s", title,
		*why ? ": " : "", why);
}

static void
trailer_strict(const char *json, int want_ok, const char *title)
{
	struct manifest_trailer t;
	char why[512] = "";
	int r = manifest_trailer_parse(json, strlen(json), &t, why, sizeof why);

	ok(want_ok ? r == 0 : r < 0 && *why, "strict trailer: %s%s%s", title,
		*why ? ": " : "", why);
	if (r == 0)
		manifest_trailer_free(&t);
}

static void
manifest_bad(const char *json, const char *want, const char *title)
{
	char why[512] = "";
	struct manifest *m = manifest_parse(json, strlen(json), why, sizeof why);

	ok(m == NULL && strstr(why, want) != NULL, "manifest: %s (%s)", title,
		why);
	manifest_free(m);
}

int
main(void)
{
	struct manifest_column cols[] = {{"id", "integer"}, {"b c", "text"}};
	struct manifest_name ref = {"public", "a"};
	struct manifest_table tabs[] = {
		{.schema = "public", .name = "a", .dir = "public.a", .kind = 'r',
		 .ncolumns = 1, .columns = cols},
		{.schema = "public", .name = "b", .dir = "public.b", .kind = 'p',
		 .level = 1, .ncolumns = 2, .columns = cols, .nreferences = 1,
		 .references = &ref, .partition_of = {"public", "a"}},
	};
	char *pats[] = {"a*"};
	struct manifest_cycle cyc = {1, &ref};
	struct manifest in = {.created = "2026-02-17T22:00:05+05:30",
		.tool = "sdump 0.1.0", .server_version = "16.4",
		.server_version_num = 160004, .database = "salon_db",
		.encoding = "UTF8", .branch_id = "branch-a",
		.compression = "zstd:3", .chunk_size = 4096, .jobs = 2,
		.ntable_patterns = 1, .table_patterns = pats, .ntables = 2,
		.tables = tabs, .ncycles = 1, .cycles = &cyc, .nmatviews = 1,
		.matviews = &ref};
	json_t *j = manifest_to_json(&in);
	char *s = json_dumps(j, JSON_COMPACT), why[512] = "";
	struct manifest *m = manifest_parse(s, strlen(s), why, sizeof why);

	ok(strncmp(s, "{\"format\":\"strongbox\",\"version\":1,", 34) == 0,
		"the manifest starts with format and version");
	ok(strstr(s, "\"pg_dump_version\":null") != NULL,
		"no pg_dump: null");
	ok(m != NULL, "built manifest parses back (%s)", why);
	if (m) {
		is_str(m->database, "salon_db", "database");
		is_str(m->branch_id, "branch-a", "branch_id");
		is_int(m->chunk_size, 4096, "chunk_size");
		is_int(m->jobs, 2, "jobs");
		is_int(m->ntables, 2, "two tables");
		is_str(m->tables[1].columns[1].name, "b c", "column name");
		is_int(m->tables[1].kind, 'p', "kind");
		is_int(m->tables[1].level, 1, "level");
		is_str(m->tables[1].references[0].name, "a", "reference");
		is_str(m->tables[1].partition_of.name, "a", "partition_of");
		is_int(m->ncycles, 1, "one cycle");
		is_int(m->nmatviews, 1, "one materialized view");
		is_int(m->ntable_patterns, 1, "one pattern");
		is_int(manifest_find_table(m, "public", "b"), 1, "find b");
		is_int((long long)manifest_find_table(m, "public", "x"), -1,
			"no x");
	}
	manifest_free(m);
	free(s);
	json_decref(j);

	manifest_bad("[]", "not a JSON object", "an array");
	manifest_bad("{\"format\":\"strongbox\",\"version\":2}",
		"version 2 is not supported", "version 2");
	manifest_bad("{\"format\":\"x\",\"version\":1}", "format is \"x\"",
		"another format");
	manifest_bad("{\"format\":\"strongbox\",\"version\":1}",
		"no \"tables\" array", "no tables");
	manifest_bad("{\"format\":\"strongbox\",\"version\":1,\"tables\":"
		"[{\"schema\":\"public\",\"name\":\"a\",\"dir\":\"x\","
		"\"columns\":[]}]}", "not its encoded name", "a wrong dir");

	j = manifest_trailer_to_json("2026-02-17T22:00:09+05:30",
		json_pack("[o]", manifest_trailer_table("public", "a", 3, 10, 1,
		"00")), json_pack("[o]", manifest_trailer_member(
		"strongbox/manifest.json", 100, "11")));
	s = json_dumps(j, JSON_COMPACT);
	{
		struct manifest_trailer t;

		ok(manifest_trailer_parse(s, strlen(s), &t, why, sizeof why) == 0,
			"built trailer parses back");
		is_int(t.ntables, 1, "one table");
		is_int(t.tables[0].rows, 3, "rows");
		is_str(t.members[0].name, "strongbox/manifest.json", "member");
		manifest_trailer_free(&t);
	}
	free(s);
	json_decref(j);
	trailer_strict("{\"format\":\"strongbox\",\"version\":1,"
		"\"tables\":[],\"members\":[]}", 0, "not complete");
	trailer_strict("{\"format\":\"strongbox\",\"version\":1,"
		"\"complete\":true,\"tables\":[{}],\"members\":[]}", 0,
		"a malformed table");

	trailer("{\"format\":\"strongbox\",\"version\":1,\"complete\":true,"
		"\"tables\":[{\"schema\":\"public\",\"name\":\"t\"}]}", 1,
		"complete trailer");
	trailer("{\"format\":\"strongbox\",\"tables\":[]}", 1,
		"the minimal trailer");
	trailer("{\"format\":\"strongbox\",\"tables\":[],\"complete\":false}",
		0, "complete false");
	trailer("{\"format\":\"pgdump\",\"tables\":[]}", 0, "another format");
	trailer("{\"format\":\"strongbox\"}", 0, "no tables");
	trailer("[1,2]", 0, "not an object");
	trailer("{\"format\":\"strongbox\",\"tables\":[", 0, "truncated JSON");
	return done_testing();
}
