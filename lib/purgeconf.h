/*
 * purgeconf.h: the purge-tables.conf format of spurge (purge-tables.conf(5)):
 * sections [master], [transactional], [audit] and [keep], then one table a
 * line, "table" or "schema.table", with an optional second word naming the
 * table's date column for --before.  A name may be written as a SQL quoted
 * identifier ("tips ""jar"""); an unquoted one is folded to lower case in
 * its ASCII letters, as PostgreSQL folds unquoted identifiers.  "#" outside
 * quotes starts a comment.  Pure text work: no database.
 */
#ifndef STRONGBOX_PURGECONF_H
#define STRONGBOX_PURGECONF_H

#include <stddef.h>

enum purge_class {
	PURGE_MASTER,        /* kept, unless --class master names it */
	PURGE_TRANSACTIONAL, /* deleted */
	PURGE_AUDIT,         /* deleted unless --keep-audit-logs */
	PURGE_KEEP,          /* never deleted, not even by --all */
	PURGE_NCLASSES
};

struct purgeconf_table {
	char *schema;  /* "public" when the line names none */
	char *name;
	char *datecol; /* NULL when the line names none */
	enum purge_class cls;
	int line;      /* 1-based line of the file */
};

struct purgeconf {
	struct purgeconf_table *tables;
	size_t ntables;
};

/*
 * Parses the text (len bytes, NUL bytes refused) into conf, which the
 * caller frees with purgeconf_free().  file names the text in messages.
 * Returns 0, or -1 with *why set to a malloc'ed one-line message
 * ("FILE:LINE: what is wrong") and conf left empty.  Refused: a table
 * before any section, an unknown section, an unterminated quote, an empty
 * name, more than two words, more than two name parts, a table listed
 * twice.
 */
int purgeconf_parse(const char *text, size_t len, const char *file,
                    struct purgeconf *conf, char **why);

/*
 * Reads and parses the file at path as purgeconf_parse() does.  Returns 0,
 * or -1 with *why set (also when the file cannot be read).
 */
int purgeconf_load(const char *path, struct purgeconf *conf, char **why);

/* Frees what conf holds and empties it. */
void purgeconf_free(struct purgeconf *conf);

/* The class named s ("master", "transactional", "audit", "keep"), or -1. */
int purgeconf_class_from_name(const char *s);

/* The name of a class, as written in a section header. */
const char *purgeconf_class_name(enum purge_class cls);

/*
 * The index of schema.name in conf, or -1.
 */
long purgeconf_find(const struct purgeconf *conf, const char *schema,
                    const char *name);

/*
 * A table's name for messages: "name" when the schema is public, else
 * "schema.name"; each part double-quoted (SQL style, "" for ") when it is
 * not a plain lower-case identifier, and control characters shown as "?"
 * so that a name never breaks a line.  Returns a malloc'ed string.
 */
char *purgeconf_display(const char *schema, const char *name);

#endif
