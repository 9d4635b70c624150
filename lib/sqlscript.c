/* sqlscript.c: splitting pg_dump's SQL into statements; see sqlscript.h. */
#include "sqlscript.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

struct sbuf {
	char *p;
	size_t len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xreallocarray(b->p, cap, 1);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static bool
ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool
ident_cont(unsigned char c)
{
	return ident_start(c) || isdigit(c) || c == '$';
}

/* Skips whitespace and comments from s; returns the first other byte. */
static const char *
skip_space(const char *s)
{
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			int depth = 1;
			s += 2;
			while (*s && depth > 0) {
				if (s[0] == '/' && s[1] == '*')
					depth++, s += 2;
				else if (s[0] == '*' && s[1] == '/')
					depth--, s += 2;
				else
					s++;
			}
		} else {
			return s;
		}
	}
}

bool
sqlscript_starts_with(const char *stmt, const char *prefix)
{
	const char *s = skip_space(stmt);

	for (;;) {
		size_t n;
		while (*prefix == ' ')
			prefix++;
		if (*prefix == '\0')
			return true;
		n = strcspn(prefix, " ");
		if (strncasecmp(s, prefix, n) != 0 || ident_cont((unsigned char)s[n]))
			return false;
		s = skip_space(s + n);
		prefix += n;
	}
}

bool
sqlscript_is_set(const char *stmt, const char *name)
{
	const char *s = skip_space(stmt);
	size_t n = strlen(name);

	if (strncasecmp(s, "set", 3) != 0 || ident_cont((unsigned char)s[3]))
		return false;
	s = skip_space(s + 3);
	if (strncasecmp(s, "session", 7) == 0 && !ident_cont((unsigned char)s[7]))
		s = skip_space(s + 7);
	return strncasecmp(s, name, n) == 0 && !ident_cont((unsigned char)s[n]);
}

static bool
is_copy_from_stdin(const char *stmt)
{
	const char *s = skip_space(stmt), *p;

	if (strncasecmp(s, "copy", 4) != 0 || ident_cont((unsigned char)s[4]))
		return false;
	for (p = s; (p = strcasestr(p, "from")) != NULL; p += 4) {
		const char *q;
		if (p > s && ident_cont((unsigned char)p[-1]))
			continue;
		q = skip_space(p + 4);
		if (strncasecmp(q, "stdin", 5) == 0 &&
		    !ident_cont((unsigned char)q[5]))
			return true;
	}
	return false;
}

struct splitter {
	struct sql_script *out;
	struct sbuf cur;
	size_t cap;
};

/* Ends the statement in sp->cur; returns it, or NULL if it was empty. */
static struct sql_stmt *
finish(struct splitter *sp)
{
	const char *t;
	struct sql_stmt *st;

	if (sp->cur.len == 0)
		return NULL;
	t = skip_space(sp->cur.p);
	if (*t == '\0') {
		sp->cur.len = 0;
		return NULL;
	}
	if (sp->out->n == sp->cap) {
		sp->cap = sp->cap ? 2 * sp->cap : 64;
		sp->out->stmts = xreallocarray(sp->out->stmts, sp->cap,
		                               sizeof *sp->out->stmts);
	}
	st = &sp->out->stmts[sp->out->n++];
	st->text = xstrdup(t);
	st->copy_data = NULL;
	st->copy_len = 0;
	sp->cur.len = 0;
	return st;
}

