/* pgjson.c: PostgreSQL text values as JSON; see pgjson.h. */
#include "pgjson.h"

#include <string.h>

int
pgjson_supported(unsigned oid)
{
	switch (oid) {
	case PGJSON_BOOL:
	case PGJSON_NAME:
	case PGJSON_INT8:
	case PGJSON_INT2:
	case PGJSON_INT4:
	case PGJSON_TEXT:
	case PGJSON_OID:
	case PGJSON_BPCHAR:
	case PGJSON_VARCHAR:
	case PGJSON_NUMERIC:
		return 1;
	}
	return 0;
}

static int
as_string(struct jsonline *j, const char *key, const char *text,
          const char **why)
{
	if (jsonline_str(j, key, text) == 0)
		return 0;
	*why = "is not valid UTF-8";
	return -1;
}

int
pgjson_add(struct jsonline *j, const char *key, unsigned oid,
           const char *text, enum pgjson_mode mode, const char **why)
{
	*why = NULL;
	if (text == NULL) {
		jsonline_null(j, key);
		return 0;
	}
	switch (oid) {
	case PGJSON_INT8:
	case PGJSON_INT2:
	case PGJSON_INT4:
	case PGJSON_OID:
	case PGJSON_NUMERIC:
		if (jsonline_number(j, key, text) == 0)
			return 0;
		if (mode == PGJSON_LENIENT)
			return as_string(j, key, text, why);
		if (strcmp(text, "NaN") == 0)
			*why = "is NaN";
		else if (strcmp(text, "Infinity") == 0 ||
		         strcmp(text, "-Infinity") == 0)
			*why = "is infinite";
		else
			*why = "is not a number";
		return -1;
	case PGJSON_BOOL:
		if (strcmp(text, "t") == 0 || strcmp(text, "f") == 0) {
			jsonline_bool(j, key, text[0] == 't');
			return 0;
		}
		*why = "is not a boolean";
		return -1;
	case PGJSON_NAME:
	case PGJSON_TEXT:
	case PGJSON_BPCHAR:
	case PGJSON_VARCHAR:
		return as_string(j, key, text, why);
	}
	if (mode == PGJSON_LENIENT)
		return as_string(j, key, text, why);
	*why = "has an unsupported type";
	return -1;
}
