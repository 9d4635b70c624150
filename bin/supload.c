/*
 * supload: moves bytes between stdin/stdout and the backup target, an S3
 * bucket or a local directory: put (the default) streams stdin to KEY,
 * -g writes KEY to stdout, -l lists keys, -d deletes the keys read on
 * stdin.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <openssl/crypto.h>

#include "age.h"
#include "agepipe.h"
#include "ageput.h"
#include "archive_probe.h"
#include "err.h"
#include "number.h"
#include "keyfile.h"
#include "lineio.h"
#include "minisign.h"
#include "monotime.h"
#include "progress.h"
#include "size.h"
#include "target.h"
#include "xalloc.h"

#define DEFAULT_PART (16LL << 20)
#define DEFAULT_CONCURRENCY 4

static void
usage(void)
{
	printf("usage: supload [options] KEY              (put stdin at KEY)\n"
	       "       supload -g [-i FILE] KEY            (KEY to stdout)\n"
	       "       supload -l [--json] [--stale] [PREFIX]  (list)\n"
	       "       supload -d [--dry-run]              (delete keys on stdin)\n"
	       "       supload -d --stale [--dry-run] [PREFIX]  (delete old "
	       "temporaries)\n"
	       "\n"
	       "  -g, --get               write the object KEY to stdout\n"
	       "  -l, --list              list objects: key, size, time\n"
	       "  -d, --delete            delete the keys read on stdin\n"
	       "      --dry-run           with -d: print what would be deleted\n"
	       "      --json              with -l: JSON lines\n"
	       "      --stale             with -l or -d: the temporaries of "
	       "killed puts\n"
	       "                          older than a day (BACKUP_DIR only)\n"
	       "      --part-size SIZE    multipart part size (default 16MiB, "
	       "at least 5MiB)\n"
	       "      --expected-size SIZE  pick a part size for this much input\n"
	       "  -j, --concurrency N     parts in flight (default 4)\n"
	       "      --verify-archive    store only a complete strongbox archive\n"
	       "      --verify-key PUBFILE  with --verify-archive: and signed with "
	       "this\n"
	       "                          minisign key (default "
	       "$BACKUP_SIGN_PUBKEY)\n"
	       "  -r, --recipient AGE1... encrypt to this age recipient "
	       "(repeatable)\n"
	       "  -R, --recipients-file FILE  encrypt to the recipients in FILE\n"
	       "      --encrypted         stdin is an age file already: store it "
	       "as it is\n"
	       "  -i, --identity FILE     with -g: decrypt with the age "
	       "identities in FILE\n"
	       "      --progress          bytes and rate on stderr (default when "
	       "a terminal)\n"
	       "      --timeout SECONDS   a transfer stalled this long is retried "
	       "(default 30)\n"
	       "      --retries N         attempts per request (default 8)\n"
	       "  -v, --verbose           each request on stderr\n"
	       "  -h, --help              this help\n"
	       "      --version           the version\n"
	       "\n"
	       "The target is the S3 bucket BACKUP_S3_BUCKET, else the directory\n"
	       "BACKUP_DIR (default " TARGET_DEFAULT_DIR "); see supload(1).\n"
	       "Encryption (age): BACKUP_AGE_RECIPIENTS, "
	       "BACKUP_AGE_RECIPIENTS_FILE,\n"
	       "BACKUP_ENCRYPT (all or cloud), BACKUP_AGE_IDENTITY.\n");
}

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
	s3_cancel();
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read() must return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
check_key(const char *key)
{
	const char *why;

	if (target_key_check(key, &why) < 0)
		die(EXIT_USAGE, "bad key \"%s\": %s", key, why);
}

static void
tap_probe(void *ctx, const void *data, size_t len)
{
	archive_probe_feed(ctx, data, len);
}

static int
accept_probe(void *ctx, char *why, size_t whylen)
{
	return archive_probe_finish(ctx, why, whylen);
}

/* Progress on stderr: a line rewritten in place on a terminal. */
struct progress {
	const char *what;   /* "read" or "written" */
	double start, last;
	long long bytes;
	int tty;
};

static void
progress_show(struct progress *p, int final)
{
	double el = monotime_now() - p->start;

	progress_line(p->tty, final, "%.1f MiB %s, %.1f MiB/s",
		p->bytes / 1048576.0, p->what,
		el > 0 ? p->bytes / 1048576.0 / el : 0.0);
}