void
sqlscript_split(const char *s, size_t n, struct sql_script *out)
{
	struct splitter sp = {.out = out};
	int paren = 0, begin = 0, nwords = 0;
	char words[4] = {0};
	size_t i = 0;

	memset(out, 0, sizeof *out);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t j;

		if (c == '-' && i + 1 < n && s[i + 1] == '-') {
			for (j = i; j < n && s[j] != '\n'; j++)
				;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			int depth = 1;
			for (j = i + 2; j < n && depth > 0;) {
				if (j + 1 < n && s[j] == '/' && s[j + 1] == '*')
					depth++, j += 2;
				else if (j + 1 < n && s[j] == '*' && s[j + 1] == '/')
					depth--, j += 2;
				else
					j++;
			}
		} else if (c == '\'') {
			bool esc = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
			           (i < 2 || !ident_cont((unsigned char)s[i - 2]));
			for (j = i + 1; j < n;) {
				if (esc && s[j] == '\\')
					j += 2;
				else if (s[j] == '\'') {
					if (j + 1 < n && s[j + 1] == '\'')
						j += 2;
					else {
						j++;
						break;
					}
				} else
					j++;
			}
			if (j > n)
				j = n;
		} else if (c == '"') {
			for (j = i + 1; j < n;) {
				if (s[j] == '"') {
					if (j + 1 < n && s[j + 1] == '"')
						j += 2;
					else {
						j++;
						break;
					}
				} else
					j++;
			}
		} else if (c == '$' && (i == 0 || !ident_cont((unsigned char)s[i - 1])) &&
		           i + 1 < n && (s[i + 1] == '$' ||
		                         ident_start((unsigned char)s[i + 1]))) {
			size_t k = i + 1;
			while (k < n && s[k] != '$' && ident_cont((unsigned char)s[k]))
				k++;
			if (k < n && s[k] == '$') {
				size_t taglen = k + 1 - i;
				const char *end = memmem(s + k + 1, n - (k + 1), s + i, taglen);
				j = end ? (size_t)(end - s) + taglen : n;
			} else {
				j = i + 1; /* a '$' in something else */
			}
		} else if (c == '\\') {
			/* A psql meta-command: up to the end of the line. */
			for (j = i; j < n && s[j] != '\n'; j++)
				;
			/* Capacity doubles at each power of two. */
			if ((out->meta_removed & (out->meta_removed - 1)) == 0)
				out->meta = xreallocarray(out->meta,
				                          out->meta_removed ?
				                          2 * out->meta_removed : 1,
				                          sizeof *out->meta);
			out->meta[out->meta_removed] = xstrndup(s + i, j - i);
			out->meta_removed++;
			i = j;
			continue;
		} else if (ident_start(c)) {
			for (j = i + 1; j < n && ident_cont((unsigned char)s[j]); j++)
				;
			/* psql's heuristic for CREATE FUNCTION ... BEGIN ATOMIC. */
			{
				size_t wl = j - i;
				const char *w = s + i;
				bool key = (wl == 6 && !strncasecmp(w, "create", 6)) ||
				           (wl == 8 && !strncasecmp(w, "function", 8)) ||
				           (wl == 9 && !strncasecmp(w, "procedure", 9)) ||
				           (wl == 2 && !strncasecmp(w, "or", 2)) ||
				           (wl == 7 && !strncasecmp(w, "replace", 7));
				if (nwords < 4 && key)
					words[nwords] = (char)tolower((unsigned char)w[0]);
				nwords++;
				if (words[0] == 'c' &&
				    (words[1] == 'f' || words[1] == 'p' ||
				     (words[1] == 'o' && words[2] == 'r' &&
				      (words[3] == 'f' || words[3] == 'p'))) &&
				    paren == 0) {
					if (wl == 5 && !strncasecmp(w, "begin", 5))
						begin++;
					else if (wl == 4 && !strncasecmp(w, "case", 4)) {
						if (begin >= 1)
							begin++;
					} else if (wl == 3 && !strncasecmp(w, "end", 3)) {
						if (begin > 0)
							begin--;
					}
				}
			}
		} else {
			j = i + 1;
			if (c == '(')
				paren++;
			else if (c == ')' && paren > 0)
				paren--;
			else if (c == ';' && paren == 0 && begin == 0) {
				struct sql_stmt *st;
				sb_add(&sp.cur, s + i, 1);
				i = j;
				nwords = 0;
				memset(words, 0, sizeof words);
				st = finish(&sp);
				if (st != NULL && is_copy_from_stdin(st->text)) {
					size_t start, k;
					/* Data starts on the next line, ends at "\.". */
					while (i < n && s[i] != '\n')
						i++;
					if (i < n)
						i++;
					start = i;
					for (k = i; k < n;) {
						size_t e = k;
						while (e < n && s[e] != '\n')
							e++;
						if (e - k >= 2 && s[k] == '\\' && s[k + 1] == '.' &&
						    (e - k == 2 || (e - k == 3 && s[k + 2] == '\r'))) {
							st->copy_len = k - start;
							st->copy_data = xstrndup(s + start, k - start);
							k = e < n ? e + 1 : n;
							break;
						}
						k = e < n ? e + 1 : n;
					}
					if (st->copy_data == NULL) {
						st->copy_len = n - start;
						st->copy_data = xstrndup(s + start, n - start);
					}
					i = k;
				}
				continue;
			}
		}
		if (j > n)
			j = n;
		sb_add(&sp.cur, s + i, j - i);
		i = j;
	}
	finish(&sp);
	free(sp.cur.p);
}

