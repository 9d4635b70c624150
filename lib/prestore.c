/* prestore.c: srestore -j, N sessions into a staging database; see prestore.h. */
#include "prestore.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cancel.h"
#include "dbswap.h"
#include "err.h"
#include "monotime.h"
#include "manifest.h"
#include "pgconn.h"
#include "preobjects.h"
#include "postplan.h"
#include "sqlscript.h"
#include "tmpname.h"
#include "xalloc.h"

/* What each session spent its time on, for the report. */
enum busy { B_PRE, B_DATA, B_POST /* + postplan phase */ = 2,
	B_SEQ = B_POST + POSTPLAN_NPHASES, B_REFRESH, B_N };
static const char *busy_name[B_N] = {
	"pre_data", "data", "post_data_settings", "indexes", "constraints",
	"index_attach", "foreign_keys", "post_data_other", "sequences", "refresh",
};

enum { Q_BEGIN, Q_DATA, Q_END };

struct qitem {
	struct qitem *next;
	int kind;
	size_t table;
	uint64_t chunk, rows;
	size_t len;
	off_t off;    /* spilled: where in the session's spill file */
	bool spilled; /* the data is in the spill file, not in data[] */
	char data[];
};

struct prestore;

struct session {
	struct prestore *ps;
	int id;
	PGconn *conn;
	PGcancel *cancel;
	pthread_t th;
	bool running;
	pthread_cond_t cv;
	struct qitem *head, *tail;
	size_t queued;      /* bytes queued in memory */
	uint64_t backlog;   /* bytes queued in all, spilled included */
	bool closed;
	uint64_t chunks, rows, bytes;
	size_t statements;
	double busy[B_N];
	/* The COPY open on this session: its table, first chunk, rows so far. */
	long copying;
	uint64_t copy_first, copy_last, copy_rows;
	/*
	 * The session's open transaction and the tables it truncated, whose
	 * COPY may FREEZE; committed once no more of their rows can come.
	 */
	bool in_txn;
	size_t *txn_tables, ntxn;
	/* The spill file: what the reader read ahead of this session. */
	int spill_fd;
	off_t spill_end;
	size_t spilled;     /* items in the spill file not read back yet */
	uint64_t spilled_bytes; /* written to it in all */
	uint64_t unpunched; /* read back, but still taking room in the file */
	char *buf;          /* one spilled item, read back */
	size_t bufcap;
};

/* One post-data statement. */
struct work {
	const char *text;
	char *table, *ref; /* lock keys, or NULL */
	char *owner;       /* an index's table, or NULL */
	long owner_id, ref_id; /* ids of owner (or table) and ref, or -1 */
	uint64_t size;     /* its table's size: the largest go first */
	enum postplan_phase phase;
	bool taken;
};

struct prestore {
	const struct prestore_opts *o;
	struct archive_reader *r;
	const struct manifest *m;
	struct dbswap db;
	int n;
	struct session *s;
	pthread_mutex_t mu;
	pthread_cond_t space; /* a queue drained, or a statement ended */
	size_t qcap;
	uint64_t *loaded;     /* rows the server took, per table */
	bool abort;
	char *error;
	int code;
	struct session *cur;  /* the session of the chunk being read */
	int *owner;           /* per table: the session loading it, or -1 */
	bool *closed;         /* per table: no more of its chunks can come */
	bool *done;           /* per table: its rows are committed */
	long reading;         /* the table of the chunk being read, or -1 */
	int data_left;        /* sessions still loading */
	uint64_t spill_max, spill_total, spill_peak; /* read ahead on disk: bound, in use, most */
	bool spill_off;       /* no (more) spilling: wait instead */
	bool threads;
	char *post;           /* held until the trailer */
	size_t post_len;
	bool have_post;
	struct sql_script script;
	struct work *work;
	size_t nwork;
	char **names;         /* the post-data's table names, sorted: ids */
	size_t nnames;
	size_t *pending_index; /* per table id: indexes not yet built */
	size_t *pending_keys;  /* per table id: indexes and constraints not yet made */
	size_t pending_keys_all, pending_unowned, pending_attach;
	size_t attach_next;   /* the next attachment, in the script's order */
	bool attach_running;
	struct work **running; /* per session: its statement, or NULL */
	long *name_table;     /* per table id: the archive's table, or -1 */
	bool post_ready, post_none; /* the pool may start; or there is none */
	size_t count[POSTPLAN_NPHASES]; /* statements of each phase */
	double post_first, t_data_end;
	double phase_first[POSTPLAN_NPHASES], phase_last[POSTPLAN_NPHASES];
	long mwm_kb, wm_kb;
	double t_start, t_connect, t_pre, t_data, t_seq, t_post, t_refresh, t_swap,
		t_phase[POSTPLAN_NPHASES], phase_start, last_progress;
	uint64_t rows, bytes;
};

