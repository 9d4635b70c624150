/* jsonline.c: one JSON object a line, keys in order; see jsonline.h. */
#include "jsonline.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "monotime.h"
#include "xalloc.h"

static void
put(struct jsonline *j, const char *s, size_t n)
{
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;

		while (j->len + n + 1 > cap)
			cap *= 2;
		j->buf = xreallocarray(j->buf, cap, 1);
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void
puts_(struct jsonline *j, const char *s)
{
	put(j, s, strlen(s));
}

void
jsonline_init(struct jsonline *j)
{
	memset(j, 0, sizeof *j);
	puts_(j, "{");
}

/* Escapes s as a JSON string with jansson, or returns NULL if not UTF-8. */
static char *
escape(const char *s)
{
	json_t *v = json_string(s);
	char *out;

	if (v == NULL)
		return NULL;
	out = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(v);
	if (out == NULL)
		die(EXIT_FAIL, "out of memory writing JSON");
	return out;
}

/* The separator and the key of the next value. */
static void
key_(struct jsonline *j, const char *key)
{
	if (j->nkeys[j->depth]++ > 0)
		puts_(j, ",");
	if (key != NULL) {
		char *k = escape(key);

		/* Keys come from the program or from column names, which the
		 * server sends in the client encoding, UTF-8. */
		puts_(j, k ? k : "\"?\"");
		free(k);
		puts_(j, ":");
	}
}

void
jsonline_raw(struct jsonline *j, const char *key, const char *text)
{
	key_(j, key);
	puts_(j, text);
}

int
jsonline_str(struct jsonline *j, const char *key, const char *s)
{
	char *e = escape(s);

	if (e == NULL)
		return -1;
	key_(j, key);
	puts_(j, e);
	free(e);
	return 0;
}

int
jsonline_number(struct jsonline *j, const char *key, const char *text)
{
	if (!jsonline_is_number(text, strlen(text)))
		return -1;
	jsonline_raw(j, key, text);
	return 0;
}

void
jsonline_int(struct jsonline *j, const char *key, long long v)
{
	char b[32];

	snprintf(b, sizeof b, "%lld", v);
	jsonline_raw(j, key, b);
}

void
jsonline_bool(struct jsonline *j, const char *key, int v)
{
	jsonline_raw(j, key, v ? "true" : "false");
}

void
jsonline_null(struct jsonline *j, const char *key)
{
	jsonline_raw(j, key, "null");
}

void
jsonline_open(struct jsonline *j, const char *key, char bracket)
{
	char b[2] = {bracket, '\0'};

	if (j->depth + 1 >= (int)(sizeof j->nkeys / sizeof j->nkeys[0]))
		die(EXIT_FAIL, "JSON nested too deep");
	key_(j, key);
	puts_(j, b);
	j->nkeys[++j->depth] = 0;
}

void
jsonline_close(struct jsonline *j, char bracket)
{
	char b[2] = {bracket, '\0'};

	if (j->depth > 0)
		j->depth--;
	puts_(j, b);
}

const char *
jsonline_end(struct jsonline *j)
{
	puts_(j, "}");
	return j->buf;
}

void
jsonline_free(struct jsonline *j)
{
	free(j->buf);
	memset(j, 0, sizeof *j);
}

static size_t
digits(const char *s, size_t i, size_t n)
{
	size_t k = i;

	while (k < n && s[k] >= '0' && s[k] <= '9')
		k++;
	return k - i;
}

int
jsonline_is_number(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	d = digits(s, i, n);
	if (d == 0 || (d > 1 && s[i] == '0'))
		return 0;
	i += d;
	if (i < n && s[i] == '.') {
		i++;
		if ((d = digits(s, i, n)) == 0)
			return 0;
		i += d;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if ((d = digits(s, i, n)) == 0)
			return 0;
		i += d;
	}
	return i == n;
}

void
jsonline_put(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT |
	                     JSON_REAL_PRECISION(MONOTIME_JSON_PRECISION));

	if (s == NULL)
		die(EXIT_FAIL, "cannot write the report: out of memory");
	puts(s);
	free(s);
	json_decref(o);
}
