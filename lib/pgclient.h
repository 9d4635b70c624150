/*
 * pgclient.h: finding PostgreSQL's client programs (pg_dump, pg_restore)
 * for a strongbox tool to run through child.h: the one the environment
 * names, else one whose major version is at least the server's.
 *
 *   STRONGBOX_PG_DUMP     the pg_dump to run (SDUMP_PG_DUMP, its old
 *                         name, is still read)
 *   STRONGBOX_PG_RESTORE  the pg_restore to run
 */
#ifndef STRONGBOX_PGCLIENT_H
#define STRONGBOX_PGCLIENT_H

/*
 * Finds prog ("pg_dump") for a server of version server_num
 * (server_version_num, e.g. 150020): the program its variable names (that
 * one only), else the first in PATH, then /usr/lib/postgresql/<major>/bin
 * from the newest major down, whose major version is at least the
 * server's.  env is the environment the program will run with.  Returns
 * the malloc'ed path and sets *version (malloc'ed, e.g. "15.20"); dies
 * (exit 1) with a clear message when there is none.
 */
char *pgclient_find(const char *prog, int server_num, char **env,
                    char **version);

/*
 * The program to run for prog with no version check: the one its
 * variable names, else prog itself (looked up in PATH).  Static or from
 * the environment: do not free.
 */
const char *pgclient_program(const char *prog);

#endif