static void
progress(struct prestore *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
progress(struct prestore *ps, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (!ps->o->ro->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", err_progname(), buf);
}

/* Records the first failure and stops every session; takes the lock. */
static void
fail(struct prestore *ps, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail(struct prestore *ps, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ps->mu);
	if (ps->error == NULL) {
		ps->error = msg;
		ps->code = code;
		msg = NULL;
	}
	ps->abort = true;
	for (int i = 0; i < ps->n; i++)
		pthread_cond_broadcast(&ps->s[i].cv);
	pthread_cond_broadcast(&ps->space);
	pthread_mutex_unlock(&ps->mu);
	free(msg);
}

static bool
aborted(struct prestore *ps)
{
	bool a;

	pthread_mutex_lock(&ps->mu);
	a = ps->abort;
	pthread_mutex_unlock(&ps->mu);
	return a;
}

/* The server's error for a session, one line; malloc'ed (thread-safe). */
static char *
session_error(PGconn *conn, const PGresult *res)
{
	char *msg;

	if (res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY))
		return pgconn_result_error(res);
	msg = xstrdup(PQerrorMessage(conn));
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = *(p + 1) ? ' ' : '\0';
	return msg;
}

static void
fail_session(struct session *s, PGresult *res, const struct manifest_table *t,
             uint64_t chunk)
{
	char *msg = session_error(s->conn, res);
	int code = pgconn_is_transient(s->conn, res) ? EXIT_TEMPFAIL : EXIT_FAIL;

	fail(s->ps, code, "session %d: cannot load table %s.%s (chunk %06" PRIu64 "): %s",
	     s->id + 1, t->schema, t->name, chunk, msg);
	free(msg);
}

/* ---- table data: one COPY per chunk ---- */

static bool wait_space(struct prestore *ps);

/* Where the sessions' spill files go: TMPDIR, or /tmp. */
static const char *
spill_dir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

/* Ends the COPY open on s, if any: the server's count must be the archive's. */
static int
end_copy(struct session *s)
{
	struct prestore *ps = s->ps;
	const struct manifest_table *t;
	PGresult *res;
	uint64_t got;

	if (s->copying < 0)
		return 0;
	t = &ps->m->tables[s->copying];
	if (PQputCopyEnd(s->conn, NULL) != 1) {
		fail_session(s, NULL, t, s->copy_last);
		return 1;
	}
	res = PQgetResult(s->conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail_session(s, res, t, s->copy_last);
		PQclear(res);
		while ((res = PQgetResult(s->conn)) != NULL)
			PQclear(res);
		return 1;
	}
	got = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	while ((res = PQgetResult(s->conn)) != NULL)
		PQclear(res);
	if (got != s->copy_rows) {
		fail(ps, EXIT_FAIL, "table %s.%s, chunks %06" PRIu64 " to %06" PRIu64
		     ": the server loaded %" PRIu64 " rows, the archive holds %" PRIu64,
		     t->schema, t->name, s->copy_first, s->copy_last, got, s->copy_rows);
		return 1;
	}
	s->rows += got;
	pthread_mutex_lock(&ps->mu);
	ps->loaded[s->copying] += got;
	pthread_mutex_unlock(&ps->mu);
	s->copying = -1;
	return 0;
}

/* Can no more rows come for the tables s truncated?  With the lock held. */
static bool
txn_closed(const struct session *s)
{
	for (size_t i = 0; i < s->ntxn; i++)
		if (!s->ps->closed[s->txn_tables[i]])
			return false;
	return true;
}

/*
 * Commits s's transaction once no more rows can come for the tables it
 * truncated (or always, with force: the session's data is over), so that
 * their post-data may start on any session.
 */
static int
commit_loaded(struct session *s, bool force)
{
	struct prestore *ps = s->ps;
	PGresult *res;
	bool closed;

	if (!s->in_txn)
		return 0;
	pthread_mutex_lock(&ps->mu);
	closed = force || txn_closed(s);
	pthread_mutex_unlock(&ps->mu);
	if (!closed)
		return 0;
	if (end_copy(s))
		return 1;
	res = PQexec(s->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char *msg = session_error(s->conn, res);
		fail(ps, pgconn_is_transient(s->conn, res) ? EXIT_TEMPFAIL : EXIT_FAIL,
		     "session %d: cannot commit the tables it loaded: %s", s->id + 1, msg);
		free(msg);
		PQclear(res);
		return 1;
	}
	PQclear(res);
	s->in_txn = false;
	pthread_mutex_lock(&ps->mu);
	for (size_t i = 0; i < s->ntxn; i++)
		ps->done[s->txn_tables[i]] = true;
	s->ntxn = 0;
	pthread_cond_broadcast(&ps->space);
	pthread_mutex_unlock(&ps->mu);
	return 0;
}

static bool
in_txn_tables(const struct session *s, size_t table)
{
	for (size_t i = 0; i < s->ntxn; i++)
		if (s->txn_tables[i] == table)
			return true;
	return false;
}

/*
 * One item for session s.  A table is loaded by one session only, in one
 * transaction that truncated it first, so that COPY FREEZE applies to
 * every row (and, with wal_level = minimal, no row is WAL-logged); its
 * consecutive chunks share a COPY, so that rows land in the archive's
 * order.
 */
static int
load_item(struct session *s, struct qitem *it)
{
	struct prestore *ps = s->ps;
	const struct manifest_table *t = &ps->m->tables[it->table];
	PGresult *res;

	switch (it->kind) {
	case Q_BEGIN: {
		char *sql;
		bool freeze;
		if (s->copying == (long)it->table) {
			s->copy_last = it->chunk;
			return 0;
		}
		if (end_copy(s) || commit_loaded(s, false))
			return 1;
		if (!s->in_txn) {
			res = PQexec(s->conn, "BEGIN");
			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				fail_session(s, res, t, it->chunk);
				PQclear(res);
				return 1;
			}
			PQclear(res);
			s->in_txn = true;
		}
		pthread_mutex_lock(&ps->mu);
		freeze = !ps->done[it->table];
		pthread_mutex_unlock(&ps->mu);
		if (freeze && !in_txn_tables(s, it->table)) {
			/* Empty already: truncated for COPY FREEZE's sake. */
			char *q = pgconn_quote_qualified(t->schema, t->name);
			char *tq = xasprintf("TRUNCATE TABLE ONLY %s", q);
			free(q);
			res = PQexec(s->conn, tq);
			free(tq);
			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				fail_session(s, res, t, it->chunk);
				PQclear(res);
				return 1;
			}
			PQclear(res);
			s->txn_tables = xreallocarray(s->txn_tables, s->ntxn + 1,
			                              sizeof *s->txn_tables);
			s->txn_tables[s->ntxn++] = it->table;
		}
		sql = restore_copy_statement(t, freeze);
		res = PQexec(s->conn, sql);
		free(sql);
		if (PQresultStatus(res) != PGRES_COPY_IN) {
			fail_session(s, res, t, it->chunk);
			PQclear(res);
			return 1;
		}
		PQclear(res);
		s->copying = (long)it->table;
		s->copy_first = s->copy_last = it->chunk;
		s->copy_rows = 0;
		return 0;
	}
	case Q_DATA: {
		const char *data = it->data;
		bool punched;
		if (it->spilled) {
			ssize_t got;
			if (s->bufcap < it->len) {
				free(s->buf);
				s->buf = xmalloc(it->len);
				s->bufcap = it->len;
			}
			got = pread(s->spill_fd, s->buf, it->len, it->off);
			if (got != (ssize_t)it->len) {
				fail(ps, EXIT_FAIL, "cannot read back the archive's data read "
				     "ahead into %s: %s", spill_dir(),
				     got < 0 ? strerror(errno) : "short read");
				return 1;
			}
			data = s->buf;
			/*
			 * Read back: its room goes back to the file system at once;
			 * where holes cannot be punched (vfat), it counts as in use
			 * until the file starts over.
			 */
			punched = fallocate(s->spill_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			                    it->off, (off_t)it->len) == 0;
			pthread_mutex_lock(&ps->mu);
			s->spilled--;
			if (punched)
				ps->spill_total -= it->len;
			else
				s->unpunched += it->len;
			pthread_mutex_unlock(&ps->mu);
		}
		if (PQputCopyData(s->conn, data, (int)it->len) != 1) {
			fail_session(s, NULL, t, it->chunk);
			return 1;
		}
		s->bytes += it->len;
		return 0;
	}
	default:
		s->copy_rows += it->rows;
		s->chunks++;
		return 0;
	}
}

/* The session's data: its queue, until closed and drained. */
static int
session_data(struct session *s)
{
	struct prestore *ps = s->ps;
	int rc = 0;

	pthread_mutex_lock(&ps->mu);
	for (;;) {
		struct qitem *it;
		double t0;

		while (s->head == NULL && !s->closed && !ps->abort) {
			/* Idle with a table whose last rows came: commit it now. */
			if (s->in_txn && s->copying >= 0 && txn_closed(s)) {
				pthread_mutex_unlock(&ps->mu);
				t0 = monotime_now();
				rc = commit_loaded(s, false);
				s->busy[B_DATA] += monotime_now() - t0;
				pthread_mutex_lock(&ps->mu);
				if (rc)
					break;
				continue;
			}
			pthread_cond_wait(&s->cv, &ps->mu);
		}
		if (rc || ps->abort) {
			rc = 1;
			break;
		}
		if (s->head == NULL) {
			pthread_mutex_unlock(&ps->mu);
			t0 = monotime_now();
			rc = commit_loaded(s, true);
			s->busy[B_DATA] += monotime_now() - t0;
			pthread_mutex_lock(&ps->mu);
			break;
		}
		it = s->head;
		s->head = it->next;
		if (s->head == NULL)
			s->tail = NULL;
		if (!it->spilled)
			s->queued -= it->len;
		pthread_cond_broadcast(&ps->space);
		pthread_mutex_unlock(&ps->mu);
		t0 = monotime_now();
		rc = load_item(s, it);
		s->busy[B_DATA] += monotime_now() - t0;
		pthread_mutex_lock(&ps->mu);
		s->backlog -= it->len;
		free(it);
		if (rc)
			break;
	}
	if (--ps->data_left == 0)
		ps->t_data_end = monotime_now();
	pthread_cond_broadcast(&ps->space);
	pthread_mutex_unlock(&ps->mu);
	return rc;
}

