/* Unit tests of lib/archive_names.c: identifier encoding, member names. */
#include <stdlib.h>
#include <string.h>

#include "archive_names.h"
#include "tap.h"

static void
enc(const char *in, const char *want)
{
	char *got = archive_names_encode(in);
	char *back = archive_names_decode(got, strlen(got));

	is_str(got, want, "encode '%s'", in);
	is_str(back, in, "and decode it back");
	free(got);
	free(back);
}

static void
dec_bad(const char *in)
{
	char *got = archive_names_decode(in, strlen(in));

	ok(got == NULL, "'%s' is not canonical", in);
	free(got);
}

int
main(void)
{
	char *s, *t, *dir = NULL;
	unsigned long n = 0;

	enc("customers", "customers");
	enc("Bill Items.v2", "Bill%20Items%2Ev2");
	enc("a/b\"c%d", "a%2Fb%22c%25d");
	enc("caf\xc3\xa9", "caf%C3%A9");
	enc("snake_case-x9", "snake_case-x9");
	dec_bad("a%2fb");   /* lowercase hex */
	dec_bad("a%41");    /* 'A' needs no encoding */
	dec_bad("a%2");     /* truncated */
	dec_bad("a%00");    /* NUL */
	dec_bad("a b");     /* raw space */
	dec_bad("a.b");     /* raw dot */

	s = archive_names_table_dir("public", "Bill Items.v2");
	is_str(s, "public.Bill%20Items%2Ev2", "table dir as ARCHIVE.md's example");
	ok(archive_names_split_dir(s, &dir, &t) == 0, "split it");
	is_str(dir, "public", "schema back");
	is_str(t, "Bill Items.v2", "table back");
	free(dir);
	free(t);
	dir = NULL;
	ok(archive_names_split_dir("public", &dir, &t) == -1, "no dot: refused");
	ok(archive_names_split_dir("a.b.c", &dir, &t) == -1, "two dots: refused");
	ok(archive_names_split_dir(".b", &dir, &t) == -1, "empty schema: refused");

	t = archive_names_chunk(s, 1);
	is_str(t, "data/public.Bill%20Items%2Ev2/000001.copy", "chunk name");
	is_int(archive_names_classify(t, &dir, &n), ARCHIVE_MEMBER_IS_CHUNK,
	       "classified as a chunk");
	is_str(dir, s, "with its dir");
	is_int(n, 1, "and number");
	free(dir);
	free(t);
	free(s);
	t = archive_names_chunk("public.t", 1234567);
	is_str(t, "data/public.t/1234567.copy", "more than 6 digits when needed");
	is_int(archive_names_classify(t, NULL, &n), ARCHIVE_MEMBER_IS_CHUNK,
	       "still a chunk");
	is_int(n, 1234567, "number parsed");
	free(t);

	is_int(archive_names_classify("strongbox/manifest.json", NULL, NULL),
	       ARCHIVE_MEMBER_IS_MANIFEST, "manifest");
	is_int(archive_names_classify("schema/pre-data.sql", NULL, NULL),
	       ARCHIVE_MEMBER_IS_PRE_DATA, "pre-data");
	is_int(archive_names_classify("data/sequences.json", NULL, NULL),
	       ARCHIVE_MEMBER_IS_SEQUENCES, "sequences");
	is_int(archive_names_classify("schema/post-data.sql", NULL, NULL),
	       ARCHIVE_MEMBER_IS_POST_DATA, "post-data");
	is_int(archive_names_classify("strongbox/trailer.json", NULL, NULL),
	       ARCHIVE_MEMBER_IS_TRAILER, "trailer");
	is_int(archive_names_classify("data/public.t/000000.copy", NULL, NULL),
	       ARCHIVE_MEMBER_UNKNOWN, "chunk 0 unknown");
	is_int(archive_names_classify("data/public.t/00001.copy", NULL, NULL),
	       ARCHIVE_MEMBER_UNKNOWN, "5 digits unknown");
	is_int(archive_names_classify("data/public.t/0000001.copy", NULL, NULL),
	       ARCHIVE_MEMBER_UNKNOWN, "non-canonical padding unknown");
	is_int(archive_names_classify("data/public.t/000001.copyx", NULL, NULL),
	       ARCHIVE_MEMBER_UNKNOWN, "bad suffix unknown");
	is_int(archive_names_classify("data/public/000001.copy", NULL, NULL),
	       ARCHIVE_MEMBER_UNKNOWN, "dir without a dot unknown");
	is_int(archive_names_classify("data/a.b/c/000001.copy", NULL, NULL),
	       ARCHIVE_MEMBER_UNKNOWN, "nested dir unknown");
	is_int(archive_names_classify("etc/passwd", NULL, NULL),
	       ARCHIVE_MEMBER_UNKNOWN, "other names unknown");
	return done_testing();
}
