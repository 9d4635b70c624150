/*
 * prestore.h: srestore -j N, a restore with N server sessions that is
 * still all or nothing.  The archive is restored into a staging database
 * made beside the target NAME (dbswap.h), then swapped in by rename in
 * one transaction:
 *
 *   - pre-data runs in one session, after the reader checked it;
 *   - table data goes to N sessions: the reader's thread reads the
 *     archive once, and this thread hands each table whole to one session
 *     (the one with the least data waiting when its first chunk comes),
 *     which truncates it and loads every chunk in that transaction (COPY
 *     FREEZE; no WAL with wal_level = minimal), committed once no more of
 *     its rows can come; each chunk's row count, as the server reports
 *     it, must match the archive's;
 *   - each session's queue holds PRESTORE_QUEUE bytes in memory (or two
 *     chunks when chunks are larger, up to PRESTORE_QUEUE_MAX); beyond
 *     that the reader reads ahead into the session's unlinked spill file
 *     in TMPDIR (PRESTORE_READ_AHEAD for all sessions, at most half of
 *     its free room; what was read back is given back at once), or waits
 *     when it cannot: memory stays bounded whatever the archive's size;
 *   - the post-data script is held until the trailer verified the whole
 *     archive; then each session, its rows loaded, takes statements from
 *     one pool in the order of postplan.h, each once its tables' rows are
 *     committed, while other sessions may still be loading;
 *   - sequences are set, materialized views refreshed, every table's row
 *     count checked against the archive's; only then the swap.
 *
 * Each session's maintenance_work_mem is the server's setting, raised to
 * shared_buffers / N (at most 256MB) when that is more; work_mem likewise
 * to shared_buffers / 4N (at most 64MB).  Any failure, SIGINT or SIGTERM
 * drops the staging database and leaves NAME as it was.
 */
#ifndef STRONGBOX_PRESTORE_H
#define STRONGBOX_PRESTORE_H

#include <stdbool.h>

#include <jansson.h>

#include "archive_read.h"
#include "restore.h"

#define PRESTORE_QUEUE (8u << 20)
#define PRESTORE_QUEUE_MAX (64u << 20)
#define PRESTORE_READ_AHEAD (1ull << 30) /* at most, on disk, for all sessions */
#define PRESTORE_MAX_JOBS 32

struct prestore_opts {
	const struct restore_opts *ro; /* conninfo, clean, progress, lock_timeout_ms
	                                  (how long to wait for sessions connected
	                                  to NAME) */
	int jobs;                      /* N sessions, 1..PRESTORE_MAX_JOBS */
	bool force_disconnect;         /* then terminate them */
	bool keep_old;                 /* keep the replaced database */
};

/*
 * Restores the archive r as above.  Returns the report (the caller owns
 * it): restore_run()'s fields, plus jobs, staging, per-session phases and
 * the swap.  Dies with one line on any failure (exit 75 when sessions
 * connected to NAME stayed, or the server went away), after dropping the
 * staging database.
 */
json_t *prestore_run(struct archive_reader *r, const struct prestore_opts *o);

#endif