static void session_post(struct session *s);

/* A session: its share of the data, then of the post-data. */
static void *
session_main(void *arg)
{
	struct session *s = arg;
	struct prestore *ps = s->ps;

	if (session_data(s))
		return NULL;
	pthread_mutex_lock(&ps->mu);
	while (!ps->post_ready && !ps->post_none && !ps->abort)
		pthread_cond_wait(&ps->space, &ps->mu);
	pthread_mutex_unlock(&ps->mu);
	if (ps->post_ready && !aborted(ps))
		session_post(s);
	return NULL;
}

/* Waits on the space condition for a while; false once aborted. */
static bool
wait_space(struct prestore *ps)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200 * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&ps->space, &ps->mu, &ts);
	if (cancel_requested())
		ps->abort = true;
	return !ps->abort;
}

/*
 * Opens the spill file of s: unlinked at once, so that nothing is left
 * whatever happens.  Called with the lock held; false when it cannot be.
 */
static bool
spill_open(struct prestore *ps, struct session *s)
{
	const char *dir = spill_dir();
	char *path;
	int fd;

	if (s->spill_fd >= 0)
		return true;
	if (ps->spill_max == 0) {
		/* At most half the room TMPDIR has now, and PRESTORE_READ_AHEAD. */
		struct statvfs sv;
		if (statvfs(dir, &sv) != 0) {
			ps->spill_off = true;
			return false;
		}
		ps->spill_max = (uint64_t)sv.f_bavail * sv.f_frsize / 2;
		if (ps->spill_max > PRESTORE_READ_AHEAD)
			ps->spill_max = PRESTORE_READ_AHEAD;
		if (ps->spill_max == 0) {
			ps->spill_off = true;
			return false;
		}
	}
	path = xasprintf("%s/" TMPNAME_PREFIX "srestore.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	free(path);
	if (fd < 0) {
		ps->spill_off = true;
		return false;
	}
	s->spill_fd = fd;
	return true;
}

/*
 * Queues an item for session s.  Past the session's room in memory, the
 * reader does not wait while another session could use what comes next:
 * data goes to the session's spill file (TMPDIR; PRESTORE_READ_AHEAD for
 * all sessions, at most half its free room); it waits only when spilling
 * is off (one session, or no room) or that bound is reached.
 * Returns 1 when aborted.
 */
static int
push(struct prestore *ps, struct session *s, int kind, size_t table,
     uint64_t chunk, uint64_t rows, const char *data, size_t len)
{
	struct qitem *it;
	bool spill = false;

	pthread_mutex_lock(&ps->mu);
	while (!ps->abort && s->queued > 0 && s->queued + len > ps->qcap) {
		if (s->spilled == 0 && s->spill_end > 0 && ftruncate(s->spill_fd, 0) == 0) {
			/* All read back: the file starts over. */
			s->spill_end = 0;
			ps->spill_total -= s->unpunched;
			s->unpunched = 0;
		}
		if (len > 0 && ps->n > 1 && !ps->spill_off && spill_open(ps, s) &&
		    ps->spill_total + len <= ps->spill_max) {
			spill = true;
			break;
		}
		wait_space(ps);
	}
	if (ps->abort) {
		pthread_mutex_unlock(&ps->mu);
		return 1;
	}
	pthread_mutex_unlock(&ps->mu);
	it = xmalloc(sizeof *it + (spill ? 0 : len));
	it->next = NULL;
	it->kind = kind;
	it->table = table;
	it->chunk = chunk;
	it->rows = rows;
	it->len = len;
	it->spilled = spill;
	it->off = 0;
	if (spill) {
		/* Only this thread writes the file; the session reads what is queued. */
		it->off = s->spill_end;
		if (pwrite(s->spill_fd, data, len, it->off) != (ssize_t)len) {
			/* No room after all: keep it in memory, and stop spilling. */
			it = xreallocarray(it, 1, sizeof *it + len);
			it->spilled = false;
			spill = false;
			pthread_mutex_lock(&ps->mu);
			ps->spill_off = true;
			pthread_mutex_unlock(&ps->mu);
		}
	}
	if (!spill && len)
		memcpy(it->data, data, len);
	pthread_mutex_lock(&ps->mu);
	if (spill) {
		s->spill_end += (off_t)len;
		s->spilled++;
		s->spilled_bytes += len;
		ps->spill_total += len;
		if (ps->spill_total > ps->spill_peak)
			ps->spill_peak = ps->spill_total;
	} else {
		s->queued += len;
	}
	s->backlog += len;
	if (s->tail)
		s->tail->next = it;
	else
		s->head = it;
	s->tail = it;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&ps->mu);
	return 0;
}

/* The session for a table whose first chunk comes: the least behind. */
static struct session *
choose(struct prestore *ps)
{
	struct session *best;

	pthread_mutex_lock(&ps->mu);
	best = &ps->s[0];
	for (int i = 1; i < ps->n; i++)
		if (ps->s[i].backlog < best->backlog)
			best = &ps->s[i];
	pthread_mutex_unlock(&ps->mu);
	return best;
}

/* No more chunks of table t (or of any, t < 0) can come. */
static void
close_table(struct prestore *ps, long t)
{
	pthread_mutex_lock(&ps->mu);
	for (size_t i = 0; i < ps->m->ntables; i++)
		if (t < 0 || (size_t)t == i)
			ps->closed[i] = true;
	for (int i = 0; i < ps->n; i++)
		pthread_cond_broadcast(&ps->s[i].cv);
	pthread_mutex_unlock(&ps->mu);
}

static void
close_queues(struct prestore *ps)
{
	pthread_mutex_lock(&ps->mu);
	for (int i = 0; i < ps->n; i++) {
		ps->s[i].closed = true;
		pthread_cond_broadcast(&ps->s[i].cv);
	}
	pthread_mutex_unlock(&ps->mu);
}

static void
join_all(struct prestore *ps)
{
	for (int i = 0; i < ps->n; i++)
		if (ps->s[i].running) {
			pthread_join(ps->s[i].th, NULL);
			ps->s[i].running = false;
		}
}

static void
start_all(struct prestore *ps, void *(*fn)(void *), int n)
{
	for (int i = 0; i < n; i++) {
		int e = pthread_create(&ps->s[i].th, NULL, fn, &ps->s[i]);
		if (e != 0) {
			errno = e;
			fail(ps, EXIT_FAIL, "cannot start a thread: %s", strerror(e));
			return;
		}
		ps->s[i].running = true;
	}
}

/*
 * Stops everything and dies: the sessions' server work is cancelled, the
 * threads joined; exit drops the staging database (dbswap.h).
 */
