/*
 * Unit tests of lib/age.c, lib/bech32.c and lib/keyfile.c: the spec's
 * example keys and rules (c2sp.org/age), vectors made by the age CLI
 * (t/data/age/mkvectors.sh), round trips at the chunk edges, and damage:
 * flipped bytes, truncation, data after the end, a wrong identity.  With
 * the age CLI on PATH, it also decrypts what this library encrypted.
 * argv[1] is the vectors' directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "age.h"
#include "bech32.h"
#include "keyfile.h"
#include "readfile.h"
#include "xalloc.h"
#include "tap.h"

static const char *datadir;

struct buf {
	unsigned char *p;
	size_t len, cap;
	int fail_after; /* fail the write once len would pass this, if > 0 */
};

static int
buf_write(void *ctx, const void *data, size_t len)
{
	struct buf *b = ctx;

	if (b->fail_after > 0 && b->len + len > (size_t)b->fail_after)
		return -1;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 16;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

static unsigned char *
pattern(size_t n)
{
	unsigned char *p = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 7 + 3) % 256);
	return p;
}

/* A vector of datadir, whole (lib/readfile.c), or NULL. */
static unsigned char *
slurp(const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", datadir, name), *why = NULL;
	char *p = readfile(path, len, &why);

	free(why);
	free(path);
	return (unsigned char *)p;
}

static struct age_identity
load_identity(const char *name)
{
	struct age_identity *v = NULL, id;
	size_t n = 0, len;
	char why[200];
	unsigned char *text = slurp(name, &len);

	memset(&id, 0, sizeof id);
	if (!text) {
		ok(0, "read %s", name);
		return id;
	}
	text[len] = '\0';
	if (age_identities_parse_text((char *)text, &v, &n, why,
		sizeof why) != 1)
		ok(0, "parse %s: %s", name, why);
	else
		id = v[0];
	free(v);
	free(text);
	return id;
}

/* Decrypts in (fed step bytes at a time) with ids; -1 and why on failure. */
static int
decrypt(const struct age_identity *ids, size_t n, const unsigned char *in,
	size_t len, size_t step, struct buf *out, char *why, size_t whylen)
{
	struct age_dec *d = age_dec_new(ids, n, buf_write, out);
	int r = 0;

	for (size_t off = 0; off < len && r == 0; off += step)
		r = age_dec_update(d, in + off, len - off < step ? len - off :
			step);
	if (r == 0)
		r = age_dec_final(d);
	if (r < 0)
		snprintf(why, whylen, "%s", age_dec_error(d));
	age_dec_free(d);
	return r;
}

static int
encrypt(const struct age_recipient *r, size_t n, const unsigned char *in,
	size_t len, size_t step, struct buf *out)
{
	char why[200];
	struct age_enc *e = age_enc_new(r, n, buf_write, out, why, sizeof why);
	int rc = e ? 0 : -1;

	for (size_t off = 0; rc == 0 && off < len; off += step)
		rc = age_enc_update(e, in + off, len - off < step ? len - off :
			step);
	if (rc == 0)
		rc = age_enc_final(e);
	age_enc_free(e);
	return rc;
}

static size_t
header_len(const struct buf *b)
{
	unsigned char *p = memmem(b->p, b->len, "\n--- ", 5);
	unsigned char *nl = p ? memchr(p + 1, '\n', b->len - (size_t)(p + 1 -
		b->p)) : NULL;

	return nl ? (size_t)(nl + 1 - b->p) : 0;
}

