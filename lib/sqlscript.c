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

/*
 * Past the string literal or quoted identifier that opens at s[i] with
 * the quote q: after its closing quote, or n.  A doubled quote stands for
 * one; with esc (an E'...' string) a backslash escapes what follows.
 */
static size_t
skip_quoted(const char *s, size_t n, size_t i, char q, bool esc)
{
	size_t j = i + 1;

	while (j < n) {
		if (esc && s[j] == '\\')
			j += 2;
		else if (s[j] != q)
			j++;
		else if (j + 1 < n && s[j + 1] == q)
			j += 2;
		else
			return j + 1;
	}
	return n;
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
			j = skip_quoted(s, n, i, '\'', esc);
		} else if (c == '"') {
			j = skip_quoted(s, n, i, '"', false);
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

enum sql_object_kind
sqlscript_created_object(const char *stmt, char **schema, char **name)
{
	struct sql_object o;
	enum sql_object_kind kind = sqlscript_object(stmt, &o);

	if (kind != SQL_OBJ_NONE) {
		*schema = o.schema;
		*name = o.name;
		o.schema = o.name = NULL;
		sqlscript_object_free(&o);
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

/* ---- what a CREATE statement creates, with its identity ---- */

static bool
is_punct(const struct tok *t, const char *p)
{
	return t->kind == TOK_PUNCT && strcmp(t->text, p) == 0;
}

static bool
is_name(const struct tok *t)
{
	return t->kind == TOK_WORD || t->kind == TOK_QIDENT;
}

/*
 * The tokens t[a..b) as SQL text the server reads back: words as they
 * are (already folded), quoted identifiers quoted again, punctuation
 * glued, one space between two names ("double precision").
 */
static char *
tokens_text(const struct tok *t, size_t a, size_t b)
{
	struct sbuf out = {0};

	for (size_t i = a; i < b; i++) {
		if (i > a && is_name(&t[i]) && is_name(&t[i - 1]))
			sb_add(&out, " ", 1);
		if (t[i].kind == TOK_QIDENT) {
			sb_add(&out, "\"", 1);
			for (const char *c = t[i].text; *c; c++)
				sb_add(&out, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
			sb_add(&out, "\"", 1);
		} else if (t[i].text != NULL) {
			sb_add(&out, t[i].text, strlen(t[i].text));
		}
	}
	return out.p ? out.p : xstrdup("");
}

static void
add_arg(struct sql_object *o, char *text)
{
	o->args = xreallocarray(o->args, o->nargs + 1, sizeof *o->args);
	o->args[o->nargs++] = text;
}

/* The first words of the SQL type names of more than one word. */
static bool
multiword_type(const struct tok *a, const struct tok *b)
{
	static const char *const first[] = {"double", "character", "char", "bit",
	                                    "timestamp", "time", "national"};
	static const char *const second[] = {"precision", "varying", "with",
	                                     "without", "character"};
	bool f = false, s = false;

	for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
		f = f || is_word(a, first[i]);
	for (size_t i = 0; i < sizeof second / sizeof second[0]; i++)
		s = s || is_word(b, second[i]);
	return f && s;
}

/* One argument t[a..b) of a function: its type, unless it is OUT. */
static void
function_arg(struct sql_object *o, const struct tok *t, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (is_word(&t[i], "default") || is_punct(&t[i], "=")) {
			b = i;
			break;
		}
	if (a < b && (is_word(&t[a], "out")))
		return;
	if (a < b && (is_word(&t[a], "in") || is_word(&t[a], "inout") ||
	              is_word(&t[a], "variadic")))
		a++;
	if (b == a || (b == a + 1 && is_punct(&t[a], "*")))
		return;
	/* pg_dump writes "name type": a name is followed by a type's name. */
	if (b - a >= 2 && is_name(&t[a]) && is_name(&t[a + 1]) &&
	    !multiword_type(&t[a], &t[a + 1]))
		a++;
	add_arg(o, tokens_text(t, a, b));
}

/*
 * The argument list that opens at t[*i] == "(": each argument's type
 * (function_arg), up to the matching ")"; an aggregate's ORDER BY
 * separates arguments too.
 */
static void
function_args(struct sql_object *o, const struct tok *t, size_t n, size_t *i)
{
	size_t depth = 0, start = *i + 1;

	for (size_t k = *i; k < n; k++) {
		if (is_punct(&t[k], "(") || is_punct(&t[k], "[")) {
			depth++;
			continue;
		}
		if (depth == 1 && (is_punct(&t[k], ")") || is_punct(&t[k], ",") ||
		                   (is_word(&t[k], "order") && k + 1 < n &&
		                    is_word(&t[k + 1], "by")))) {
			function_arg(o, t, start, k);
			start = k + (is_word(&t[k], "order") ? 2 : 1);
			if (is_word(&t[k], "order"))
				k++;
		}
		if (is_punct(&t[k], ")") || is_punct(&t[k], "]")) {
			if (--depth == 0) {
				*i = k + 1;
				return;
			}
		}
	}
	*i = n;
}

/* A name at t[*i]: [schema "."] name; false if there is none. */
static bool
qualified_name(struct sql_object *o, const struct tok *t, size_t n, size_t *i,
               bool schema_ok)
{
	if (*i >= n || !is_name(&t[*i]))
		return false;
	if (schema_ok && *i + 2 < n && is_punct(&t[*i + 1], ".") &&
	    is_name(&t[*i + 2])) {
		o->schema = xstrdup(t[*i].text);
		o->name = xstrdup(t[*i + 2].text);
		*i += 3;
	} else {
		o->name = xstrdup(t[*i].text);
		*i += 1;
	}
	return true;
}

/* t[*i] is the "(" of a CREATE OPERATOR: its LEFTARG and RIGHTARG. */
static void
operator_args(struct sql_object *o, const struct tok *t, size_t n, size_t i)
{
	char *left = NULL, *right = NULL;
	size_t depth = 0;

	for (size_t k = i; k < n; k++) {
		if (is_punct(&t[k], "("))
			depth++;
		else if (is_punct(&t[k], ")") && --depth == 0)
			break;
		else if (depth == 1 && (is_word(&t[k], "leftarg") ||
		                        is_word(&t[k], "rightarg")) &&
		         k + 1 < n && is_punct(&t[k + 1], "=")) {
			size_t e = k + 2, d = 0;
			char **slot = is_word(&t[k], "leftarg") ? &left : &right;

			for (; e < n; e++) {
				if (is_punct(&t[e], "(") || is_punct(&t[e], "["))
					d++;
				else if ((is_punct(&t[e], ")") || is_punct(&t[e], "]")) &&
				         d-- == 0)
					break;
				else if (d == 0 && is_punct(&t[e], ","))
					break;
			}
			free(*slot);
			*slot = tokens_text(t, k + 2, e);
			k = e - 1;
		}
	}
	add_arg(o, left ? left : xstrdup(""));
	add_arg(o, right ? right : xstrdup(""));
}

enum sql_object_kind
sqlscript_object(const char *stmt, struct sql_object *o)
{
	size_t n, i = 1;
	struct tok *t = tokenize(stmt, &n);
	enum sql_object_kind kind = SQL_OBJ_NONE;
	bool schema_ok = true;

	memset(o, 0, sizeof *o);
	if (n < 2 || !is_word(&t[0], "create"))
		goto out;
	if (is_word(&t[i], "or") && i + 1 < n && is_word(&t[i + 1], "replace"))
		i += 2;
#define W(k, w) ((k) < n && is_word(&t[k], w))
	if (W(i, "unlogged") || W(i, "trusted") || W(i, "default") ||
	    (W(i, "foreign") && W(i + 1, "table")))
		i++;
	if (W(i, "procedural"))
		i++;
	if (W(i, "schema") || W(i, "extension"))
		kind = is_word(&t[i], "schema") ? SQL_OBJ_SCHEMA : SQL_OBJ_EXTENSION,
		schema_ok = false, i++;
	else if (W(i, "type"))
		kind = SQL_OBJ_TYPE, i++;
	else if (W(i, "domain"))
		kind = SQL_OBJ_DOMAIN, i++;
	else if (W(i, "function") || W(i, "procedure") || W(i, "aggregate"))
		kind = SQL_OBJ_FUNCTION, i++;
	else if (W(i, "table"))
		kind = SQL_OBJ_TABLE, i++;
	else if (W(i, "sequence"))
		kind = SQL_OBJ_SEQUENCE, i++;
	else if (W(i, "view"))
		kind = SQL_OBJ_VIEW, i++;
	else if (W(i, "materialized") && W(i + 1, "view"))
		kind = SQL_OBJ_MATVIEW, i += 2;
	else if (W(i, "operator") && W(i + 1, "class"))
		kind = SQL_OBJ_OPCLASS, i += 2;
	else if (W(i, "operator") && W(i + 1, "family"))
		kind = SQL_OBJ_OPFAMILY, i += 2;
	else if (W(i, "operator"))
		kind = SQL_OBJ_OPERATOR, i++;
	else if (W(i, "cast"))
		kind = SQL_OBJ_CAST, i++;
	else if (W(i, "collation"))
		kind = SQL_OBJ_COLLATION, i++;
	else if (W(i, "conversion"))
		kind = SQL_OBJ_CONVERSION, i++;
	else if (W(i, "text") && W(i + 1, "search") && W(i + 2, "configuration"))
		kind = SQL_OBJ_TS_CONFIG, i += 3;
	else if (W(i, "text") && W(i + 1, "search") && W(i + 2, "dictionary"))
		kind = SQL_OBJ_TS_DICT, i += 3;
	else if (W(i, "text") && W(i + 1, "search") && W(i + 2, "parser"))
		kind = SQL_OBJ_TS_PARSER, i += 3;
	else if (W(i, "text") && W(i + 1, "search") && W(i + 2, "template"))
		kind = SQL_OBJ_TS_TEMPLATE, i += 3;
	else if (W(i, "foreign") && W(i + 1, "data") && W(i + 2, "wrapper"))
		kind = SQL_OBJ_FDW, schema_ok = false, i += 3;
	else if (W(i, "server"))
		kind = SQL_OBJ_SERVER, schema_ok = false, i++;
	if (kind == SQL_OBJ_NONE)
		goto out;
	if (W(i, "if") && W(i + 1, "not") && W(i + 2, "exists"))
		o->if_not_exists = true, i += 3;
#undef W
	switch (kind) {
	case SQL_OBJ_CAST: {
		/* CAST (source AS target) */
		size_t as = 0, end = 0, depth = 0;

		for (size_t k = i; k < n && !end; k++) {
			if (is_punct(&t[k], "("))
				depth++;
			else if (is_punct(&t[k], ")") && --depth == 0)
				end = k;
			else if (depth == 1 && is_word(&t[k], "as") && !as)
				as = k;
		}
		if (!as || !end || !is_punct(&t[i], "(")) {
			kind = SQL_OBJ_NONE;
			goto out;
		}
		o->name = xstrdup("");
		add_arg(o, tokens_text(t, i + 1, as));
		add_arg(o, tokens_text(t, as + 1, end));
		break;
	}
	case SQL_OBJ_OPERATOR: {
		struct sbuf sym = {0};

		if (i + 1 < n && is_name(&t[i]) && is_punct(&t[i + 1], ".")) {
			o->schema = xstrdup(t[i].text);
			i += 2;
		}
		while (i < n && t[i].kind == TOK_PUNCT && !is_punct(&t[i], "("))
			sb_add(&sym, t[i].text, strlen(t[i].text)), i++;
		if (sym.p == NULL || i == n) {
			free(sym.p);
			kind = SQL_OBJ_NONE;
			goto out;
		}
		o->name = sym.p;
		operator_args(o, t, n, i);
		break;
	}
	default:
		if (!qualified_name(o, t, n, &i, schema_ok)) {
			kind = SQL_OBJ_NONE;
			goto out;
		}
		if (kind == SQL_OBJ_FUNCTION && i < n && is_punct(&t[i], "("))
			function_args(o, t, n, &i);
		if (kind == SQL_OBJ_OPCLASS || kind == SQL_OBJ_OPFAMILY)
			for (; i + 1 < n; i++)
				if (is_word(&t[i], "using") && is_name(&t[i + 1])) {
					add_arg(o, xstrdup(t[i + 1].text));
					break;
				}
		break;
	}
	o->kind = kind;
out:
	for (size_t k = 0; k < n; k++)
		free(t[k].text);
	free(t);
	if (kind == SQL_OBJ_NONE)
		sqlscript_object_free(o);
	return kind;
}

void
sqlscript_object_free(struct sql_object *o)
{
	free(o->schema);
	free(o->name);
	for (size_t i = 0; i < o->nargs; i++)
		free(o->args[i]);
	free(o->args);
	memset(o, 0, sizeof *o);
}