static _Noreturn void
die_restore(struct prestore *ps, int code, const char *msg)
{
	char buf[256];
	char *m = xstrdup(msg);

	pthread_mutex_lock(&ps->mu);
	ps->abort = true;
	for (int i = 0; i < ps->n; i++)
		pthread_cond_broadcast(&ps->s[i].cv);
	pthread_cond_broadcast(&ps->space);
	pthread_mutex_unlock(&ps->mu);
	for (int i = 0; i < ps->n; i++)
		if (ps->s[i].running && ps->s[i].cancel)
			PQcancel(ps->s[i].cancel, buf, sizeof buf);
	join_all(ps);
	for (int i = 0; i < ps->n; i++)
		if (ps->s[i].conn) {
			cancel_unwatch(ps->s[i].conn);
			PQfinish(ps->s[i].conn);
			ps->s[i].conn = NULL;
		}
	die(code, "%s", m);
}

static void
check_failed(struct prestore *ps)
{
	if (ps->error)
		die_restore(ps, ps->code, ps->error);
	if (cancel_requested())
		die_restore(ps, EXIT_FAIL, "cancelled");
}

/* ---- the target's objects ---- */

#define CLASS(c) "'pg_catalog." c "'::pg_catalog.regclass"
#define IN_NS(cat, col)                                                       \
	" UNION ALL SELECT " CLASS(cat) ", x.oid FROM pg_catalog." cat " x "      \
	"JOIN ns ON ns.oid = x." col

/*
 * What NAME holds (see srestore(1)), one row each: kind (schema,
 * extension, or object), name (of a schema or extension), classid and
 * objid (of an object), and how to name it.  Objects: relations, types,
 * routines, operators, casts, collations, conversions, text search
 * objects, operator classes and families, servers and foreign-data
 * wrappers, not an extension's, not part of another.  With pre (the
 * archive's pre-data), *found is PREOBJECTS_FIND_SQL's answer on NAME:
 * the objects of the archive that NAME holds.
 */
static PGresult *
target_objects(struct prestore *ps, const char *pre, size_t len,
               PGresult **found)
{
	PGconn *c = pgconn_connect_db(ps->o->ro->conninfo, ps->db.target);
	PGresult *res;

	/* Names written qualified (pg_describe_object), JIT off (preobjects.h). */
	pgconn_command(c, "cannot set up the session",
	               "SET search_path = ''; SELECT pg_catalog.set_config('jit', "
	               "'off', false) WHERE pg_catalog.current_setting('jit', true) "
	               "IS NOT NULL");
	res = pgconn_exec(c, "cannot read the target's catalog",
		"WITH dep AS (SELECT classid, objid FROM pg_catalog.pg_depend "
		"  WHERE deptype IN ('e', 'i')), "
		"ns AS (SELECT oid, nspname FROM pg_catalog.pg_namespace "
		"  WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'), "
		"o(classid, objid) AS ("
		"  SELECT " CLASS("pg_class") ", x.oid FROM pg_catalog.pg_class x "
		"  JOIN ns ON ns.oid = x.relnamespace "
		"  WHERE x.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') "
		IN_NS("pg_proc", "pronamespace")
		IN_NS("pg_type", "typnamespace")
		"  WHERE x.typtype IN ('b', 'c', 'd', 'e', 'r') AND (x.typrelid = 0 OR "
		"  (SELECT relkind FROM pg_catalog.pg_class WHERE oid = x.typrelid) = 'c') "
		IN_NS("pg_operator", "oprnamespace")
		IN_NS("pg_collation", "collnamespace")
		IN_NS("pg_conversion", "connamespace")
		IN_NS("pg_ts_config", "cfgnamespace")
		IN_NS("pg_ts_dict", "dictnamespace")
		IN_NS("pg_ts_parser", "prsnamespace")
		IN_NS("pg_ts_template", "tmplnamespace")
		IN_NS("pg_opclass", "opcnamespace")
		IN_NS("pg_opfamily", "opfnamespace")
		"  UNION ALL SELECT " CLASS("pg_cast") ", x.oid FROM pg_catalog.pg_cast x "
		"  WHERE x.oid >= 16384 "
		"  UNION ALL SELECT " CLASS("pg_foreign_server") ", x.oid "
		"  FROM pg_catalog.pg_foreign_server x "
		"  UNION ALL SELECT " CLASS("pg_foreign_data_wrapper") ", x.oid "
		"  FROM pg_catalog.pg_foreign_data_wrapper x WHERE x.oid >= 16384) "
		"SELECT 'schema', n.nspname, 0::pg_catalog.oid, 0::pg_catalog.oid, "
		"  'schema ' || n.nspname FROM ns n WHERE n.nspname <> 'public' "
		"  AND (n.oid) NOT IN (SELECT objid FROM dep WHERE classid = " CLASS("pg_namespace") ") "
		"UNION ALL SELECT 'object', '', o.classid, o.objid, "
		"  pg_catalog.pg_describe_object(o.classid, o.objid, 0) FROM o "
		"  WHERE NOT EXISTS (SELECT 1 FROM dep "
		"    WHERE dep.classid = o.classid AND dep.objid = o.objid) "
		"UNION ALL SELECT 'extension', e.extname, 0, 0, 'extension ' || e.extname "
		"  FROM pg_catalog.pg_extension e "
		"  WHERE e.extname <> 'plpgsql' ORDER BY 5");
	if (pre != NULL) {
		json_t *objs = preobjects_json(pre, len, NULL, NULL);
		char *js = json_dumps(objs, JSON_COMPACT);

		*found = pgconn_exec1(c, "cannot read the target's catalog",
		                      PREOBJECTS_FIND_SQL, js);
		free(js);
		json_decref(objs);
	}
	PQfinish(c);
	return res;
}

#undef IN_NS
#undef CLASS

/* Appends the name of row's object to a list of at most three, counting all. */
static void
name_object(char **list, size_t *n, PGresult *res, int row)
{
	if (*n < 3) {
		const char *one = PQgetvalue(res, row, 4);
		char *l = *list ? xasprintf("%s, %s", *list, one) : xstrdup(one);
		free(*list);
		*list = l;
	}
	(*n)++;
}

static char *
listed(char *list, size_t n)
{
	char *s = n > 3 ? xasprintf("%s (and %zu more)", list, n - 3) : xstrdup(list);

	free(list);
	return s;
}

/* NAME exists without --clean: it must hold nothing. */
static void
check_empty(struct prestore *ps)
{
	PGresult *res = target_objects(ps, NULL, 0, NULL);
	char *list = NULL;
	size_t n = 0;

	for (int i = 0; i < PQntuples(res); i++)
		name_object(&list, &n, res, i);
	PQclear(res);
	if (n > 0) {
		list = listed(list, n);
		die(EXIT_FAIL, "database \"%s\" is not empty (it holds %s): -j restores "
		    "into a new or empty database, or replaces it with --clean", ps->db.target,
		    list);
	}
}

/*
 * --clean replaces the whole of NAME: all it holds must be in the
 * archive: its schemas and extensions by name, its other objects as
 * PREOBJECTS_FIND_SQL finds the archive's (a function by its argument
 * types: an overload the archive lacks is not in it).
 */