static void
test_bech32(void)
{
	/* The spec's example X25519 identity and its recipient. */
	const char *ids = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGF"
		"PYYSJZGFPYYSJZGFPQ4EGAEX";
	const char *rs = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn"
		"73equnujwj";
	struct age_identity id;
	struct age_recipient r;
	char out[AGE_KEY_STRLEN], why[200], bad[120];
	unsigned char data[64];
	size_t len;
	const char *w;

	ok(age_identity_parse(ids, &id, why, sizeof why) == 0,
		"the spec's example identity parses");
	memcpy(r.pk, id.pk, 32);
	age_recipient_format(&r, out);
	is_str(out, rs, "its recipient is the spec's");
	age_identity_format(&id, out);
	is_str(out, ids, "the identity formats back, uppercase");
	ok(age_recipient_parse(rs, &r, why, sizeof why) == 0 &&
		memcmp(r.pk, id.pk, 32) == 0, "the recipient parses");
	/* A typo: the checksum catches it. */
	snprintf(bad, sizeof bad, "%s", rs);
	bad[10] = bad[10] == 'q' ? 'p' : 'q';
	ok(age_recipient_parse(bad, &r, why, sizeof why) < 0 &&
		strstr(why, "checksum"), "a typo fails the checksum: %s", why);
	snprintf(bad, sizeof bad, "%s", rs);
	bad[5] = 'Z';
	ok(bech32_decode(bad, "age", data, sizeof data, &len, &w) < 0 &&
		strstr(w, "mixed case"), "mixed case is refused");
	ok(age_recipient_parse(ids, &r, why, sizeof why) < 0,
		"an identity is not a recipient");
	ok(age_identity_parse(rs, &id, why, sizeof why) < 0 &&
		!strstr(why, rs), "a recipient is not an identity");
	snprintf(bad, sizeof bad, "%s", ids);
	bad[strlen(bad) - 1] = 'Y';
	ok(age_identity_parse(bad, &id, why, sizeof why) < 0 &&
		strstr(why, "checksum") && !strstr(why, "GFPYY"),
		"a damaged identity is refused without being shown: %s", why);
	/* BIP 173's valid test string with no data */
	ok(bech32_decode("A12UEL5L", "a", data, sizeof data, &len, &w) == 0 &&
		len == 0, "BIP 173: A12UEL5L");
	ok(bech32_decode("a12uel5l", "a", data, sizeof data, &len, &w) == 0,
		"BIP 173: a12uel5l");
	ok(bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"abcdef", data, sizeof data, &len, &w) == 0 && len == 20,
		"BIP 173: every data character");
}

static void
test_key_text(void)
{
	struct age_recipient *rv = NULL;
	struct age_identity *iv = NULL;
	size_t n = 0;
	char why[200];

	ok(age_recipients_parse_text("# office\n\n  age1zvkyg2lqzraa2lnjvqej32"
		"nkuu0ues2s82hzrye869xeexvn73equnujwj  \r\n", &rv, &n, why,
		sizeof why) == 1 && n == 1, "a recipients file: comments, "
		"blank lines, spaces");
	ok(age_recipients_parse_text("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hz"
		"rye869xeexvn73equnujwj\nssh-ed25519 AAAA x\n", &rv, &n, why,
		sizeof why) < 0 && strstr(why, "line 2") && strstr(why, "ssh"),
		"an ssh key is refused by line: %s", why);
	ok(age_recipients_parse_text("# nothing\n", &rv, &n, why,
		sizeof why) < 0, "a file without a recipient is refused: %s",
		why);
	free(rv);
	ok(age_identities_parse_text("# created: x\n# public key: age1zvkyg2lq"
		"zraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\nAGE-SECRET-"
		"KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
		"\n", &iv, &n, why, sizeof why) == 1, "an age-keygen file");
	free(iv);
}