static void
on_progress(void *ctx, long long bytes)
{
	struct progress *p = ctx;
	double t = monotime_now();

	p->bytes = bytes;
	if (t - p->last >= (p->tty ? 0.25 : 5.0)) {
		p->last = t;
		progress_show(p, 0);
	}
}

static void
progress_done(struct progress *p)
{
	if (p->last > 0 || p->tty)
		progress_show(p, 1);
}

/* The age recipients a put encrypts to (none: stored as it comes). */
struct keys {
	struct age_recipient *r;
	size_t nr;
	struct age_identity *id;
	size_t nid;
	struct minisign_pub *sign_pub; /* --verify-archive checks signatures */
};

/* The start of an --encrypted input, to check that it is an age file. */
struct age_start {
	char head[sizeof AGE_MAGIC - 1];
	size_t have;
};

static void
tap_start(void *ctx, const void *data, size_t len)
{
	struct age_start *a = ctx;
	size_t take = sizeof a->head - a->have;

	if (take > len)
		take = len;
	memcpy(a->head + a->have, data, take);
	a->have += take;
}

static int
accept_start(void *ctx, char *why, size_t whylen)
{
	struct age_start *a = ctx;

	if (a->have == sizeof a->head &&
	    memcmp(a->head, AGE_MAGIC, sizeof a->head) == 0)
		return 0;
	snprintf(why, whylen, "--encrypted, but the input is not an age file "
		"(age-encryption.org/v1)");
	return -1;
}

/* What accept_encrypted() finishes: the encryption, then the probe. */
struct encrypted_put {
	struct ageput *src;
	struct archive_probe *probe;
	long long bytes;
	char sha256[65];
};

static int
accept_encrypted(void *ctx, char *why, size_t whylen)
{
	struct encrypted_put *e = ctx;

	if (ageput_finish(e->src, &e->bytes, e->sha256, why, whylen) < 0) {
		if (e->probe) {
			char ignored[256];
			archive_probe_finish(e->probe, ignored, sizeof ignored);
		}
		return -1;
	}
	return e->probe ? archive_probe_finish(e->probe, why, whylen) : 0;
}

/*
 * The report of a put: the input's size and digest, and the stored
 * object's when they differ (encrypted here), or only the stored object's
 * when the input was encrypted already (its plaintext is not seen).
 */
static void
report(const char *key, const struct put_result *r, int sealed,
	const struct keys *k, const struct encrypted_put *enc, double start)
{
	int encrypted = sealed || k->nr > 0;
	json_t *j = json_pack("{s:s, s:o, s:o, s:b, s:s, s:i, s:f}", "key",
		key, "bytes", sealed ? json_null() : json_integer(
		(json_int_t)(k->nr ? enc->bytes : r->bytes)), "sha256",
		sealed ? json_null() : json_string(k->nr ? enc->sha256 :
		r->sha256), "encrypted", encrypted, "etag",
		r->etag ? r->etag : "", "parts", r->parts, "seconds",
		(double)(long long)((monotime_now() - start) * 1000) / 1000);

	if (j && k->nr && json_object_set_new(j, "recipients",
	    json_integer((json_int_t)k->nr)) < 0)
		j = NULL;
	if (j && encrypted &&
	    (json_object_set_new(j, "stored_bytes", json_integer(r->bytes)) < 0 ||
	     json_object_set_new(j, "stored_sha256", json_string(r->sha256)) < 0))
		j = NULL;
	if (!j)
		die(EXIT_FAIL, "cannot build the report");
	json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
	putchar('\n');
	json_decref(j);
}

