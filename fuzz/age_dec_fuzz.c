/*
 * age_dec_fuzz.c: libFuzzer harness for lib/age.c's decryption and key
 * parsing.  Any input must decrypt or fail with a one-line error, never
 * crash, leak or hit undefined behaviour; it is fed whole and in odd-sized
 * pieces, and also read as an identity file and a recipients file.  The
 * identity is t/data/age/id1.txt's, so that the seeds in fuzz/age-corpus
 * (made by the age CLI for it) get past the header.  Run with
 * `make fuzz-age` (FUZZ_TIME=seconds).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "age.h"

static int
sink(void *ctx, const void *data, size_t len)
{
	size_t *sum = ctx;

	if (len)
		*sum += ((const unsigned char *)data)[len - 1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct age_identity id;
	static int ready;
	struct age_identity *ids = NULL;
	struct age_recipient *rs = NULL;
	size_t nids = 0, nrs = 0, sum = 0, step;
	char why[256], *text;
	struct age_dec *d;

	if (!ready) {
		if (age_identity_parse("AGE-SECRET-KEY-12WNVMECYF9QJ52G3SMU5H9TV"
			"CUPPUJMT97J4CVS6L0NFZ4NP4EHQ5EDNHA", &id, why,
			sizeof why) < 0)
			abort();
		ready = 1;
	}
	for (int pass = 0; pass < 2; pass++) {
		step = pass == 0 ? (size ? size : 1) : 7 + size % 13;
		d = age_dec_new(&id, 1, sink, &sum);
		for (size_t off = 0; off < size; off += step)
			if (age_dec_update(d, data + off, size - off < step ?
				size - off : step) < 0)
				break;
		(void)age_dec_final(d);
		age_dec_free(d);
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)age_identities_parse_text(text, &ids, &nids, why, sizeof why);
	(void)age_recipients_parse_text(text, &rs, &nrs, why, sizeof why);
	free(ids);
	free(rs);
	free(text);
	return 0;
}
