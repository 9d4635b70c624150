/*
 * sqlscript.h: splitting a plain SQL script as pg_dump writes it (the
 * pre-data and post-data sections of an archive) into statements that
 * libpq can execute one by one.  It owns the lexical rules psql applies:
 * quotes, E'' strings, quoted identifiers, dollar quoting, nested
 * comments, parentheses and CREATE FUNCTION ... BEGIN ATOMIC ... END
 * bodies; psql meta-commands (\restrict, \unrestrict, \connect, ...) are
 * removed since only psql understands them; the data lines that follow a
 * COPY ... FROM stdin statement are kept with it.  Pure string work.
 */
#ifndef STRONGBOX_SQLSCRIPT_H
#define STRONGBOX_SQLSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

struct sql_stmt {
	char *text;      /* the statement, leading comments removed, with ';' */
	char *copy_data; /* COPY ... FROM stdin: its data lines, else NULL */
	size_t copy_len;
};

struct sql_script {
	size_t n;
	struct sql_stmt *stmts;
	size_t meta_removed; /* psql meta-commands dropped */
	char **meta;         /* their lines, in order (meta_removed of them) */
};

/*
 * Splits the len bytes of text into out (zeroed by the call).  Never
 * fails: text that does not parse ends up in a statement the server will
 * refuse.  Free with sqlscript_free().
 */
void sqlscript_split(const char *text, size_t len, struct sql_script *out);

void sqlscript_free(struct sql_script *s);

/* True when stmt is "SET name ..." (case-insensitive) for this setting. */
bool sqlscript_is_set(const char *stmt, const char *name);

/* True when stmt begins with the words of prefix, e.g. "REFRESH MATERIALIZED VIEW". */
bool sqlscript_starts_with(const char *stmt, const char *prefix);

enum sql_object_kind {
	SQL_OBJ_NONE = 0,
	SQL_OBJ_SCHEMA,
	SQL_OBJ_TYPE,
	SQL_OBJ_DOMAIN,
	SQL_OBJ_FUNCTION, /* functions, procedures, aggregates */
	SQL_OBJ_TABLE,
	SQL_OBJ_SEQUENCE,
	SQL_OBJ_VIEW,
	SQL_OBJ_MATVIEW,
	SQL_OBJ_EXTENSION,
	SQL_OBJ_OPERATOR,
	SQL_OBJ_OPCLASS,
	SQL_OBJ_OPFAMILY,
	SQL_OBJ_CAST,
	SQL_OBJ_COLLATION,
	SQL_OBJ_CONVERSION,
	SQL_OBJ_TS_CONFIG,
	SQL_OBJ_TS_DICT,
	SQL_OBJ_TS_PARSER,
	SQL_OBJ_TS_TEMPLATE,
	SQL_OBJ_FDW,
	SQL_OBJ_SERVER
};

/*
 * What a CREATE statement creates: its kind, and its schema (NULL when not
 * qualified, or for a schema or extension) and name, unquoted, malloc'ed
 * (the caller frees).  Returns SQL_OBJ_NONE (and sets nothing) for any
 * other statement.
 */
enum sql_object_kind sqlscript_created_object(const char *stmt, char **schema,
                                              char **name);

/*
 * What a CREATE statement as pg_dump writes it creates, with what tells
 * it from others of the same name:
 *   kind, schema (NULL when not qualified, and for schemas, extensions,
 *   foreign-data wrappers, servers and casts), name (unquoted, folded as
 *   the server folds it; an operator's symbol; "" for a cast);
 *   args: FUNCTION (functions, procedures, aggregates): the types of the
 *     arguments that identify it (IN, INOUT, VARIADIC and an aggregate's
 *     ORDER BY ones; not OUT), written as SQL type names the server can
 *     read (names, modes and defaults removed);
 *     OPERATOR: the left and right argument types ("" when absent);
 *     CAST: the source and target types; OPCLASS, OPFAMILY: the index
 *     access method;
 *   if_not_exists: the statement says IF NOT EXISTS.
 * Returns the kind (SQL_OBJ_NONE, o zeroed, for any other statement).
 * Free o with sqlscript_object_free().
 */
struct sql_object {
	enum sql_object_kind kind;
	char *schema, *name;
	char **args;
	size_t nargs;
	bool if_not_exists;
};
enum sql_object_kind sqlscript_object(const char *stmt, struct sql_object *o);
void sqlscript_object_free(struct sql_object *o);

/* What a statement does with roles (sqlscript_roles()). */
enum sql_role_use {
	SQL_ROLES_NONE = 0,
	SQL_ROLES_OWNER, /* ALTER ... OWNER TO role */
	SQL_ROLES_ACL    /* GRANT, REVOKE, ALTER DEFAULT PRIVILEGES */
};

/*
 * For an ownership statement (ALTER ... OWNER TO role) or a privilege
 * statement (GRANT ... TO, REVOKE ... FROM, ALTER DEFAULT PRIVILEGES FOR
 * ROLE ...), as pg_dump writes them: its kind, and the roles it names
 * (PUBLIC and CURRENT_USER-like words excluded; quoted names as written,
 * unquoted ones folded to lower case) appended to the malloc'ed array
 * *roles of *n malloc'ed strings, which the caller frees.  Any other
 * statement: SQL_ROLES_NONE, nothing appended.
 */
enum sql_role_use sqlscript_roles(const char *stmt, char ***roles, size_t *n);

/* The roles a script names, with how many statements name each. */
struct sqlscript_role_count {
	char **names; /* in the order first met */
	size_t n;
	size_t *owns, *grants; /* statements naming each, per kind */
};

/*
 * Adds the roles the len bytes of script text name (sqlscript_roles() of
 * each statement) to rs, which starts zeroed; free it with
 * sqlscript_role_count_free().
 */
void sqlscript_count_roles(struct sqlscript_role_count *rs, const char *text,
                           size_t len);
void sqlscript_role_count_free(struct sqlscript_role_count *rs);

#endif