static int
check_clean(struct prestore *ps, const char *pre, size_t len)
{
	struct sql_script sc;
	PGresult *found = NULL;
	PGresult *res = target_objects(ps, pre, len, &found);
	char *list = NULL;
	size_t n = 0;

	sqlscript_split(pre, len, &sc);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *kind = PQgetvalue(res, i, 0), *name = PQgetvalue(res, i, 1);
		bool in = false;

		if (strcmp(kind, "object") == 0) {
			for (int r = 0; r < PQntuples(found) && !in; r++)
				in = strcmp(PQgetvalue(found, r, 1), PQgetvalue(res, i, 2)) == 0 &&
				     strcmp(PQgetvalue(found, r, 2), PQgetvalue(res, i, 3)) == 0;
		} else {
			enum sql_object_kind want = strcmp(kind, "schema") == 0
			                                ? SQL_OBJ_SCHEMA
			                                : SQL_OBJ_EXTENSION;

			for (size_t k = 0; k < sc.n && !in; k++) {
				char *as = NULL, *an = NULL;

				if (sqlscript_created_object(sc.stmts[k].text, &as, &an) == want)
					in = strcmp(an, name) == 0;
				free(as);
				free(an);
			}
		}
		if (!in)
			name_object(&list, &n, res, i);
	}
	PQclear(res);
	PQclear(found);
	sqlscript_free(&sc);
	if (n > 0) {
		list = listed(list, n);
		fail(ps, EXIT_FAIL, "--clean -j replaces the whole database \"%s\", which "
		     "holds what the archive does not: %s; drop them first, or restore "
		     "without -j", ps->db.target, list);
		free(list);
		return 1;
	}
	return 0;
}

/* ---- the sessions ---- */

static void
connect_sessions(struct prestore *ps)
{
	const struct manifest *m = ps->m;
	PGresult *res;
	char *enc = *m->encoding ? pgconn_quote_literal(m->encoding) : NULL;

	for (int i = 0; i < ps->n; i++) {
		struct session *s = &ps->s[i];
		char *sql;

		s->conn = pgconn_connect_db(ps->o->ro->conninfo, ps->db.staging);
		s->cancel = PQgetCancel(s->conn);
		cancel_watch(s->conn);
		if (i == 0) {
			long mwm, wm, sb;
			res = pgconn_exec(s->conn, "cannot read the server's settings",
			                  "SELECT (SELECT setting::bigint * CASE unit WHEN 'kB' THEN 1 "
			                  "  WHEN '8kB' THEN 8 WHEN 'MB' THEN 1024 ELSE 1 END "
			                  "  FROM pg_catalog.pg_settings WHERE name = n) "
			                  "FROM unnest(ARRAY['maintenance_work_mem', 'work_mem', "
			                  "'shared_buffers']) WITH ORDINALITY AS u(n, o) ORDER BY o");
			mwm = atol(PQgetvalue(res, 0, 0));
			wm = atol(PQgetvalue(res, 1, 0));
			sb = atol(PQgetvalue(res, 2, 0));
			PQclear(res);
			ps->mwm_kb = sb / ps->n;
			if (ps->mwm_kb > 256 * 1024)
				ps->mwm_kb = 256 * 1024;
			if (ps->mwm_kb < mwm)
				ps->mwm_kb = mwm;
			ps->wm_kb = sb / (4 * ps->n);
			if (ps->wm_kb > 64 * 1024)
				ps->wm_kb = 64 * 1024;
			if (ps->wm_kb < wm)
				ps->wm_kb = wm;
		}
		sql = xasprintf("SET statement_timeout = 0; SET lock_timeout = 0; "
		                "SET idle_in_transaction_session_timeout = 0; "
		                "SET client_min_messages = warning; SET search_path = ''; "
		                "SET synchronous_commit = off; "
		                "SET maintenance_work_mem = '%ldkB'; SET work_mem = '%ldkB'%s%s",
		                ps->mwm_kb, ps->wm_kb, enc ? "; SET client_encoding = " : "",
		                enc ? enc : "");
		pgconn_command(s->conn, "cannot set up the session", sql);
		free(sql);
		if (ps->o->ro->role) {
			char *r = pgconn_quote_ident(ps->o->ro->role);
			sql = xasprintf("SET ROLE %s", r);
			pgconn_command(s->conn, "--role: cannot SET ROLE", sql);
			free(sql);
			free(r);
		}
	}
	free(enc);
}

/* ---- the archive's events ---- */

static int
on_manifest(struct prestore *ps)
{
	const struct manifest *m = ps->m = archive_reader_manifest(ps->r);

	if (m->data_only) {
		fail(ps, EXIT_FAIL, "the archive holds no schema (it was dumped with "
		     "--data-only): restore it with --data-only into an existing schema");
		return 1;
	}
	ps->loaded = xcalloc(m->ntables + 1, sizeof *ps->loaded);
	ps->owner = xcalloc(m->ntables + 1, sizeof *ps->owner);
	ps->closed = xcalloc(m->ntables + 1, sizeof *ps->closed);
	ps->done = xcalloc(m->ntables + 1, sizeof *ps->done);
	for (size_t i = 0; i < m->ntables; i++)
		ps->owner[i] = -1;
	ps->qcap = PRESTORE_QUEUE;
	if (m->chunk_size * 2 > ps->qcap)
		ps->qcap = m->chunk_size * 2 > PRESTORE_QUEUE_MAX ? PRESTORE_QUEUE_MAX
		                                                  : (size_t)m->chunk_size * 2;
	dbswap_create_staging(&ps->db, m->encoding);
	progress(ps, "staging database \"%s\" created beside \"%s\"", ps->db.staging,
	         ps->db.target);
	connect_sessions(ps);
	return 0;
}

static int
on_pre_data(struct prestore *ps, const char *text, size_t len)
{
	char *error;
	int code;
	double t0 = monotime_now();

	if (ps->o->ro->clean && ps->db.exists && check_clean(ps, text, len))
		return 1;
	if (restore_script(ps->s[0].conn, ps->o->ro, "pre-data", text, len, &error, &code)) {
		fail(ps, code, "%s", error);
		free(error);
		return 1;
	}
	ps->s[0].busy[B_PRE] += monotime_now() - t0;
	ps->t_pre = monotime_now() - ps->phase_start;
	ps->phase_start = monotime_now();
	return 0;
}

