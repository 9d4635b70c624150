/*
 * sdump: writes one consistent snapshot of a PostgreSQL database to stdout
 * as a strongbox archive (strongbox-archive(5)): a REPEATABLE READ, READ
 * ONLY transaction exports its snapshot and locks the tables to dump;
 * pg_dump writes the schema from that snapshot; rows come through COPY on
 * one or more connections sharing it, in chunks, tables in foreign-key
 * order; a trailer with every checksum ends the stream only when all went
 * well.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "archive_names.h"
#include "archive_write.h"
#include "cancel.h"
#include "duration.h"
#include "child.h"
#include "err.h"
#include "number.h"
#include "manifest.h"
#include "monotime.h"
#include "namepattern.h"
#include "pgclient.h"
#include "pgconn.h"
#include "pgopts.h"
#include "progress.h"
#include "sha256.h"
#include "size.h"
#include "snapshot.h"
#include "minisign.h"
#include "xalloc.h"

#define DEFAULT_CHUNK_SIZE (4u << 20)
#define MAX_JOBS 64
#define SNAPSHOT_ATTEMPTS 3 /* fresh starts when a table is rewritten meanwhile */
#define DEFAULT_SPLIT_SIZE (64u << 20)

static struct snapshot_opts opt;
static struct archive_compression comp;
static int progress;

static struct minisign_sec *sign_key; /* --sign-key, or NULL */

static struct snapshot *snap;
static struct archive_writer *writer;
static unsigned long long written_total; /* once writer is closed */

static void
usage(void)
{
	printf("usage: sdump [-d CONNINFO|URL|DBNAME] [-h HOST] [-p PORT] [-U USER]\n"
	       "             [-Z zstd[:LEVEL]|gzip[:LEVEL]|none]\n"
	       "             [-t PATTERN]... [-T PATTERN]... [-j JOBS]\n"
	       "             [--chunk-size BYTES] [--split-size BYTES] [--data-only]\n"
	       "             [--lock-timeout DURATION] [--progress] [--sign-key FILE]\n"
	       "             [DBNAME]\n"
	       "\n"
	       "Writes one consistent snapshot of a PostgreSQL database to stdout\n"
	       "as a strongbox archive.\n"
	       "\n"
	       "  -d, --dbname CONNINFO    conninfo, URL or database name (default\n"
	       "                           $DATABASE_URL, then PG*)\n"
	       "  -h, --host HOST          server host or socket directory\n"
	       "  -p, --port PORT          server port\n"
	       "  -U, --username USER      user name\n"
	       "  -Z, --compress METHOD    zstd (default, level 3), zstd:LEVEL (1-19),\n"
	       "                           gzip, gzip:LEVEL (1-9), or none\n"
	       "  -t, --table PATTERN      dump only matching tables (repeatable)\n"
	       "  -T, --exclude-table PATTERN  skip matching tables (repeatable)\n"
	       "  -j, --jobs N             copy tables over N connections (default 1)\n"
	       "      --chunk-size BYTES   rows per archive member, at most (default 4M)\n"
	       "      --split-size BYTES   with -j, copy bigger tables in parts (default 64M)\n"
	       "  -a, --data-only          rows and sequences only, no schema\n"
	       "      --lock-timeout DURATION  wait at most this long for a lock\n"
	       "                           (ms, s or min; default 30s)\n"
	       "      --progress           report progress on stderr\n"
	       "      --sign-key FILE      sign the manifest and the trailer with this\n"
	       "                           minisign secret key (default $BACKUP_SIGN_KEY)\n"
	       "  -?, --help               this help\n"
	       "      --version            the version\n");
}

