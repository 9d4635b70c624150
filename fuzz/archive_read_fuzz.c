/*
 * archive_read_fuzz.c: libFuzzer harness for lib/archive_read.c.  Any
 * input must end in a verified archive or a one-line error, never a crash,
 * a leak or undefined behaviour.  The same input is also split as a SQL
 * script (lib/sqlscript.c), since srestore runs an archive's pre-data
 * before the trailer can vouch for it.  Build and run with `make fuzz`
 * (FUZZ_TIME=seconds); the seed corpus is fuzz/corpus/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <stdlib.h>

#include "archive_read.h"
#include "sqlscript.h"

static int
on_event(void *ctx, const struct archive_reader_event *ev)
{
	size_t *sum = ctx;

	/* Touch what the reader hands out, as srestore would. */
	if (ev->data != NULL && ev->len > 0)
		*sum += (unsigned char)ev->data[0] + (unsigned char)ev->data[ev->len - 1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive_reader *r = archive_reader_new_memory(data, size);
	size_t sum = 0;
	int rc = archive_reader_run(r, false, 0, on_event, &sum);

	if (rc != 0 && strchr(archive_reader_error(r), '\n') != NULL)
		__builtin_trap(); /* errors are one line */
	archive_reader_free(r);

	struct sql_script sc;
	sqlscript_split((const char *)data, size, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		char *schema = NULL, *name = NULL;
		if (sqlscript_created_object(sc.stmts[i].text, &schema, &name) !=
		    SQL_OBJ_NONE) {
			free(schema);
			free(name);
		}
		(void)sqlscript_is_set(sc.stmts[i].text, "transaction_timeout");
	}
	sqlscript_free(&sc);
	return 0;
}