void
sqlscript_free(struct sql_script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->stmts[i].text);
		free(s->stmts[i].copy_data);
	}
	free(s->stmts);
	for (size_t i = 0; i < s->meta_removed; i++)
		free(s->meta[i]);
	free(s->meta);
	memset(s, 0, sizeof *s);
}

/* Reads a word or a quoted identifier at *sp; NULL if there is none. */
static char *
read_ident(const char **sp)
{
	const char *s = skip_space(*sp);
	struct sbuf b = {0};

	if (*s == '"') {
		s++;
		for (;;) {
			if (*s == '\0') {
				free(b.p);
				return NULL;
			}
			if (*s == '"') {
				if (s[1] != '"')
					break;
				s++;
			}
			sb_add(&b, s, 1);
			s++;
		}
		s++;
	} else if (ident_start((unsigned char)*s)) {
		const char *e = s;
		while (ident_cont((unsigned char)*e))
			e++;
		sb_add(&b, s, e - s);
		/* Unquoted identifiers fold to lower case. */
		for (size_t k = 0; k < b.len; k++)
			b.p[k] = (char)tolower((unsigned char)b.p[k]);
		s = e;
	} else {
		return NULL;
	}
	if (b.p == NULL)
		b.p = xstrdup("");
	*sp = s;
	return b.p;
}

static bool
eat(const char **sp, const char *word)
{
	const char *s = skip_space(*sp);
	size_t n = strlen(word);

	if (strncasecmp(s, word, n) != 0 || ident_cont((unsigned char)s[n]))
		return false;
	*sp = s + n;
	return true;
}

enum sql_object_kind
sqlscript_created_object(const char *stmt, char **schema, char **name)
{
	const char *s = stmt;
	enum sql_object_kind kind;
	char *a, *b = NULL;

	if (!eat(&s, "create"))
		return SQL_OBJ_NONE;
	if (eat(&s, "or"))
		if (!eat(&s, "replace"))
			return SQL_OBJ_NONE;
	(void)(eat(&s, "unlogged") || eat(&s, "foreign") || eat(&s, "trusted"));
	if (eat(&s, "schema"))
		kind = SQL_OBJ_SCHEMA;
	else if (eat(&s, "extension"))
		kind = SQL_OBJ_EXTENSION;
	else if (eat(&s, "type"))
		kind = SQL_OBJ_TYPE;
	else if (eat(&s, "domain"))
		kind = SQL_OBJ_DOMAIN;
	else if (eat(&s, "function") || eat(&s, "procedure") || eat(&s, "aggregate"))
		kind = SQL_OBJ_FUNCTION;
	else if (eat(&s, "table"))
		kind = SQL_OBJ_TABLE;
	else if (eat(&s, "sequence"))
		kind = SQL_OBJ_SEQUENCE;
	else if (eat(&s, "view"))
		kind = SQL_OBJ_VIEW;
	else if (eat(&s, "materialized")) {
		if (!eat(&s, "view"))
			return SQL_OBJ_NONE;
		kind = SQL_OBJ_MATVIEW;
	} else
		return SQL_OBJ_NONE;
	if (eat(&s, "if")) {
		if (!eat(&s, "not") || !eat(&s, "exists"))
			return SQL_OBJ_NONE;
	}
	if ((a = read_ident(&s)) == NULL)
		return SQL_OBJ_NONE;
	if (kind != SQL_OBJ_SCHEMA && kind != SQL_OBJ_EXTENSION &&
	    *skip_space(s) == '.') {
		s = skip_space(s) + 1;
		if ((b = read_ident(&s)) == NULL) {
			free(a);
			return SQL_OBJ_NONE;
		}
	}
	if (b != NULL) {
		*schema = a;
		*name = b;
	} else {
		*schema = NULL;
		*name = a;
	}
	return kind;
}