static int
on_event(void *ctx, const struct archive_reader_event *ev)
{
	struct prestore *ps = ctx;

	if (cancel_requested() || aborted(ps))
		return 1;
	switch (ev->type) {
	case ARCHIVE_READER_MANIFEST:
		return on_manifest(ps);
	case ARCHIVE_READER_PRE_DATA:
		return on_pre_data(ps, ev->data, ev->len);
	case ARCHIVE_READER_CHUNK_BEGIN:
		if (!ps->threads) {
			ps->threads = true;
			start_all(ps, session_main, ps->n);
		}
		/*
		 * sdump -j 1 writes one table after another: a table is over
		 * when the next begins.  Otherwise tables are over once the
		 * reader is past the data.
		 */
		if (ps->m->jobs == 1 && ps->reading >= 0 && ps->reading != (long)ev->table)
			close_table(ps, ps->reading);
		ps->reading = (long)ev->table;
		if (ps->owner[ev->table] < 0)
			ps->owner[ev->table] = choose(ps)->id;
		ps->cur = &ps->s[ps->owner[ev->table]];
		return push(ps, ps->cur, Q_BEGIN, ev->table, ev->chunk, 0, NULL, 0);
	case ARCHIVE_READER_CHUNK_DATA:
		ps->bytes += ev->len;
		return push(ps, ps->cur, Q_DATA, ev->table, ev->chunk, 0, ev->data, ev->len);
	case ARCHIVE_READER_CHUNK_END:
		ps->rows += ev->rows;
		if (ps->o->ro->progress && monotime_now() - ps->last_progress >= 1.0) {
			ps->last_progress = monotime_now();
			progress(ps, "data: %.1f MB, %" PRIu64 " rows, %.1f MB/s",
			         ps->bytes / 1e6, ps->rows,
			         ps->bytes / 1e6 / (monotime_now() - ps->phase_start + 1e-9));
		}
		return push(ps, ps->cur, Q_END, ev->table, ev->chunk, ev->rows, NULL, 0);
	case ARCHIVE_READER_SEQUENCES:
		close_table(ps, -1);
		close_queues(ps);
		return 0;
	case ARCHIVE_READER_POST_DATA:
		/* Run only once the trailer verified the whole archive. */
		ps->post = xmalloc(ev->len + 1);
		memcpy(ps->post, ev->data, ev->len);
		ps->post[ev->len] = '\0';
		ps->post_len = ev->len;
		ps->have_post = true;
		return 0;
	case ARCHIVE_READER_TRAILER:
		return 0;
	}
	return 0;
}

/* ---- post-data ---- */

/*
 * Post-data as a pool, not as phases one after the other: a statement
 * starts as soon as what it needs is done, on whichever session is free,
 * the largest tables' first (so that the longest index build does not
 * start last).  What each needs (postplan.h):
 *   an index: nothing;
 *   a constraint on T: T's indexes (and those whose table is not known);
 *   an index partition attached: every index and constraint, the earlier
 *     attachments (one at a time, in the script's order);
 *   a foreign key from T to R: every attachment, the indexes and
 *     constraints of T and R (R's key must exist; the key's validation
 *     would wait on their locks anyway);
 *   the rest: all of the above, then in the script's order on one session.
 * Two statements sharing a lock key (shares_key) never run at once.
 */