static char *
rfc3339(time_t t)
{
	struct tm tm;
	char buf[64];
	size_t n;

	localtime_r(&t, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* +0530 -> +05:30 */
	if (n >= 5) {
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
	return xstrdup(buf);
}

static void
add_json(const char *name, json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(1));
	size_t len;

	if (s == NULL)
		die(EXIT_FAIL, "cannot write %s: out of memory", name);
	len = strlen(s);
	s[len] = '\n';
	archive_writer_add(writer, name, s, len + 1);
	if (sign_key && (strcmp(name, ARCHIVE_MEMBER_MANIFEST) == 0 ||
	                 strcmp(name, ARCHIVE_MEMBER_TRAILER) == 0)) {
		/* minisign's own trusted comment, naming the member */
		char *tc = xasprintf("timestamp:%lld\tfile:%s\thashed",
		                     (long long)time(NULL), name);
		char *sig = minisign_sign(sign_key, s, len + 1, tc);
		char *signame = xasprintf("%s%s", name, ARCHIVE_SIG_SUFFIX);

		if (sig == NULL)
			die(EXIT_FAIL, "cannot sign %s: OpenSSL failed", name);
		archive_writer_add(writer, signame, sig, strlen(sig));
		free(signame);
		free(sig);
		free(tc);
	}
	free(s);
}

/* ---- progress ---- */

static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	int tty;
	double start;
} prog = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void
print_progress(int last)
{
	double s = monotime_now() - prog.start;
	unsigned done;
	size_t ntables;
	unsigned long long rows, bytes;
	double mib;
	double out = (double)(writer ? archive_writer_bytes_out(writer)
	                             : written_total) /
	             1048576.0;

	snapshot_progress(snap, &done, &ntables, &rows, &bytes);
	mib = (double)bytes / 1048576.0;

	progress_line(prog.tty, last,
	              "%u/%zu tables, %llu rows, %.1f MiB read, %.1f MiB "
	              "written, %.1f MiB/s",
	              done, ntables, rows, mib, out, s > 0 ? mib / s : 0.0);
}

static void *
progress_run(void *arg)
{
	pthread_mutex_lock(&prog.mu);
	while (!prog.stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&prog.cv, &prog.mu, &until);
		if (!prog.stop)
			print_progress(0);
	}
	pthread_mutex_unlock(&prog.mu);
	return NULL;
}

static void
progress_start(void)
{
	prog.tty = isatty(2);
	if (!progress)
		return;
	if (pthread_create(&prog.thread, NULL, progress_run, NULL) != 0)
		die(EXIT_FAIL, "cannot start a thread");
}

/* Stops the reports; the last one comes after the writer closed. */
static void
progress_stop(void)
{
	if (!progress)
		return;
	pthread_mutex_lock(&prog.mu);
	prog.stop = 1;
	pthread_cond_signal(&prog.cv);
	pthread_mutex_unlock(&prog.mu);
	pthread_join(prog.thread, NULL);
}

static void
progress_last(void)
{
	if (progress)
		print_progress(1);
}

static void
start_pgdump(struct child *c, const char *what, char **argv, char **env)
{
	if (child_start(c, what, argv, env, 0, CHILD_COLLECT) < 0)
		die_errno(EXIT_FAIL, "cannot run %s", argv[0]);
}

/*
 * PGDUMP's SECTION of the snapshot into c: returns its size.  When it
 * failed because a table changed since the snapshot (dropped meanwhile,
 * say), returns (size_t)-1 with *changed saying how (malloc'ed), c's
 * files closed; its lock timeout exits 75 naming the holder; any other
 * failure exits 1.
 */
static size_t
run_pgdump(struct child *c, const char *section, const char *pgdump,
           char **env, char **changed)
{
	char **a = snapshot_pgdump_argv(snap, pgdump, section);
	char *what = xasprintf("pg_dump --section=%s", section);
	char *locked = NULL, *failed = NULL;
	size_t n;

	start_pgdump(c, what, a, env);
	snapshot_free_argv(a);
	n = child_finish_lock(c, &locked, &failed);
	free(what); /* in use by c until here */
	if (n != (size_t)-1)
		return n;
	if (locked != NULL)
		snapshot_die_locked(snap, locked);
	if ((*changed = snapshot_changed(snap)) == NULL)
		die(EXIT_FAIL, "%s", failed);
	free(failed);
	return n;
}

