/*
 * Unit tests of lib/minisign.c: keys and signatures made by minisign 0.11
 * (t/data/minisign/mkvectors.sh) are read and verified, ours verify, and
 * with minisign on PATH `minisign -V` accepts ours.  argv[1] is the
 * vectors' directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "minisign.h"
#include "readfile.h"
#include "xalloc.h"
#include "tap.h"

static const char *datadir;

/* A vector of datadir, whole and NUL-terminated (lib/readfile.c), or NULL. */
static char *
slurp(const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", datadir, name), *why = NULL;
	size_t n;
	char *p = readfile(path, &n, &why);

	free(why);
	free(path);
	if (len)
		*len = n;
	return p;
}

/* Copies a vector to dir with mode, returns the new path. */
static char *
copy_mode(const char *dir, const char *name, mode_t mode)
{
	char *text = slurp(name, NULL), *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	fputs(text ? text : "", f);
	fclose(f);
	chmod(path, mode);
	free(text);
	return path;
}

/*
 * In a child: minisign_sec_load() (secret) or minisign_pub_load() of
 * path.  Returns its exit status; its first line on stderr goes to line.
 */
static int
load_dies(const char *path, int secret, char *line, size_t n)
{
	int fds[2], status = -1;
	ssize_t got;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 2);
		if (secret)
			minisign_sec_load(path, NULL);
		else
			minisign_pub_load(path, NULL);
		_exit(0);
	}
	close(fds[1]);
	got = read(fds[0], line, n - 1);
	line[got > 0 ? got : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
main(int argc, char **argv)
{
	struct minisign_pub pub, pub2;
	struct minisign_sec sec;
	char why[300], dir[] = "/tmp/strongbox-unit-XXXXXX", *path, *sig;
	char *msg, *hashed, *legacy, *pubtext, *enc, *comment = NULL, hex[17];
	size_t msglen, hlen, llen;

	datadir = argc > 1 ? argv[1] : "t/data/minisign";
	if (!mkdtemp(dir))
		return 1;
	msg = slurp("msg.txt", &msglen);
	hashed = slurp("msg-hashed.minisig", &hlen);
	legacy = slurp("msg-legacy.minisig", &llen);
	pubtext = slurp("test.pub", NULL);
	enc = slurp("encrypted.key", NULL);
	if (!msg || !hashed || !legacy || !pubtext || !enc)
		return 1;

	printf("# BLAKE2b-256 in this OpenSSL: %s\n",
		minisign_checksum_supported() ? "yes, key checksums verified" :
		"no, key checksums not verified");
	ok(minisign_pub_parse(pubtext, &pub, why, sizeof why) == 0,
		"minisign -G's public key file parses");
	minisign_keyid_hex(pub.keyid, hex);
	ok(strstr(pubtext, hex) != NULL, "its key id prints as minisign's (%s)",
		hex);
	ok(minisign_pub_parse(strchr(pubtext, '\n') + 1, &pub2, why,
		sizeof why) == 0 && memcmp(&pub, &pub2, sizeof pub) == 0,
		"the bare base64 line parses too");
	ok(minisign_pub_parse("untrusted comment: x\nRWQ=\n", &pub2, why,
		sizeof why) < 0, "a short key is refused: %s", why);

	ok(minisign_verify(&pub, msg, msglen, hashed, hlen, &comment, why,
		sizeof why) == 0 && comment && strstr(comment, "hashed"),
		"minisign -S's prehashed signature verifies");
	free(comment);
	ok(minisign_verify(&pub, msg, msglen, legacy, llen, NULL, why,
		sizeof why) == 0, "minisign -S -l's legacy signature verifies");
	msg[0] ^= 1;
	ok(minisign_verify(&pub, msg, msglen, hashed, hlen, NULL, why,
		sizeof why) < 0 && strstr(why, "does not match"),
		"a changed message fails: %s", why);
	ok(minisign_verify(&pub, msg, msglen, legacy, llen, NULL, why,
		sizeof why) < 0, "legacy too");
	msg[0] ^= 1;
	{
		/* A rewritten trusted comment. */
		char *t = xstrdup(hashed), *c = strstr(t, "hashed");
		c[0] = 'H';
		ok(minisign_verify(&pub, msg, msglen, t, strlen(t), NULL, why,
			sizeof why) < 0 && strstr(why, "trusted comment"),
			"a changed trusted comment fails: %s", why);
		free(t);
	}
	ok(minisign_verify(&pub, msg, msglen, "garbage\n", 8, NULL, why,
		sizeof why) < 0 && strstr(why, "not a minisign signature"),
		"garbage is not a signature");

	/* The secret key: 0600 only, unencrypted only. */
	path = copy_mode(dir, "test.key", 0644);
	ok(minisign_sec_read(path, &sec, why, sizeof why) < 0 &&
		strstr(why, "chmod 600"), "a 0644 secret key is refused: %s",
		why);
	chmod(path, 0600);
	ok(minisign_sec_read(path, &sec, why, sizeof why) == 0 &&
		memcmp(sec.keyid, pub.keyid, 8) == 0 &&
		memcmp(sec.pk, pub.pk, 32) == 0,
		"minisign -G -W's secret key, 0600, is read");
	unlink(path);
	free(path);
	path = copy_mode(dir, "encrypted.key", 0600);
	ok(minisign_sec_read(path, &sec, why, sizeof why) < 0 &&
		strstr(why, "-W"), "a password-protected key is refused: %s",
		why);
	unlink(path);
	free(path);
	{
		/* A damaged secret half is caught. */
		struct minisign_sec s2;
		char *t = slurp("test.key", NULL), *l = strchr(t, '\n') + 1;
		l[120] = l[120] == 'A' ? 'B' : 'A';
		ok(minisign_sec_parse(t, &s2, why, sizeof why) < 0 &&
			strstr(why, "damaged"), "a damaged secret key: %s", why);
		free(t);
	}

	/* Ours verify with ours, and name another key. */
	path = copy_mode(dir, "test.key", 0600);
	minisign_sec_read(path, &sec, why, sizeof why);
	sig = minisign_sign(&sec, msg, msglen, "timestamp:1\tfile:msg.txt\t"
		"hashed");
	ok(sig && minisign_verify(&pub, msg, msglen, sig, strlen(sig),
		&comment, why, sizeof why) == 0 && strcmp(comment,
		"timestamp:1\tfile:msg.txt\thashed") == 0, "our signature "
		"verifies");
	free(comment);
	ok(sig && strncmp(strchr(sig, '\n') + 1, "RUR", 2) == 0,
		"it is the prehashed kind (ED)");
	{
		struct minisign_pub other = pub;
		other.keyid[0] ^= 1;
		other.pk[0] ^= 1;
		ok(minisign_verify(&other, msg, msglen, sig, strlen(sig), NULL,
			why, sizeof why) < 0 && strstr(why, "another key"),
			"another key: %s", why);
	}
	if (system("command -v minisign >/dev/null 2>&1") == 0) {
		char *m = xasprintf("%s/msg.txt", dir), *s = xasprintf(
			"%s/msg.txt.minisig", dir), *cmd;
		FILE *f = fopen(m, "w");
		fwrite(msg, 1, msglen, f);
		fclose(f);
		f = fopen(s, "w");
		fputs(sig, f);
		fclose(f);
		cmd = xasprintf("minisign -V -q -p %s/test.pub -m %s",
			datadir, m);
		ok(system(cmd) == 0, "minisign -V accepts our signature");
		free(cmd);
		cmd = xasprintf("minisign -V -q -H -p %s/test.pub -m %s",
			datadir, m);
		ok(system(cmd) == 0, "minisign -V -H (prehashed only) too");
		free(cmd);
		f = fopen(m, "a");
		fputs("x", f);
		fclose(f);
		cmd = xasprintf("minisign -V -q -p %s/test.pub -m %s 2>/dev/null",
			datadir, m);
		ok(system(cmd) != 0, "and refuses it for other content");
		free(cmd);
		unlink(m);
		unlink(s);
		free(m);
		free(s);
	} else {
		printf("# minisign not installed: skipping minisign -V\n");
	}

	/* A tool's keys: the option's file, else the environment's. */
	{
		struct minisign_sec *sk;
		struct minisign_pub *pk;
		char *pubpath = xasprintf("%s/test.pub", datadir), line[300];

		err_init("sdump");
		unsetenv("T_SIGN_KEY");
		ok(minisign_sec_load(NULL, "T_SIGN_KEY") == NULL &&
			minisign_sec_load(NULL, NULL) == NULL,
			"no file and no variable: no key");
		setenv("T_SIGN_KEY", "", 1);
		ok(minisign_sec_load(NULL, "T_SIGN_KEY") == NULL,
			"an empty variable names no key");
		setenv("T_SIGN_KEY", path, 1);
		sk = minisign_sec_load(NULL, "T_SIGN_KEY");
		ok(sk && memcmp(sk->pk, pub.pk, 32) == 0,
			"the variable's secret key");
		minisign_sec_free(sk);
		minisign_sec_free(NULL);
		setenv("T_SIGN_PUB", "/nonexistent", 1);
		pk = minisign_pub_load(pubpath, "T_SIGN_PUB");
		ok(pk && memcmp(pk, &pub, sizeof pub) == 0,
			"the file named wins over the variable");
		free(pk);
		is_int(load_dies("/nonexistent/k.pub", 0, line, sizeof line), 1,
			"a public key that cannot be read: exit 1");
#define PREFIX_PUB "sdump: cannot use the verification key: "
		ok(strncmp(line, PREFIX_PUB, strlen(PREFIX_PUB)) == 0 &&
			strstr(line, "/nonexistent/k.pub"),
			"  %s", line);
		is_int(load_dies(pubpath, 1, line, sizeof line), 1,
			"a public key as the secret key: exit 1");
#define PREFIX_SEC "sdump: cannot use the signing key: "
		ok(strncmp(line, PREFIX_SEC, strlen(PREFIX_SEC)) == 0,
			"  %s", line);
		free(pubpath);
	}
	free(sig);
	unlink(path);
	free(path);
	rmdir(dir);
	free(msg);
	free(hashed);
	free(legacy);
	free(pubtext);
	free(enc);
	return done_testing();
}