static void
test_keyfile(void)
{
	char dir[] = "/tmp/strongbox-unit-XXXXXX", *path, *text, why[300];
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	path = xasprintf("%s/key.txt", dir);
	f = fopen(path, "w");
	fputs("AGE-SECRET-KEY-1X\n", f);
	fclose(f);
	chmod(path, 0644);
	ok(keyfile_read(path, 1, &text, why, sizeof why) < 0 &&
		strstr(why, "0644") && strstr(why, "chmod 600") &&
		!strstr(why, "AGE-SECRET"), "a 0644 secret file is refused: %s",
		why);
	chmod(path, 0640);
	ok(keyfile_read(path, 1, &text, why, sizeof why) < 0,
		"0640 too (group)");
	chmod(path, 0600);
	ok(keyfile_read(path, 1, &text, why, sizeof why) == 0 &&
		strcmp(text, "AGE-SECRET-KEY-1X\n") == 0, "0600 is read");
	free(text);
	chmod(path, 0644);
	ok(keyfile_read(path, 0, &text, why, sizeof why) == 0,
		"a public file may be 0644");
	free(text);
	unlink(path);
	ok(keyfile_read(path, 1, &text, why, sizeof why) < 0 &&
		strstr(why, "cannot open"), "a missing file: %s", why);
	free(path);
	rmdir(dir);
}

/* The age CLI's vectors: each opens, in one piece and a byte at a time. */
static void
test_vectors(void)
{
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 131072};
	struct age_identity id[3] = {load_identity("id1.txt"),
		load_identity("id2.txt"), load_identity("id3.txt")};
	char why[300];

	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		char name[64];
		size_t len;
		unsigned char *c, *want = pattern(sizes[i]);
		struct buf out = {0}, out1 = {0};

		snprintf(name, sizeof name, "p-%zu.age", sizes[i]);
		c = slurp(name, &len);
		ok(c && decrypt(&id[0], 1, c, len, len ? len : 1, &out, why,
			sizeof why) == 0 && out.len == sizes[i] &&
			(!sizes[i] || memcmp(out.p, want, sizes[i]) == 0),
			"age -r vector %s decrypts", name);
		if (sizes[i] <= 65537)
			ok(c && decrypt(&id[0], 1, c, len, 1, &out1, why,
				sizeof why) == 0 && out1.len == sizes[i],
				"%s fed a byte at a time", name);
		ok(c && decrypt(&id[1], 1, c, len, 4096, &out1, why,
			sizeof why) < 0 && strcmp(why, "no identity matches any "
			"recipient") == 0, "%s: another identity: %s", name, why);
		free(c);
		free(want);
		free(out.p);
		free(out1.p);
	}
	for (int k = 0; k < 3; k++) {
		size_t len;
		unsigned char *c = slurp("three-65537.age", &len);
		struct buf out = {0};
		ok(c && decrypt(&id[k], 1, c, len, 1000, &out, why,
			sizeof why) == 0 && out.len == 65537,
			"three recipients: identity %d opens it", k + 1);
		free(c);
		free(out.p);
	}
}

static void
test_round_trips(void)
{
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536,
		3 * 65536 + 5};
	struct age_identity id[3];
	struct age_recipient r[3];
	char why[300];

	for (int k = 0; k < 3; k++) {
		age_identity_generate(&id[k], NULL);
		memcpy(r[k].pk, id[k].pk, 32);
	}
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		unsigned char *p = pattern(sizes[i]);
		struct buf c = {0}, out = {0};
		size_t nchunks = sizes[i] ? (sizes[i] + 65535) / 65536 : 1;

		ok(encrypt(r, 3, p, sizes[i], 1000, &c) == 0 &&
			c.len == header_len(&c) + 16 + sizes[i] + 16 * nchunks,
			"%zu bytes encrypt to %zu chunk(s)", sizes[i], nchunks);
		ok(decrypt(&id[2], 1, c.p, c.len, 7777, &out, why,
			sizeof why) == 0 && out.len == sizes[i] &&
			(!sizes[i] || memcmp(out.p, p, sizes[i]) == 0),
			"%zu bytes round trip (third recipient)", sizes[i]);
		free(p);
		free(c.p);
		free(out.p);
	}
}