int
main(int argc, char **argv)
{
	enum {
		OPT_CHUNK = 256, OPT_LOCK_TIMEOUT, OPT_PROGRESS, OPT_SIGN_KEY,
		OPT_SPLIT
	};
	static const char optstring[] = "?a" PGOPTS_SHORT "j:T:t:Z:";
	static const struct option longopts[] = {
		PGOPTS_LONG,
		{"chunk-size", required_argument, NULL, OPT_CHUNK},
		{"compress", required_argument, NULL, 'Z'},
		{"data-only", no_argument, NULL, 'a'},
		{"exclude-table", required_argument, NULL, 'T'},
		{"jobs", required_argument, NULL, 'j'},
		{"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"sign-key", required_argument, NULL, OPT_SIGN_KEY},
		{"split-size", required_argument, NULL, OPT_SPLIT},
		{"table", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	const struct snapshot_info *info;
	char **env = NULL, *pgdump = NULL, *pgdump_version = NULL, *compname;
	struct child pre, post;
	size_t post_len = 0;
	time_t start = time(NULL);
	char *created;
	const char *sign_path = NULL;
	json_t *manifest, *trailer;
	size_t prelen = 0;
	char prehex[65];
	struct pgopts conn = {0};
	char *conninfo;
	int c;

	err_init(argv[0]);
	/*
	 * A failure in one thread exits the process while others may be
	 * hashing: OpenSSL must not tear itself down under them at exit.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	comp.kind = ARCHIVE_COMPRESS_ZSTD;
	opt.jobs = 1;
	opt.lock_timeout_ms = DURATION_LOCK_TIMEOUT_DEFAULT_MS;
	opt.chunk_size = DEFAULT_CHUNK_SIZE;
	opt.split_size = DEFAULT_SPLIT_SIZE;
	opt.include = xcalloc((size_t)argc, sizeof *opt.include);
	opt.exclude = xcalloc((size_t)argc, sizeof *opt.exclude);
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (pgopts_option(&conn, c, optarg))
			continue;
		switch (c) {
		case 'a':
			opt.data_only = 1;
			break;
		case 'j':
			opt.jobs = (int)number_option("-j", optarg, 1, MAX_JOBS);
			break;
		case 'T':
			opt.exclude[opt.nexclude++] = optarg;
			break;
		case 't':
			opt.include[opt.ninclude++] = optarg;
			break;
		case 'Z':
			if (archive_writer_parse_compression(optarg, &comp))
				die_usage("invalid compression: '%s' (zstd[:1-19], "
				          "gzip[:1-9] or none)",
				          optarg);
			break;
		case OPT_CHUNK:
			opt.chunk_size = size_option("--chunk-size", optarg, 1, 1u << 30);
			break;
		case OPT_LOCK_TIMEOUT:
			opt.lock_timeout_ms =
				duration_option("--lock-timeout", optarg);
			break;
		case OPT_PROGRESS:
			progress = 1;
			break;
		case OPT_SIGN_KEY:
			sign_path = optarg;
			break;
		case OPT_SPLIT:
			opt.split_size = size_option("--split-size", optarg, 1, 1u << 30);
			break;
		default:
			pgopts_default(c, argv, optstring, usage);
		}
	}
	argc -= optind;
	argv += optind;
	/* The operand is the database; a password leaves argv here. */
	pgopts_finish(&conn, argc, argv);
	for (size_t i = 0; i < opt.ninclude + opt.nexclude; i++) {
		const char *p = i < opt.ninclude ? opt.include[i]
		                                 : opt.exclude[i - opt.ninclude];
		char *s = NULL, *n = NULL;

		if (namepattern_parse(p, &s, &n) != 0)
			die_usage("invalid table pattern: '%s'", p);
		free(s);
		free(n);
	}
	sign_key = minisign_sec_load(sign_path, "BACKUP_SIGN_KEY");
	if (isatty(STDOUT_FILENO))
		die_usage("refusing to write an archive to a terminal: redirect "
		          "standard output to a file or a pipe");
	if (isatty(STDERR_FILENO))
		progress = 1;
	/* A closed stdout must fail the dump, as EPIPE, not kill it silently. */
	signal(SIGPIPE, SIG_IGN);
	cancel_init();
	conninfo = pgopts_conninfo(&conn);
	opt.conninfo = conninfo;

	/*
	 * pg_dump runs on the snapshot and ends (releasing its locks) before
	 * sdump locks the tables; a table dropped, emptied, rewritten or
	 * altered in between makes a fresh start, a few times at most.
	 */
	for (int attempt = 1;; attempt++) {
		char *changed = NULL;

		snap = snapshot_begin(&opt);
		info = snapshot_info(snap);
		if (!opt.data_only) {
			if (pgdump == NULL) {
				env = snapshot_child_env(snap);
				pgdump = pgclient_find("pg_dump", info->server_num,
				                       env, &pgdump_version);
			}
			/* One after the other: one pg_dump's locks at a time. */
			prelen = run_pgdump(&pre, "pre-data", pgdump, env,
			                    &changed);
			if (changed == NULL)
				post_len = run_pgdump(&post, "post-data",
				                      pgdump, env, &changed);
			else
				post.out = NULL;
		}
		if (changed == NULL && snapshot_lock(snap, &changed) == 0)
			break;
		if (!opt.data_only) {
			if (pre.out)
				fclose(pre.out);
			if (post.out)
				fclose(post.out);
		}
		snapshot_end(snap);
		if (attempt == SNAPSHOT_ATTEMPTS)
			die(EXIT_TEMPFAIL, "%s between the snapshot and its lock, "
			    "%d times: try again later", changed, SNAPSHOT_ATTEMPTS);
		free(changed);
	}
	/* The other connections join the exported snapshot. */
	snapshot_join(snap);

	created = rfc3339(start);
	/*
	 * zstd compresses on two worker threads of its own (1 MiB jobs, a
	 * few MiB of memory) beside the writer thread and the COPY readers.
	 * Two buffers more than readers keep the writer busy.
	 */
	writer = archive_writer_open(STDOUT_FILENO, &comp, 2, start,
	                             opt.chunk_size, opt.jobs + 2);
	if (!opt.data_only) {
		/* srestore checks pre-data against this before running it. */
		sha256_file(pre.out, prelen, "pg_dump's output", prehex);
	}
	compname = archive_writer_compression_name(&comp);
	manifest = snapshot_manifest(snap, created, pgdump_version, compname,
	                             opt.data_only ? NULL : prehex);
	free(compname);
	add_json(ARCHIVE_MEMBER_MANIFEST, manifest);
	if (!opt.data_only) {
		archive_writer_add_file(writer, ARCHIVE_MEMBER_PRE_DATA, pre.out,
		                        prelen);
		fclose(pre.out);
	}

	prog.start = monotime_now();
	progress_start();
	snapshot_copy(snap, writer);
	{
		json_t *seqs = snapshot_sequences(snap);

		add_json(ARCHIVE_MEMBER_SEQUENCES, seqs);
		json_decref(seqs);
	}
	if (!opt.data_only) {
		archive_writer_add_file(writer, ARCHIVE_MEMBER_POST_DATA, post.out,
		                        post_len);
		fclose(post.out);
	}

	{
		char *finished = rfc3339(time(NULL));

		trailer = manifest_trailer_to_json(finished,
		                                   snapshot_trailer_tables(snap),
		                                   archive_writer_members(writer));
		free(finished);
	}
	/* Everything before it succeeded: the trailer marks the end. */
	cancel_check();
	add_json(ARCHIVE_MEMBER_TRAILER, trailer);
	progress_stop();
	written_total = archive_writer_close(writer);
	writer = NULL;
	progress_last();

	snapshot_end(snap);
	json_decref(manifest);
	json_decref(trailer);
	pgconn_free_env(env);
	minisign_sec_free(sign_key);
	pgopts_free(conninfo);
	pgopts_clear(&conn);
	free(pgdump);
	free(pgdump_version);
	free(created);
	finish_stdout();
	return EXIT_OK;
}