/* ---- roles named by ownership and privilege statements ---- */

enum tok_kind { TOK_WORD, TOK_QIDENT, TOK_STRING, TOK_PUNCT };

struct tok {
	enum tok_kind kind;
	char *text; /* WORD: lower case; QIDENT: unquoted; PUNCT: the char */
};

/* The top-level tokens of stmt; *n of them, malloc'ed. */
static struct tok *
tokenize(const char *stmt, size_t *n)
{
	struct tok *t = NULL;
	size_t cap = 0;
	const char *p = stmt;

	*n = 0;
	while (*p) {
		struct tok k = {TOK_PUNCT, NULL};

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			continue;
		}
		if (*p == '"') {
			size_t len = 0;
			char *out = xmalloc(strlen(p) + 1);

			p++;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				out[len++] = *p++;
			}
			if (*p)
				p++;
			out[len] = '\0';
			k.kind = TOK_QIDENT;
			k.text = out;
		} else if (*p == '\'' || ((*p == 'E' || *p == 'e') && p[1] == '\'')) {
			bool esc = *p != '\'';

			p += esc ? 2 : 1;
			while (*p && !(*p == '\'' && p[1] != '\'')) {
				if (*p == '\'' || (esc && *p == '\\' && p[1]))
					p++;
				p++;
			}
			if (*p)
				p++;
			k.kind = TOK_STRING;
		} else if (*p == '$' && (p[1] == '$' || isalpha((unsigned char)p[1]) ||
		                         p[1] == '_')) {
			size_t tl = 1 + strspn(p + 1, "abcdefghijklmnopqrstuvwxyz"
			                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
			if (p[tl] == '$') {
				char *tag = xstrndup(p, tl + 1);
				const char *e = strstr(p + tl + 1, tag);

				p = e ? e + tl + 1 : p + strlen(p);
				free(tag);
				k.kind = TOK_STRING;
			} else {
				k.text = xstrndup(p++, 1);
			}
		} else if (isalpha((unsigned char)*p) || *p == '_' ||
		           (unsigned char)*p >= 0x80) {
			size_t len = 0;

			while (ident_cont((unsigned char)p[len]) ||
			       (unsigned char)p[len] >= 0x80)
				len++;
			k.kind = TOK_WORD;
			k.text = xstrndup(p, len);
			for (char *c = k.text; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			p += len;
		} else {
			k.text = xstrndup(p++, 1);
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			t = xreallocarray(t, cap, sizeof *t);
		}
		t[(*n)++] = k;
	}
	return t;
}

static bool
is_word(const struct tok *t, const char *w)
{
	return t->kind == TOK_WORD && strcmp(t->text, w) == 0;
}

/* Appends the role at t (a name, not PUBLIC or a CURRENT_ROLE word). */
static void
add_role(const struct tok *t, char ***roles, size_t *n)
{
	static const char *const not_roles[] = {
		"public", "current_role", "current_user", "session_user", "group"};

	if (t->kind == TOK_WORD) {
		for (size_t i = 0; i < sizeof not_roles / sizeof not_roles[0]; i++)
			if (strcmp(t->text, not_roles[i]) == 0)
				return;
	} else if (t->kind != TOK_QIDENT) {
		return;
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*roles)[i], t->text) == 0)
			return;
	*roles = xreallocarray(*roles, *n + 1, sizeof **roles);
	(*roles)[(*n)++] = xstrdup(t->text);
}

