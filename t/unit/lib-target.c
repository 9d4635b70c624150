/*
 * Unit tests of the pure parts of supload's library: key validation
 * (lib/target.c), endpoint parsing (lib/s3.c) and the trailer check of
 * --verify-archive (lib/archive_probe.c).
 */
#include <stdlib.h>
#include <string.h>

#include "archive_probe.h"
#include "s3.h"
#include "tap.h"
#include "target.h"

static void
key_ok(const char *key)
{
	const char *why = NULL;
	ok(target_key_check(key, &why) == 0, "key \"%s\" accepted", key);
}

static void
key_bad(const char *key, const char *title, const char *want)
{
	const char *why = "";
	int r = target_key_check(key, &why);
	ok(r < 0 && strstr(why, want), "%s refused (%s)", title, why);
}

static void
endpoint(const char *url, const char *scheme, const char *host, int port)
{
	struct s3_config c = {0};
	const char *why = NULL;
	int r = s3_config_endpoint(&c, url, &why);

	ok(r == 0 && strcmp(c.scheme, scheme) == 0 &&
		strcmp(c.host, host) == 0 && c.port == port,
		"endpoint %s -> %s %s %d", url, scheme, host, port);
	s3_config_free(&c);
}

static void
endpoint_bad(const char *url)
{
	struct s3_config c = {0};
	const char *why = NULL;

	ok(s3_config_endpoint(&c, url, &why) < 0 && why,
		"endpoint %s refused (%s)", url, why ? why : "");
	s3_config_free(&c);
}

static void
trailer(const char *json, int want_ok, const char *title)
{
	char why[512] = "";
	int r = archive_probe_check_trailer(json, strlen(json), why, sizeof why);

	ok(want_ok ? r == 0 : r < 0 && *why, "trailer: %s%s%s", title,
		*why ? ": " : "", why);
}

int
main(void)
{
	key_ok("branch-a/backups/branch-a_20260217_220005.sdump");
	key_ok("a b+c=d~e/\xc3\xbc" "nic\xc3\xb6" "de \xe6\x97\xa5\xe6\x9c\xac");
	key_ok("..a/b..");
	key_bad("", "empty key", "empty");
	key_bad("/abs", "leading /", "starts with /");
	key_bad("dir/", "trailing /", "ends with /");
	key_bad("a//b", "empty segment", "empty path segment");
	key_bad("a/../b", "..", ". or ..");
	key_bad("./a", ".", ". or ..");
	key_bad("a\nb", "newline", "control");
	key_bad("a\tb", "tab", "control");
	key_bad("a\x7f", "DEL", "control");
	key_bad("a\xc2\x85", "C1 control (NEL)", "control");
	key_bad("a\xff", "invalid UTF-8", "UTF-8");
	key_bad("a\xc3", "truncated UTF-8", "UTF-8");
	key_bad(".strongbox-tmp.abc", "a temporary's name", "temporary");
	key_bad("a/.strongbox-tmp.x", "a temporary's name below a/", "temporary");
	key_bad("a/.strongbox-tmp.d/k", "a temporary's name as a directory",
		"temporary");
	key_bad(".supload.ABC", "an old temporary's name", "temporary");
	key_bad("a/.supload.x", "an old temporary's name below a/", "temporary");
	key_ok("a/x.strongbox-tmp.b");
	key_ok("a/.strongbox-tm");
	char *long_key = malloc(1026);
	memset(long_key, 'k', 1025);
	long_key[1025] = '\0';
	key_bad(long_key, "1025 bytes", "1024");
	free(long_key);

	endpoint("http://127.0.0.1:9000", "http", "127.0.0.1", 9000);
	endpoint("https://s3.eu-west-1.amazonaws.com", "https",
		"s3.eu-west-1.amazonaws.com", 0);
	endpoint("https://minio.example:443/", "https", "minio.example", 443);
	endpoint("r2.example.com", "https", "r2.example.com", 0);
	endpoint("http://[::1]:9000", "http", "[::1]", 9000);
	endpoint_bad("ftp://host");
	endpoint_bad("https://host/bucket");
	endpoint_bad("https://host:99999");
	endpoint_bad("https://:9000");

	trailer("{\"format\":\"strongbox\",\"version\":1,\"complete\":true,"
		"\"tables\":[{\"schema\":\"public\",\"name\":\"t\"}]}", 1,
		"complete trailer");
	trailer("{\"format\":\"strongbox\",\"tables\":[]}", 1,
		"the minimal trailer");
	trailer("{\"format\":\"strongbox\",\"tables\":[],\"complete\":false}",
		0, "complete false");
	trailer("{\"format\":\"pgdump\",\"tables\":[]}", 0, "another format");
	trailer("{\"format\":\"strongbox\"}", 0, "no tables");
	trailer("[1,2]", 0, "not an object");
	trailer("{\"format\":\"strongbox\",\"tables\":[", 0, "truncated JSON");
	return done_testing();
}