static int
do_put(struct target *t, const char *key, long long part_size,
	int concurrency, int verify, int sealed, int show_progress,
	const struct keys *k)
{
	struct put_opts o = {.part_size = part_size,
		.concurrency = concurrency};
	struct progress prog = {"read", monotime_now(), 0, 0, isatty(STDERR_FILENO)};
	struct put_result r;
	struct s3_status st;
	struct archive_probe *probe = NULL;
	struct encrypted_put enc = {0};
	struct age_start age_start = {0};
	double start = monotime_now();

	o.sealed = sealed || k->nr > 0;
	if (sealed) {
		o.tap = tap_start;
		o.accept = accept_start;
		o.ctx = &age_start;
	}
	if (verify) {
		probe = archive_probe_start_signed(k->sign_pub);
		o.tap = tap_probe;
		o.accept = accept_probe;
		o.ctx = probe;
	}
	if (k->nr) {
		/*
		 * Encrypted in the put's reading thread, as it fills each
		 * part; the probe sees the plaintext, before it is encrypted.
		 */
		char why[300];
		enc.probe = probe;
		enc.src = ageput_new(STDIN_FILENO, k->r, k->nr,
			probe ? tap_probe : NULL, probe, why, sizeof why);
		if (!enc.src)
			die(EXIT_FAIL, "cannot encrypt: %s", why);
		o.fill = ageput_fill;
		o.fctx = enc.src;
		o.tap = NULL;
		o.accept = accept_encrypted;
		o.ctx = &enc;
	}
	if (show_progress) {
		o.progress = on_progress;
		o.pctx = &prog;
	}
	catch_signals();
	if (target_put(t, key, STDIN_FILENO, &o, &r, &st) < 0) {
		if (show_progress && prog.tty)
			fputc('\n', stderr);
		if (got_signal)
			die(EXIT_FAIL, "cannot put \"%s\": cancelled by signal "
				"%d; nothing stored", key, (int)got_signal);
		die(st.code ? st.code : EXIT_FAIL, "cannot put \"%s\": %s; "
			"nothing stored", key, st.msg);
	}
	if (show_progress)
		progress_done(&prog);
	report(key, &r, sealed, k, &enc, start);
	free(r.etag);
	ageput_free(enc.src);
	return EXIT_OK;
}

static int
do_get(struct target *t, const char *key, int show_progress,
	const struct keys *k)
{
	struct s3_status st;
	struct progress prog = {"written", monotime_now(), 0, 0, isatty(STDERR_FILENO)};
	struct agepipe *dec = NULL;
	char why[300];
	int out = STDOUT_FILENO, rc;

	if (isatty(STDOUT_FILENO))
		die(EXIT_FAIL, "not writing an object to a terminal: redirect "
			"stdout");
	catch_signals();
	if (k->nid)
		dec = agepipe_decrypt(STDOUT_FILENO, k->id, k->nid, &out);
	rc = target_get(t, key, out, show_progress ? on_progress : NULL,
		&prog, &st);
	if (rc < 0 && show_progress && prog.tty)
		fputc('\n', stderr);
	if (dec) {
		/* A decryption that failed first explains the get's failure. */
		int failed_first = agepipe_failed(dec);
		close(out);
		if (agepipe_finish(dec, NULL, why, sizeof why) < 0 &&
		    (rc == 0 || failed_first))
			die(EXIT_FAIL, "cannot decrypt \"%s\": %s", key, why);
	}
	if (rc < 0)
		die(st.code ? st.code : EXIT_FAIL, "cannot get \"%s\": %s",
			key, st.msg);
	if (show_progress)
		progress_done(&prog);
	return EXIT_OK;
}

