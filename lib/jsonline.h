/*
 * jsonline.h: one JSON object written as one line, keys in the order they
 * are added, for reports that must keep their key order and carry numbers
 * jansson cannot hold (integers past 2^53, numeric digit for digit):
 * smetrics' metrics, health and checks lines.  Strings are escaped by
 * jansson; numbers are written from their text after a check of JSON's
 * number grammar.  And the one writer of a jansson value as a report line
 * (srestore's reports, --check and --list).
 */
#ifndef STRONGBOX_JSONLINE_H
#define STRONGBOX_JSONLINE_H

#include <stddef.h>

#include <jansson.h>

struct jsonline {
	char *buf; /* owned; NUL-terminated */
	size_t len, cap;
	int nkeys[8]; /* keys so far at each nesting depth */
	int depth;
};

/* Starts a line with "{" (no key yet).  Free it with jsonline_free(). */
void jsonline_init(struct jsonline *j);

/*
 * Adds a key (NULL inside an array) and a value.  _raw appends the text
 * as it is (the caller vouches for it: another jsonline, a checked
 * number); _str escapes s with jansson and returns -1 (adding nothing)
 * when s is not valid UTF-8; _number returns -1 (adding nothing) when text
 * is not a JSON number.
 */
void jsonline_raw(struct jsonline *j, const char *key, const char *text);
int jsonline_str(struct jsonline *j, const char *key, const char *s);
int jsonline_number(struct jsonline *j, const char *key, const char *text);
void jsonline_int(struct jsonline *j, const char *key, long long v);
void jsonline_bool(struct jsonline *j, const char *key, int v);
void jsonline_null(struct jsonline *j, const char *key);

/* Opens an array or an object as the value of key (NULL in an array). */
void jsonline_open(struct jsonline *j, const char *key, char bracket);
/* Closes the innermost array or object. */
void jsonline_close(struct jsonline *j, char bracket);

/* Closes the line with "}" and returns its text (owned by j). */
const char *jsonline_end(struct jsonline *j);

void jsonline_free(struct jsonline *j);

/*
 * True when text[0, n) is a number in JSON's grammar:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 */
int jsonline_is_number(const char *text, size_t n);

/*
 * Prints o on stdout as one compact line, reals with
 * MONOTIME_JSON_PRECISION digits (seconds from monotime_ms() print as
 * rounded), and drops the caller's reference to o.  o NULL or out of
 * memory: "cannot write the report: out of memory", exit 1.  Errors in
 * writing show at finish_stdout().
 */
void jsonline_put(json_t *o);

#endif