/* The role list from t[i]: "a, b" up to WITH, GRANTED, CASCADE, ';'. */
static void
add_role_list(const struct tok *t, size_t i, size_t n, char ***roles,
              size_t *nroles)
{
	for (; i < n; i++) {
		if (t[i].kind == TOK_PUNCT && strcmp(t[i].text, ",") == 0)
			continue;
		if (t[i].kind == TOK_PUNCT || is_word(&t[i], "with") ||
		    is_word(&t[i], "granted") || is_word(&t[i], "cascade") ||
		    is_word(&t[i], "restrict"))
			break;
		if (is_word(&t[i], "group") && i + 1 < n)
			continue;
		add_role(&t[i], roles, nroles);
	}
}

enum sql_role_use
sqlscript_roles(const char *stmt, char ***roles, size_t *nroles)
{
	size_t n;
	struct tok *t = tokenize(stmt, &n);
	enum sql_role_use use = SQL_ROLES_NONE;
	size_t start = 0;

	if (n >= 4 && is_word(&t[0], "alter") && is_word(&t[1], "default") &&
	    is_word(&t[2], "privileges")) {
		use = SQL_ROLES_ACL;
		start = 3;
		if (n > 5 && is_word(&t[3], "for") &&
		    (is_word(&t[4], "role") || is_word(&t[4], "user"))) {
			size_t i = 5;

			while (i < n && !is_word(&t[i], "in") &&
			       !is_word(&t[i], "grant") && !is_word(&t[i], "revoke")) {
				add_role(&t[i], roles, nroles);
				i++;
				if (i < n && t[i].kind == TOK_PUNCT &&
				    strcmp(t[i].text, ",") == 0)
					i++;
			}
			start = i;
		}
		while (start < n && !is_word(&t[start], "grant") &&
		       !is_word(&t[start], "revoke"))
			start++;
	}
	if (start < n && (is_word(&t[start], "grant") ||
	                  is_word(&t[start], "revoke"))) {
		bool grant = is_word(&t[start], "grant");

		use = SQL_ROLES_ACL;
		/* The last TO (GRANT) or FROM (REVOKE) at the top level. */
		for (size_t i = n; i-- > start;)
			if (is_word(&t[i], grant ? "to" : "from")) {
				add_role_list(t, i + 1, n, roles, nroles);
				break;
			}
	} else if (use == SQL_ROLES_NONE && n >= 4 && is_word(&t[0], "alter")) {
		for (size_t i = n - 1; i-- > 1;)
			if (is_word(&t[i - 1], "owner") && is_word(&t[i], "to") &&
			    i + 1 < n &&
			    (i + 2 == n || (t[i + 2].kind == TOK_PUNCT &&
			                    strcmp(t[i + 2].text, ";") == 0))) {
				use = SQL_ROLES_OWNER;
				add_role(&t[i + 1], roles, nroles);
				break;
			}
	}
	for (size_t i = 0; i < n; i++)
		free(t[i].text);
	free(t);
	return use;
}

void
sqlscript_count_roles(struct sqlscript_role_count *rs, const char *text,
                      size_t len)
{
	struct sql_script sc;

	sqlscript_split(text, len, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		char **names = NULL;
		size_t n = 0;
		enum sql_role_use use = sqlscript_roles(sc.stmts[i].text, &names, &n);

		for (size_t k = 0; k < n; k++) {
			size_t j;

			for (j = 0; j < rs->n && strcmp(rs->names[j], names[k]); j++)
				;
			if (j == rs->n) {
				rs->names = xreallocarray(rs->names, rs->n + 1,
				                          sizeof *rs->names);
				rs->owns = xreallocarray(rs->owns, rs->n + 1,
				                         sizeof *rs->owns);
				rs->grants = xreallocarray(rs->grants, rs->n + 1,
				                           sizeof *rs->grants);
				rs->names[j] = names[k];
				rs->owns[j] = rs->grants[j] = 0;
				rs->n++;
			} else {
				free(names[k]);
			}
			if (use == SQL_ROLES_OWNER)
				rs->owns[j]++;
			else
				rs->grants[j]++;
		}
		free(names);
	}
	sqlscript_free(&sc);
}

void
sqlscript_role_count_free(struct sqlscript_role_count *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->names[i]);
	free(rs->names);
	free(rs->owns);
	free(rs->grants);
	memset(rs, 0, sizeof *rs);
}
