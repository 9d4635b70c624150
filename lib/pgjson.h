/*
 * pgjson.h: a PostgreSQL value, as the server sends it in text format, as a
 * JSON value (smetrics' type mapping).  Pure: it takes the column's type
 * OID and text, and makes no libpq call.
 *
 *   smallint, integer, bigint, oid   JSON integer, the server's digits
 *                                    (exact past 2^53)
 *   numeric                          JSON number, digit for digit;
 *                                    NaN and +-Infinity are errors
 *   boolean                          true / false
 *   text, varchar, char(n), name     JSON string (escaped by jansson)
 *   NULL                             null
 *   anything else                    an error (strict) or its text as a
 *                                    JSON string (lenient)
 */
#ifndef STRONGBOX_PGJSON_H
#define STRONGBOX_PGJSON_H

#include "jsonline.h"

/* Type OIDs of pg_type.dat (stable across PostgreSQL versions). */
enum pgjson_oid {
	PGJSON_BOOL = 16,
	PGJSON_NAME = 19,
	PGJSON_INT8 = 20,
	PGJSON_INT2 = 21,
	PGJSON_INT4 = 23,
	PGJSON_TEXT = 25,
	PGJSON_OID = 26,
	PGJSON_BPCHAR = 1042,
	PGJSON_VARCHAR = 1043,
	PGJSON_DATE = 1082,
	PGJSON_NUMERIC = 1700
};

enum pgjson_mode {
	PGJSON_STRICT, /* another type, NaN or Infinity: an error */
	PGJSON_LENIENT /* then the server's text as a string (samples) */
};

/* True when values of type oid have a JSON form in strict mode. */
int pgjson_supported(unsigned oid);

/*
 * Adds key: the JSON form of text (NULL for SQL NULL) of type oid to j.
 * Returns 0, or -1 with *why set to a static reason ("is NaN", "has an
 * unsupported type", "is not valid UTF-8", "is not a number") and nothing
 * added.  In lenient mode only invalid UTF-8 fails.
 */
int pgjson_add(struct jsonline *j, const char *key, unsigned oid,
               const char *text, enum pgjson_mode mode, const char **why);

#endif