static bool
shares_key(const struct work *a, const struct work *b)
{
	const char *ka[2] = {a->table, a->ref}, *kb[2] = {b->table, b->ref};

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (ka[i] && kb[j] && strcmp(ka[i], kb[j]) == 0)
				return true;
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The id of table name t among the sorted names, or -1. */
static long
name_id(struct prestore *ps, const char *t)
{
	char *const *hit;

	if (t == NULL)
		return -1;
	hit = bsearch(&t, ps->names, ps->nnames, sizeof *ps->names, cmp_str);
	return hit ? hit - ps->names : -1;
}

/* Counts what is left of the work that others wait for. */
static void
count_pending(struct prestore *ps, const struct work *w, int delta)
{
	switch (w->phase) {
	case POSTPLAN_INDEX:
		if (w->owner_id < 0)
			ps->pending_unowned += delta;
		else
			ps->pending_index[w->owner_id] += delta;
		/* fallthrough */
	case POSTPLAN_CONSTRAINT:
		if (w->owner_id >= 0)
			ps->pending_keys[w->owner_id] += delta;
		ps->pending_keys_all += delta;
		break;
	case POSTPLAN_ATTACH:
		ps->pending_attach += delta;
		break;
	default:
		break;
	}
}

/*
 * Are the rows of table id (a post-data name) committed?  A name that is
 * not one of the archive's tables with rows (a partitioned table, a
 * name not known) waits for all the data.
 */
static bool
data_ok(struct prestore *ps, long id)
{
	if (ps->data_left == 0)
		return true;
	return id >= 0 && ps->name_table[id] >= 0 && ps->done[ps->name_table[id]];
}

static bool
ready(struct prestore *ps, const struct work *w)
{
	long t = w->owner_id, r = w->ref_id;

	switch (w->phase) {
	case POSTPLAN_INDEX:
		return data_ok(ps, t);
	case POSTPLAN_CONSTRAINT:
		return ps->pending_unowned == 0 && (t < 0 || ps->pending_index[t] == 0) &&
		       data_ok(ps, t);
	case POSTPLAN_ATTACH:
		return ps->data_left == 0 && ps->pending_keys_all == 0 && !ps->attach_running &&
		       w == &ps->work[ps->attach_next];
	case POSTPLAN_FOREIGN_KEY:
		return ps->pending_attach == 0 && ps->pending_unowned == 0 &&
		       (t < 0 || ps->pending_keys[t] == 0) &&
		       (r < 0 || ps->pending_keys[r] == 0) && data_ok(ps, t) && data_ok(ps, r);
	default:
		return false;
	}
}

/* The next statement s may run, or NULL; *left: is any not yet taken? */
static struct work *
pick(struct prestore *ps, bool *left)
{
	struct work *best = NULL;

	*left = false;
	for (size_t i = 0; i < ps->nwork; i++) {
		struct work *c = &ps->work[i];
		bool clash = false;

		if (c->taken || c->phase == POSTPLAN_SETTING || c->phase == POSTPLAN_OTHER)
			continue;
		*left = true;
		if (best && c->size <= best->size)
			continue;
		if (!ready(ps, c))
			continue;
		for (int j = 0; j < ps->n && !clash; j++)
			clash = ps->running[j] && shares_key(c, ps->running[j]);
		if (!clash)
			best = c;
	}
	return best;
}

/* s's share of the post-data pool, after the script's settings. */
static void
session_post(struct session *s)
{
	struct prestore *ps = s->ps;

	for (size_t j = 0; j < ps->nwork; j++) {
		char *error;
		int code;
		if (ps->work[j].phase != POSTPLAN_SETTING)
			continue;
		if (restore_script(s->conn, ps->o->ro, "post-data", ps->work[j].text,
		                   strlen(ps->work[j].text), &error, &code)) {
			fail(ps, code, "%s", error);
			free(error);
			return;
		}
	}
	pthread_mutex_lock(&ps->mu);
	for (;;) {
		struct work *w;
		bool left;
		char *error;
		int code, rc;
		double t0;

		if (ps->abort)
			break;
		if ((w = pick(ps, &left)) == NULL) {
			if (!left)
				break;
			wait_space(ps);
			continue;
		}
		w->taken = true;
		ps->running[s->id] = w;
		if (ps->post_first == 0)
			ps->post_first = monotime_now();
		if (w->phase == POSTPLAN_ATTACH)
			ps->attach_running = true;
		pthread_mutex_unlock(&ps->mu);
		t0 = monotime_now();
		rc = restore_script(s->conn, ps->o->ro, "post-data", w->text, strlen(w->text), &error,
		                    &code);
		s->busy[B_POST + w->phase] += monotime_now() - t0;
		s->statements++;
		if (rc) {
			fail(ps, code, "session %d: %s", s->id + 1, error);
			free(error);
		}
		pthread_mutex_lock(&ps->mu);
		ps->running[s->id] = NULL;
		if (ps->phase_first[w->phase] == 0)
			ps->phase_first[w->phase] = t0;
		ps->phase_last[w->phase] = monotime_now();
		if (w->phase == POSTPLAN_ATTACH) {
			ps->attach_running = false;
			while (ps->attach_next < ps->nwork &&
			       (ps->work[ps->attach_next].phase != POSTPLAN_ATTACH ||
			        ps->work[ps->attach_next].taken))
				ps->attach_next++;
		}
		count_pending(ps, w, -1);
		pthread_cond_broadcast(&ps->space);
	}
	pthread_mutex_unlock(&ps->mu);
}

/*
 * Which of the archive's tables each post-data name is, by the name as
 * pg_dump writes it (the server quotes it the same way); on the
 * administrative session, the others being busy.
 */
static void
map_names(struct prestore *ps)
{
	ps->name_table = xcalloc(ps->nnames + 1, sizeof *ps->name_table);
	for (size_t i = 0; i < ps->nnames; i++)
		ps->name_table[i] = -1;
	for (size_t i = 0; i < ps->m->ntables; i++) {
		const char *p[2] = {ps->m->tables[i].schema, ps->m->tables[i].name};
		PGresult *res = pgconn_execv(ps->db.admin, "cannot quote the tables' names",
		                             "SELECT pg_catalog.format('%I.%I', $1::text, $2::text)",
		                             2, p);
		long id = name_id(ps, PQgetvalue(res, 0, 0));
		if (id >= 0)
			ps->name_table[id] = (long)i;
		PQclear(res);
	}
}

/*
 * The post-data script, once the trailer verified it, split into the
 * pool's work; the sessions start on it as soon as their data is done,
 * each statement as soon as its tables' rows are committed.
 */
static void
prepare_post(struct prestore *ps)
{
	struct sql_script *sc = &ps->script;
	size_t k = 0;

	sqlscript_split(ps->post, ps->post_len, sc);
	ps->work = xcalloc(sc->n + 1, sizeof *ps->work);
	ps->names = xcalloc(2 * sc->n + 1, sizeof *ps->names);
	for (size_t i = 0; i < sc->n; i++) {
		struct work *w = &ps->work[ps->nwork++];
		w->text = sc->stmts[i].text;
		w->phase = postplan_classify(w->text, &w->table, &w->ref);
		if (sc->stmts[i].copy_data) /* no COPY belongs here: keep it in order */
			w->phase = POSTPLAN_OTHER;
		if (w->phase == POSTPLAN_INDEX)
			w->owner = postplan_index_table(w->text);
		ps->count[w->phase]++;
		if (w->table)
			ps->names[ps->nnames++] = w->table;
		if (w->ref)
			ps->names[ps->nnames++] = w->ref;
		if (w->owner)
			ps->names[ps->nnames++] = w->owner;
	}
	/* The table names, sorted and unique, give each an id. */
	qsort(ps->names, ps->nnames, sizeof *ps->names, cmp_str);
	for (size_t i = 0; i < ps->nnames; i++)
		if (k == 0 || strcmp(ps->names[k - 1], ps->names[i]) != 0)
			ps->names[k++] = ps->names[i];
	ps->nnames = k;
	map_names(ps);
	pthread_mutex_lock(&ps->mu);
	ps->pending_index = xcalloc(ps->nnames + 1, sizeof *ps->pending_index);
	ps->pending_keys = xcalloc(ps->nnames + 1, sizeof *ps->pending_keys);
	ps->running = xcalloc((size_t)ps->n, sizeof *ps->running);
	ps->attach_next = ps->nwork;
	for (size_t i = 0; i < ps->nwork; i++) {
		struct work *w = &ps->work[i];
		long t;
		w->owner_id = name_id(ps, w->owner ? w->owner : w->table);
		w->ref_id = name_id(ps, w->ref);
		/* The largest tables first: the archive's bytes of each. */
		t = w->owner_id >= 0 ? ps->name_table[w->owner_id] : -1;
		w->size = t >= 0 ? ps->m->tables[t].bytes : 0;
		count_pending(ps, w, 1);
		if (w->phase == POSTPLAN_ATTACH && ps->attach_next == ps->nwork)
			ps->attach_next = i;
	}
	ps->post_ready = true;
	pthread_cond_broadcast(&ps->space);
	pthread_mutex_unlock(&ps->mu);
}

/* After the pool: its phases' times, and the rest in order on one session. */
static void
finish_post(struct prestore *ps)
{
	double t0 = monotime_now();

	for (int p = POSTPLAN_INDEX; p < POSTPLAN_OTHER; p++) {
		if (ps->count[p] == 0)
			continue;
		ps->t_phase[p] = ps->phase_last[p] - ps->phase_first[p];
		progress(ps, "post-data: %zu %s, from %.1f s to %.1f s", ps->count[p],
		         postplan_phase_name((enum postplan_phase)p),
		         ps->phase_first[p] - ps->t_start, ps->phase_last[p] - ps->t_start);
	}
	if (ps->count[POSTPLAN_OTHER] > 0) {
		double tp = monotime_now();
		for (size_t i = 0; i < ps->nwork; i++) {
			struct work *w = &ps->work[i];
			char *error;
			int code;
			double ts;
			if (w->phase != POSTPLAN_OTHER)
				continue;
			ts = monotime_now();
			if (restore_script(ps->s[0].conn, ps->o->ro, "post-data", w->text,
			                   strlen(w->text), &error, &code)) {
				fail(ps, code, "session 1: %s", error);
				free(error);
				check_failed(ps);
			}
			ps->s[0].busy[B_POST + POSTPLAN_OTHER] += monotime_now() - ts;
			ps->s[0].statements++;
		}
		ps->t_phase[POSTPLAN_OTHER] = monotime_now() - tp;
		progress(ps, "post-data: %zu %s on 1 session, %.1f s", ps->count[POSTPLAN_OTHER],
		         postplan_phase_name(POSTPLAN_OTHER), ps->t_phase[POSTPLAN_OTHER]);
	}
	/* From the pool's first statement (it overlaps the data) to the last. */
	ps->t_post = monotime_now() - (ps->post_first > 0 ? ps->post_first : t0);
}

/* ---- the report ---- */

static json_t *
report(struct prestore *ps)
{
	const struct manifest *m = ps->m;
	struct archive_reader_stats as;
	json_t *o, *timing, *reader, *sessions, *post;
	uint64_t rows = 0, bytes = 0;

	archive_reader_stats(ps->r, &as);
	for (size_t i = 0; i < m->ntables; i++) {
		rows += m->tables[i].rows;
		bytes += m->tables[i].bytes;
	}
	post = json_object();
	for (int p = POSTPLAN_INDEX; p < POSTPLAN_NPHASES; p++)
		json_object_set_new(post, postplan_phase_name((enum postplan_phase)p),
		                    json_real(monotime_ms(ps->t_phase[p])));
	timing = json_pack("{s:f,s:f,s:f,s:f,s:f,s:o,s:f,s:f}", "connect",
	                   monotime_ms(ps->t_connect), "pre_data", monotime_ms(ps->t_pre),
	                   "data", monotime_ms(ps->t_data), "sequences", monotime_ms(ps->t_seq),
	                   "post_data", monotime_ms(ps->t_post), "post_data_phases", post,
	                   "refresh", monotime_ms(ps->t_refresh), "swap",
	                   monotime_ms(ps->db.swap_seconds));
	reader = json_pack("{s:f,s:f,s:f,s:I,s:I}", "cpu_seconds",
	                   monotime_ms(as.reader_cpu), "waited_for_server",
	                   monotime_ms(as.reader_wait), "server_waited_for_archive",
	                   monotime_ms(as.consumer_wait),
	                   "input_bytes", (json_int_t)as.input_bytes,
	                   "read_ahead_peak_bytes", (json_int_t)ps->spill_peak);
	sessions = json_array();
	for (int i = 0; i < ps->n; i++) {
		struct session *s = &ps->s[i];
		json_t *ph = json_object();
		for (int b = 0; b < B_N; b++)
			if (s->busy[b] > 0)
				json_object_set_new(ph, busy_name[b], json_real(monotime_ms(s->busy[b])));
		json_array_append_new(
			sessions, json_pack("{s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "session", i + 1,
			                    "maintenance_work_mem_kb", (json_int_t)ps->mwm_kb,
			                    "work_mem_kb", (json_int_t)ps->wm_kb, "chunks",
			                    (json_int_t)s->chunks, "rows", (json_int_t)s->rows,
			                    "bytes", (json_int_t)s->bytes, "read_ahead_bytes",
			                    (json_int_t)s->spilled_bytes, "statements",
			                    (json_int_t)s->statements, "phases", ph));
	}
	o = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:I,s:I,s:I,s:f,s:o,s:o,s:o}", "mode",
	              ps->o->ro->clean ? "clean" : "restore", "database", ps->db.target,
	              "jobs", ps->n, "staging", ps->db.staging, "archive_database",
	              m->database, "archive_created", m->created, "tables",
	              (json_int_t)m->ntables, "rows", (json_int_t)rows, "bytes",
	              (json_int_t)bytes, "seconds", monotime_ms(monotime_now() - ps->t_start),
	              "timing", timing,
	              "reader", reader, "sessions", sessions);
	json_object_set_new(o, "swap",
	                    json_pack("{s:f,s:b,s:s?,s:b}", "seconds",
	                              monotime_ms(ps->db.swap_seconds),
	                              "replaced", ps->db.exists,
	                              "old_database",
	                              ps->db.exists && !ps->db.old_dropped ? ps->db.old : NULL,
	                              "old_dropped", ps->db.old_dropped));
	return o;
}