static void
test_damage(void)
{
	struct age_identity id, other;
	struct age_recipient r;
	size_t n = 3 * 65536 + 100, hl;
	unsigned char *p = pattern(n);
	struct buf c = {0}, out = {0};
	char why[300];
	unsigned char *d;

	age_identity_generate(&id, NULL);
	age_identity_generate(&other, NULL);
	memcpy(r.pk, id.pk, 32);
	encrypt(&r, 1, p, n, n, &c);
	hl = header_len(&c);
	d = xmalloc(c.len);

#define DAMAGED(desc, len_, want)                                            \
	do {                                                                 \
		out.len = 0;                                                 \
		ok(decrypt(&id, 1, d, (len_), 65536, &out, why,              \
			sizeof why) < 0 && strstr(why, want), "%s: %s", desc, \
			why);                                                \
	} while (0)

	memcpy(d, c.p, c.len);
	d[hl - 10] ^= 1; /* in the MAC */
	DAMAGED("a flipped byte in the MAC", c.len, "MAC");
	memcpy(d, c.p, c.len);
	d[strlen(AGE_MAGIC) + 14] ^= 1; /* in the ephemeral share */
	DAMAGED("a flipped byte in a stanza", c.len, "");
	ok(out.len == 0, "nothing written when the header is bad");
	memcpy(d, c.p, c.len);
	d[hl + 3] ^= 0x40; /* in the payload nonce */
	DAMAGED("a flipped byte in the payload nonce", c.len,
		"does not authenticate");
	ok(out.len == 0, "nothing written from a chunk that fails");
	memcpy(d, c.p, c.len);
	d[hl + 16 + 65552 + 1000] ^= 1; /* chunk 1 of 4 */
	DAMAGED("a flipped byte in a middle chunk", c.len, "chunk 1");
	ok(out.len == 65536, "only the chunk before it was written");
	memcpy(d, c.p, c.len);
	d[c.len - 20] ^= 1;
	DAMAGED("a flipped byte in the last chunk", c.len, "last chunk");
	memcpy(d, c.p, c.len);
	DAMAGED("truncated at a chunk boundary", hl + 16 + 3 * 65552,
		"last chunk");
	ok(out.len == 2 * 65536, "two chunks written before the failure");
	DAMAGED("truncated inside a chunk", c.len - 50, "last chunk");
	DAMAGED("truncated after the header", hl + 16, "no final chunk");
	DAMAGED("truncated in the nonce", hl + 5, "before its payload");
	DAMAGED("truncated in the header", hl - 5, "header");
	free(d);
	d = xmalloc(c.len + 10);
	memcpy(d, c.p, c.len);
	memcpy(d + c.len, "0123456789", 10);
	DAMAGED("data after the final chunk", c.len + 10, "");
	memcpy(d, "age-encryption.org/v2\n", 22);
	DAMAGED("version v2", c.len, "another version");
	memcpy(d, "-----BEGIN AGE", 14);
	DAMAGED("armored", c.len, "armored");
	memcpy(d, "\x28\xb5\x2f\xfd", 4);
	DAMAGED("a zstd stream", c.len, "not an age file");
	DAMAGED("empty input", 0, "empty");
	free(d);

	/* Non-canonical base64 in the share (its 2 spare bits set). */
	{
		char *s;
		memcpy((d = xmalloc(c.len)), c.p, c.len);
		s = (char *)d + strlen(AGE_MAGIC) + strlen("-> X25519 ") + 42;
		*s = *s == 'A' ? 'B' : *s == 'B' ? 'C' : (char)(*s ^ 1);
		DAMAGED("non-canonical base64", c.len, "X25519");
		free(d);
	}
	out.len = 0;
	ok(decrypt(&other, 1, c.p, c.len, 100, &out, why, sizeof why) < 0 &&
		strcmp(why, "no identity matches any recipient") == 0 &&
		out.len == 0, "wrong identity: one message, nothing written");
	{
		struct age_identity two[2] = {other, id};
		out.len = 0;
		ok(decrypt(two, 2, c.p, c.len, 100, &out, why, sizeof why) == 0
			&& out.len == n, "the second of two identities opens it");
	}
	/* A write that fails stops the filter. */
	{
		struct buf small = {.fail_after = 1000};
		ok(decrypt(&id, 1, c.p, c.len, 65536, &small, why,
			sizeof why) < 0 && strstr(why, "cannot write"),
			"a failed write: %s", why);
		free(small.p);
	}
	free(p);
	free(c.p);
	free(out.p);
}