static int
print_object(void *ctx, const struct target_object *o)
{
	int json = *(int *)ctx;

	if (json) {
		json_t *j = json_pack("{s:s, s:I, s:s}", "key", o->key, "size",
			(json_int_t)o->size, "time", o->time);
		if (j) {
			json_dumpf(j, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(j);
		}
	} else {
		printf("%s\t%lld\t%s\n", o->key, o->size, o->time);
	}
	return ferror(stdout) ? 1 : 0;
}

static int
do_list(struct target *t, const char *prefix, int json, int stale)
{
	struct s3_status st;

	if ((stale ? target_list_stale : target_list)(t, prefix, print_object,
	    &json, &st) < 0)
		die(st.code ? st.code : EXIT_FAIL, "cannot list \"%s\" in %s: %s",
			prefix, target_describe(t), st.msg);
	return EXIT_OK;
}

struct delete_tally {
	long deleted, failed;
};

static void
on_deleted(void *ctx, const char *key, const char *error)
{
	struct delete_tally *d = ctx;

	if (error) {
		warnmsg("cannot delete \"%s\": %s", key, error);
		d->failed++;
	} else {
		printf("%s\n", key);
		d->deleted++;
	}
}

static void
delete_batch(struct target *t, char **keys, size_t n,
	struct delete_tally *d)
{
	struct s3_status st;

	if (target_delete(t, keys, n, on_deleted, d, &st) < 0) {
		finish_stdout();
		die(st.code ? st.code : EXIT_FAIL, "cannot delete %zu key%s "
			"from \"%s\" on: %s", n, n == 1 ? "" : "s", keys[0],
			st.msg);
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
}

struct stale_keys {
	char **v;
	size_t n, cap;
};

static int
collect_key(void *ctx, const struct target_object *o)
{
	struct stale_keys *k = ctx;

	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 64;
		k->v = xreallocarray(k->v, k->cap, sizeof *k->v);
	}
	k->v[k->n++] = xstrdup(o->key);
	return 0;
}

/* -d --stale: removes the temporaries that -l --stale lists. */
static int
do_delete_stale(struct target *t, const char *prefix, int dry_run)
{
	struct stale_keys k = {0};
	struct delete_tally d = {0};
	struct s3_status st;

	if (target_list_stale(t, prefix, collect_key, &k, &st) < 0)
		die(st.code ? st.code : EXIT_FAIL, "cannot list the stale "
			"temporaries in %s: %s", target_describe(t), st.msg);
	for (size_t i = 0; i < k.n; i += TARGET_DELETE_BATCH) {
		size_t n = k.n - i < TARGET_DELETE_BATCH ? k.n - i :
			TARGET_DELETE_BATCH;
		if (dry_run) {
			for (size_t j = i; j < i + n; j++) {
				printf("%s\n", k.v[j]);
				free(k.v[j]);
			}
		} else {
			delete_batch(t, k.v + i, n, &d);
		}
	}
	free(k.v);
	return d.failed ? EXIT_FAIL : EXIT_OK;
}

static int
do_delete(struct target *t, int dry_run)
{
	struct lineio lr;
	struct delete_tally d = {0};
	char *line, *keys[TARGET_DELETE_BATCH];
	size_t n = 0;
	ssize_t len;

	lineio_init(&lr, stdin);
	while ((len = lineio_next(&lr, &line)) >= 0) {
		const char *why;
		/* A line of supload -l: the key is before the first tab. */
		char *tab = memchr(line, '\t', len);
		size_t keylen = tab ? (size_t)(tab - line) : (size_t)len;
		if (memchr(line, '\0', keylen)) {
			/* "k\0X" must not delete "k". */
			warnmsg("not deleting line %lu: the key has a control "
				"character (a NUL byte)", lr.lineno);
			d.failed++;
			continue;
		}
		line[keylen] = '\0';
		if (!*line)
			continue;
		if (target_key_check(line, &why) < 0) {
			warnmsg("not deleting \"%s\" (line %lu): %s", line,
				lr.lineno, why);
			d.failed++;
			continue;
		}
		if (dry_run) {
			printf("%s\n", line);
			continue;
		}
		keys[n++] = xstrdup(line);
		if (n == TARGET_DELETE_BATCH) {
			delete_batch(t, keys, n, &d);
			n = 0;
		}
	}
	if (n)
		delete_batch(t, keys, n, &d);
	lineio_free(&lr);
	return d.failed ? EXIT_FAIL : EXIT_OK;
}

static void
add_recipient(struct keys *k, const char *s)
{
	char why[200];

	k->r = xreallocarray(k->r, k->nr + 1, sizeof *k->r);
	if (age_recipient_parse(s, &k->r[k->nr], why, sizeof why) < 0)
		die_usage("--recipient \"%s\": %s", s, why);
	k->nr++;
}

static void
add_recipients_file(struct keys *k, const char *what, const char *path)
{
	char why[300], *text;

	if (keyfile_read(path, 0, &text, why, sizeof why) < 0)
		die(EXIT_FAIL, "%s: %s", what, why);
	if (age_recipients_parse_text(text, &k->r, &k->nr, why,
		sizeof why) < 0)
		die(EXIT_FAIL, "%s \"%s\": %s", what, path, why);
	free(text);
}

static void
add_identity_file(struct keys *k, const char *what, const char *path)
{
	char why[300], *text;

	if (keyfile_read(path, 1, &text, why, sizeof why) < 0)
		die(EXIT_FAIL, "%s: %s", what, why);
	if (age_identities_parse_text(text, &k->id, &k->nid, why,
		sizeof why) < 0) {
		OPENSSL_cleanse(text, strlen(text));
		die(EXIT_FAIL, "%s \"%s\": %s", what, path, why);
	}
	OPENSSL_cleanse(text, strlen(text));
	free(text);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * The recipients of the environment file, unless the command line named
 * some: BACKUP_AGE_RECIPIENTS (separated by spaces or commas) and
 * BACKUP_AGE_RECIPIENTS_FILE; BACKUP_ENCRYPT=cloud leaves a directory
 * target plain.
 */
static void
env_recipients(struct keys *k, const struct target *t)
{
	const char *mode = env("BACKUP_ENCRYPT"), *list;

	if (mode && strcmp(mode, "all") != 0 && strcmp(mode, "cloud") != 0)
		die(EXIT_FAIL, "BACKUP_ENCRYPT is \"%s\": want all or cloud",
			mode);
	if (k->nr)
		return;
	if (mode && strcmp(mode, "cloud") == 0 && !target_is_s3(t))
		return;
	if ((list = env("BACKUP_AGE_RECIPIENTS"))) {
		char *copy = xstrdup(list), *save = NULL;
		for (char *tok = strtok_r(copy, " \t\n,", &save); tok;
		     tok = strtok_r(NULL, " \t\n,", &save)) {
			char why[200];
			k->r = xreallocarray(k->r, k->nr + 1, sizeof *k->r);
			if (age_recipient_parse(tok, &k->r[k->nr], why,
				sizeof why) < 0)
				die(EXIT_FAIL, "BACKUP_AGE_RECIPIENTS: \"%s\": %s",
					tok, why);
			k->nr++;
		}
		free(copy);
	}
	if ((list = env("BACKUP_AGE_RECIPIENTS_FILE")))
		add_recipients_file(k, "BACKUP_AGE_RECIPIENTS_FILE", list);
}

int
main(int argc, char **argv)
{
	enum { OPT_DRY_RUN = 256, OPT_ENCRYPTED, OPT_EXPECTED, OPT_JSON, OPT_PART,
		OPT_PROGRESS, OPT_RETRIES, OPT_STALE, OPT_TIMEOUT, OPT_VERIFY,
		OPT_VERIFY_KEY,
		OPT_VERSION };
	static const struct option longopts[] = {
		{"concurrency", required_argument, NULL, 'j'},
		{"delete", no_argument, NULL, 'd'},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"encrypted", no_argument, NULL, OPT_ENCRYPTED},
		{"expected-size", required_argument, NULL, OPT_EXPECTED},
		{"get", no_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		{"identity", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, OPT_JSON},
		{"list", no_argument, NULL, 'l'},
		{"part-size", required_argument, NULL, OPT_PART},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"recipient", required_argument, NULL, 'r'},
		{"recipients-file", required_argument, NULL, 'R'},
		{"retries", required_argument, NULL, OPT_RETRIES},
		{"stale", no_argument, NULL, OPT_STALE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"verbose", no_argument, NULL, 'v'},
		{"verify-archive", no_argument, NULL, OPT_VERIFY},
		{"verify-key", required_argument, NULL, OPT_VERIFY_KEY},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	struct target_tuning tun = {0};
	long long part_size = 0, expected = -1;
	int mode = 'p', concurrency = DEFAULT_CONCURRENCY, json = 0;
	int dry_run = 0, verify = 0, stale = 0, sealed = 0, c, ret;
	int show_progress = isatty(STDERR_FILENO);
	struct target *t;
	struct keys keys = {0};
	const char *identity = NULL, *verify_key = NULL;

	err_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "dghi:j:lR:r:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
		case 'g':
		case 'l':
			if (mode != 'p' && mode != c)
				die_usage("-d, -g and -l exclude each other");
			mode = c;
			break;
		case 'h':
			usage();
			finish_stdout();
			return EXIT_OK;
		case 'i':
			identity = optarg;
			break;
		case 'R':
			add_recipients_file(&keys, "--recipients-file", optarg);
			break;
		case 'r':
			add_recipient(&keys, optarg);
			break;
		case 'j':
			concurrency = (int)number_option("--concurrency", optarg, 1,
				64);
			break;
		case 'v':
			tun.verbose = 1;
			break;
		case OPT_DRY_RUN:
			dry_run = 1;
			break;
		case OPT_ENCRYPTED:
			sealed = 1;
			break;
		case OPT_EXPECTED:
			expected = (long long)size_option("--expected-size",
				optarg, 0, LLONG_MAX);
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_PART:
			part_size = (long long)size_option("--part-size", optarg,
				PUT_MIN_PART, PUT_MAX_PART);
			break;
		case OPT_PROGRESS:
			show_progress = 1;
			break;
		case OPT_RETRIES:
			tun.max_attempts = (int)number_option("--retries", optarg,
				1, 100);
			break;
		case OPT_STALE:
			stale = 1;
			break;
		case OPT_TIMEOUT:
			tun.stall_timeout = number_option("--timeout", optarg, 1,
				3600);
			break;
		case OPT_VERIFY:
			verify = 1;
			break;
		case OPT_VERIFY_KEY:
			verify_key = optarg;
			break;
		case OPT_VERSION:
			print_version();
		default:
			die_bad_option("dghi:j:lR:r:v", argv);
		}
	}
	argc -= optind;
	argv += optind;

	if (dry_run && mode != 'd')
		die_usage("--dry-run goes with -d");
	if (json && mode != 'l')
		die_usage("--json goes with -l");
	if (stale && mode != 'l' && mode != 'd')
		die_usage("--stale goes with -l or -d");
	if (mode != 'p' && (verify || part_size || expected >= 0))
		die_usage("--verify-archive, --part-size and --expected-size go "
			"with a put");
	if (verify_key && !verify)
		die_usage("--verify-key goes with --verify-archive");
	if (mode != 'p' && keys.nr)
		die_usage("--recipient and --recipients-file go with a put");
	if (mode != 'p' && sealed)
		die_usage("--encrypted goes with a put");
	if (sealed && keys.nr)
		die_usage("--encrypted stores the input as it is: no "
			"--recipient or --recipients-file");
	if (sealed && verify)
		die_usage("--verify-archive cannot check an --encrypted input "
			"(its plaintext is not seen)");
	if (mode != 'g' && identity)
		die_usage("--identity goes with -g");
	if (mode == 'p' || mode == 'g') {
		if (argc != 1)
			die_usage(mode == 'g' ? "-g wants one KEY" :
				"want one KEY to put stdin at");
		check_key(argv[0]);
	} else if (mode == 'l' && argc > 1) {
		die_usage("-l wants at most one PREFIX");
	} else if (mode == 'd' && stale && argc > 1) {
		die_usage("-d --stale wants at most one PREFIX");
	} else if (mode == 'd' && !stale && argc > 0) {
		die_usage("-d reads the keys on stdin, not as operands");
	}
	if (mode == 'p') {
		if (expected >= 0 && !part_size) {
			/* A tenth of a margin below the 10,000 parts limit. */
			long long want = expected / 9000 + 1;
			want = (want + (1 << 20) - 1) & ~((1LL << 20) - 1);
			part_size = want > DEFAULT_PART ? want : DEFAULT_PART;
			if (part_size > PUT_MAX_PART)
				die_usage("--expected-size: too large for 10000 "
					"parts of at most 5GiB");
		} else if (expected >= 0 && part_size * PUT_MAX_PARTS < expected) {
			die_usage("--part-size is too small for "
				"--expected-size: 10000 parts at most");
		}
		if (!part_size)
			part_size = DEFAULT_PART;
	}

	t = target_from_env(&tun);
	if (mode == 'p' && !sealed)
		env_recipients(&keys, t);
	/* $BACKUP_SIGN_PUBKEY only where there is an archive to check. */
	keys.sign_pub = minisign_pub_load(verify_key,
		verify ? "BACKUP_SIGN_PUBKEY" : NULL);
	if (mode == 'g' && !identity)
		identity = env("BACKUP_AGE_IDENTITY");
	if (identity)
		add_identity_file(&keys, identity == getenv(
			"BACKUP_AGE_IDENTITY") ? "BACKUP_AGE_IDENTITY" :
			"--identity", identity);
	switch (mode) {
	case 'g':
		ret = do_get(t, argv[0], show_progress, &keys);
		break;
	case 'l':
		ret = do_list(t, argc ? argv[0] : "", json, stale);
		break;
	case 'd':
		ret = stale ? do_delete_stale(t, argc ? argv[0] : "", dry_run) :
			do_delete(t, dry_run);
		break;
	default:
		ret = do_put(t, argv[0], part_size, concurrency, verify,
			sealed, show_progress, &keys);
	}
	target_free(t);
	free(keys.r);
	free(keys.sign_pub);
	if (keys.id)
		OPENSSL_cleanse(keys.id, keys.nid * sizeof *keys.id);
	free(keys.id);
	finish_stdout();
	return ret;
}