json_t *
prestore_run(struct archive_reader *r, const struct prestore_opts *o)
{
	struct prestore ps = {.o = o, .r = r, .n = o->jobs};
	json_t *rep;
	double t;
	int rc, *pids;
	char *error;
	int code;

	pthread_mutex_init(&ps.mu, NULL);
	pthread_cond_init(&ps.space, NULL);
	ps.s = xcalloc((size_t)ps.n, sizeof *ps.s);
	for (int i = 0; i < ps.n; i++) {
		ps.s[i].ps = &ps;
		ps.s[i].id = i;
		ps.s[i].copying = -1;
		ps.s[i].spill_fd = -1;
		pthread_cond_init(&ps.s[i].cv, NULL);
	}
	ps.reading = -1;
	ps.data_left = ps.n;
	ps.t_start = monotime_now();
	dbswap_begin(&ps.db, o->ro->conninfo, o->ro->role, o->ro->progress);
	if (ps.db.exists && !o->ro->clean)
		check_empty(&ps);
	ps.t_connect = monotime_now() - ps.t_start;
	ps.phase_start = monotime_now();
	rc = archive_reader_run(r, true, 0, on_event, &ps);
	if (rc != 0) {
		/*
		 * Stopped (a failure, or a signal whose cancel found no query
		 * running): the sessions stop too, not load what is queued.
		 */
		pthread_mutex_lock(&ps.mu);
		ps.abort = true;
		pthread_mutex_unlock(&ps.mu);
	}
	close_queues(&ps);
	if (rc == -1)
		die_restore(&ps, EXIT_FAIL, archive_reader_error(r));
	if (rc == 0 && !ps.threads) { /* no rows at all */
		ps.threads = true;
		start_all(&ps, session_main, ps.n);
	}
	if (rc == 0 && ps.have_post)
		prepare_post(&ps);
	pthread_mutex_lock(&ps.mu);
	ps.post_none = !ps.post_ready;
	pthread_cond_broadcast(&ps.space);
	pthread_mutex_unlock(&ps.mu);
	join_all(&ps);
	check_failed(&ps);
	if (rc != 0)
		die_restore(&ps, EXIT_FAIL, "restore failed");
	/* The archive checked out: do the server's counts agree? */
	for (size_t i = 0; i < ps.m->ntables; i++) {
		const struct manifest_table *tb = &ps.m->tables[i];
		if (ps.loaded[i] != tb->rows) {
			char *msg = xasprintf("table %s.%s: the server loaded %" PRIu64
			                      " rows, the archive holds %" PRIu64,
			                      tb->schema, tb->name, ps.loaded[i], tb->rows);
			die_restore(&ps, EXIT_FAIL, msg);
		}
	}
	ps.t_data = (ps.t_data_end > 0 ? ps.t_data_end : monotime_now()) - ps.phase_start;
	t = monotime_now();
	if (restore_sequences(ps.s[0].conn, r, &error, &code))
		die_restore(&ps, code, error);
	ps.t_seq = monotime_now() - t;
	ps.s[0].busy[B_SEQ] = ps.t_seq;
	if (ps.post_ready)
		finish_post(&ps);
	t = monotime_now();
	if (restore_matviews(ps.s[0].conn, ps.m, &error, &code))
		die_restore(&ps, code, error);
	ps.t_refresh = monotime_now() - t;
	ps.s[0].busy[B_REFRESH] = ps.t_refresh;
	pids = xcalloc((size_t)ps.n, sizeof *pids);
	for (int i = 0; i < ps.n; i++) {
		pids[i] = PQbackendPID(ps.s[i].conn);
		cancel_unwatch(ps.s[i].conn);
		PQfreeCancel(ps.s[i].cancel);
		ps.s[i].cancel = NULL;
		PQfinish(ps.s[i].conn);
		ps.s[i].conn = NULL;
	}
	dbswap_wait_closed(&ps.db, pids, ps.n);
	free(pids);
	cancel_check();
	progress(&ps, "swapping \"%s\" in as \"%s\"", ps.db.staging, ps.db.target);
	dbswap_swap(&ps.db, o->ro->lock_timeout_ms, o->force_disconnect, o->keep_old,
	            o->ro->progress);
	progress(&ps, "restored %zu tables with %d sessions in %.1f s", ps.m->ntables,
	         ps.n, monotime_now() - ps.t_start);
	rep = report(&ps);
	dbswap_end(&ps.db);
	for (size_t i = 0; i < ps.nwork; i++) {
		free(ps.work[i].table);
		free(ps.work[i].ref);
		free(ps.work[i].owner);
	}
	free(ps.work);
	free(ps.names);
	free(ps.pending_index);
	free(ps.pending_keys);
	free(ps.running);
	if (ps.have_post)
		sqlscript_free(&ps.script);
	free(ps.post);
	free(ps.name_table);
	free(ps.loaded);
	free(ps.owner);
	free(ps.closed);
	free(ps.done);
	for (int i = 0; i < ps.n; i++) {
		pthread_cond_destroy(&ps.s[i].cv);
		if (ps.s[i].spill_fd >= 0)
			close(ps.s[i].spill_fd);
		free(ps.s[i].buf);
		free(ps.s[i].txn_tables);
	}
	free(ps.s);
	pthread_cond_destroy(&ps.space);
	pthread_mutex_destroy(&ps.mu);
	return rep;
}