/*
 * Every single-byte change and every truncation of a small file fails
 * (the header's MAC and the chunks' tags leave no byte unchecked), and
 * none crashes: ASan watches.
 */
static void
test_every_byte(void)
{
	struct age_identity id;
	struct age_recipient r;
	size_t n = 70000; /* two chunks */
	unsigned char *p = pattern(n), *d;
	struct buf c = {0}, out = {0};
	char why[300];
	size_t flipped_ok = 0, cut_ok = 0, step, flips = 0;

	age_identity_generate(&id, NULL);
	memcpy(r.pk, id.pk, 32);
	encrypt(&r, 1, p, n, n, &c);
	d = xmalloc(c.len);
	/* every byte of the header and the nonce, then a stride of the rest */
	for (size_t i = 0; i < c.len; i += i < header_len(&c) + 16 ? 1 : 97) {
		memcpy(d, c.p, c.len);
		d[i] ^= (unsigned char)(1u << (i % 8));
		out.len = 0;
		flips++;
		if (decrypt(&id, 1, d, c.len, 4096, &out, why, sizeof why) < 0)
			flipped_ok++;
		else
			printf("# flipping byte %zu went unnoticed\n", i);
	}
	step = 0;
	for (size_t i = 0; i < c.len; i += i < header_len(&c) + 16 ? 1 : 61) {
		out.len = 0;
		step++;
		if (decrypt(&id, 1, c.p, i, 4096, &out, why, sizeof why) < 0)
			cut_ok++;
	}
	ok(flipped_ok == flips, "%zu of %zu flipped bytes refused",
		flipped_ok, flips);
	ok(cut_ok == step, "%zu truncations, each one refused", cut_ok);
	free(d);
	free(p);
	free(c.p);
	free(out.p);
}

/* The age CLI opens what this library wrote, with 1 and 3 recipients. */
static void
test_cli_interop(void)
{
	char dir[] = "/tmp/strongbox-unit-XXXXXX", cmd[1024];
	struct age_identity id[3];
	struct age_recipient r[3];
	int nr;

	if (system("command -v age >/dev/null 2>&1") != 0) {
		printf("# age not installed: skipping the CLI cross-check\n");
		return;
	}
	if (!mkdtemp(dir))
		return;
	for (int k = 0; k < 3; k++) {
		char key[AGE_KEY_STRLEN], *path = xasprintf("%s/id%d", dir, k);
		FILE *f = fopen(path, "w");
		age_identity_generate(&id[k], key);
		memcpy(r[k].pk, id[k].pk, 32);
		fprintf(f, "%s\n", key);
		fclose(f);
		free(path);
	}
	for (nr = 1; nr <= 3; nr += 2) {
		size_t n = 65536 * 2 + 1;
		unsigned char *p = pattern(n);
		struct buf c = {0};
		char *path = xasprintf("%s/f.age", dir);
		FILE *f;

		encrypt(r, (size_t)nr, p, n, 5000, &c);
		f = fopen(path, "wb");
		fwrite(c.p, 1, c.len, f);
		fclose(f);
		free(path);
		path = xasprintf("%s/want", dir);
		f = fopen(path, "wb");
		fwrite(p, 1, n, f);
		fclose(f);
		snprintf(cmd, sizeof cmd, "age -d -i %s/id%d %s/f.age | cmp -s - "
			"%s/want", dir, nr - 1, dir, dir);
		ok(system(cmd) == 0, "age -d opens it (%d recipient%s)", nr,
			nr > 1 ? "s" : "");
		free(path);
		free(p);
		free(c.p);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
}

int
main(int argc, char **argv)
{
	datadir = argc > 1 ? argv[1] : "t/data/age";
	test_bech32();
	test_key_text();
	test_keyfile();
	test_vectors();
	test_round_trips();
	test_damage();
	test_every_byte();
	test_cli_interop();
	return done_testing();
}
