/*
 * snapshot.h: one consistent read of a PostgreSQL database, the engine of
 * sdump.  A REPEATABLE READ, READ ONLY transaction exports its snapshot;
 * the catalog is read in it (the relations, which of them the -t/-T
 * patterns select, the tables' columns and foreign keys, ordered parents
 * first by fklevels); the tables to dump are locked ACCESS SHARE; more
 * connections join the same snapshot; rows come out through COPY TO
 * STDOUT in chunks handed to an archive writer, level by level, big tables
 * in TID ranges over several connections; sequences are read last.
 *
 * This file owns every libpq call of the dump.  Errors print one line and
 * exit (75 when the server went away or is overloaded, else 1), from
 * whichever thread meets them.
 */
#ifndef STRONGBOX_SNAPSHOT_H
#define STRONGBOX_SNAPSHOT_H

#include <stddef.h>

#include <jansson.h>

#include "archive_write.h"

struct snapshot_opts {
	const char *conninfo;      /* -d CONNINFO|URL, or NULL */
	char **include, **exclude; /* table patterns (namepattern.h) */
	size_t ninclude, nexclude;
	int jobs;          /* connections that copy rows, 1 or more */
	size_t chunk_size; /* bytes of COPY data per archive member, at most */
	size_t split_size; /* with jobs > 1: copy bigger tables in parts */
	int data_only;     /* no pg_dump: the caller runs none */
	long lock_timeout_ms; /* --lock-timeout: every lock, pg_dump's too */
};

/* What the server said when the snapshot was taken. */
struct snapshot_info {
	const char *id;             /* pg_export_snapshot() */
	const char *server_version; /* "16.4" */
	int server_num;             /* server_version_num, e.g. 160004 */
	const char *database;
	const char *encoding; /* server_encoding, that of the rows */
};

struct snapshot;

/*
 * Connects to pgconn_source(o->conninfo), starts the snapshot, reads and
 * selects the catalog and refuses a database with large objects (unless o
 * selects tables).  It takes no lock on a table: pg_dump, run next on the
 * snapshot, takes its own and releases them when it ends, before
 * snapshot_lock(), so that no lock of sdump's is held while pg_dump waits
 * for its own (an ALTER TABLE queued between the two would otherwise make
 * a cycle no server sees) and the server's lock table holds one set of
 * locks, not two.  o is borrowed until snapshot_end().  Dies on any
 * failure; a pattern that matches nothing is "no matching tables were
 * found" (exit 1).
 */
struct snapshot *snapshot_begin(const struct snapshot_opts *o);

/*
 * Locks the tables to dump ACCESS SHARE (each within the lock timeout, else
 * exits 75 naming the holder, see pglock.h), then checks that each is
 * still the table the snapshot saw (snapshot_changed()).  Returns 0, or
 * -1 with *changed set to what changed, e.g. "table public.bills was
 * emptied or rewritten" (malloc'ed; the caller ends s and starts afresh).
 */
int snapshot_lock(struct snapshot *s, char **changed);

/*
 * Whether a table to dump changed between the snapshot and now in a way
 * that the snapshot's rows can no longer be read as they were: dropped,
 * or renamed with another table created in its name; emptied or
 * rewritten (TRUNCATE, ALTER TABLE ... TYPE, VACUUM FULL: the snapshot
 * would read its new, empty file); a column dropped or renamed.  Returns
 * what changed in the first such table, as for snapshot_lock(), or NULL.
 * Takes no lock; for a pg_dump that failed on the snapshot, to tell a
 * table dropped meanwhile (start afresh) from a real failure.
 */
char *snapshot_changed(struct snapshot *s);

/*
 * For a pg_dump run on the snapshot whose lock on relation (an SQL name,
 * as pg_dump printed it) outlasted the lock timeout: rolls back, names the
 * sessions holding that table and exits 75 (pglock.h).
 */
_Noreturn void snapshot_die_locked(struct snapshot *s, const char *relation);

/* The server's facts, valid until snapshot_end(). */
const struct snapshot_info *snapshot_info(const struct snapshot *s);

/*
 * The environment a child (pg_dump) runs with to reach the same server:
 * pgconn_child_env() of the main connection; free with pgconn_free_env().
 */
char **snapshot_child_env(const struct snapshot *s);

/*
 * The argv of pg_dump at path for one section ("pre-data", "post-data"):
 * --schema-only on the exported snapshot, no password prompt, and exactly
 * the selected relations as --table/--exclude-table patterns when the
 * options select any.  NULL-terminated, malloc'ed; free with
 * snapshot_free_argv().
 */
char **snapshot_pgdump_argv(const struct snapshot *s, const char *path,
                            const char *section);
void snapshot_free_argv(char **argv);

/*
 * Opens the other o->jobs - 1 connections (no more than there are tables)
 * and joins them to the exported snapshot.
 */
void snapshot_join(struct snapshot *s);

/*
 * The manifest (strongbox-archive(5)) of this dump: created (RFC 3339),
 * the pg_dump version and the hex SHA-256 of the pre-data script (both
 * NULL with data_only) and the compression's canonical name.  A new
 * reference the caller owns.
 */
json_t *snapshot_manifest(const struct snapshot *s, const char *created,
                          const char *pgdump_version,
                          const char *compression,
                          const char *pre_data_sha256);

/*
 * Copies every selected table's rows into w as chunk members, level by
 * level (all of a level before the next), with the rows in the server's
 * encoding.  Each table's rows, bytes, chunks and SHA-256 are kept for
 * snapshot_trailer_tables().
 */
void snapshot_copy(struct snapshot *s, struct archive_writer *w);

/*
 * The sequences member: {"sequences": [{schema, name, last_value,
 * is_called}...]} of the selected sequences, read live (a sequence is not
 * part of a snapshot).  A new reference the caller owns.
 */
json_t *snapshot_sequences(struct snapshot *s);

/*
 * The trailer's "tables": per table dumped its schema, name, rows, bytes,
 * chunks and SHA-256, in manifest order.  After snapshot_copy(); a new
 * reference the caller owns.
 */
json_t *snapshot_trailer_tables(const struct snapshot *s);

/*
 * Progress so far, safe from any thread: tables done of ntables, rows
 * and bytes read.
 */
void snapshot_progress(struct snapshot *s, unsigned *done,
                       size_t *ntables, unsigned long long *rows,
                       unsigned long long *bytes);

/* Commits and closes every connection and frees s. */
void snapshot_end(struct snapshot *s);

#endif
