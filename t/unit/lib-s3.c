/* Unit tests of lib/s3.c: endpoint parsing. */
#include <stdlib.h>
#include <string.h>

#include "s3.h"
#include "tap.h"

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

int
main(void)
{
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
	return done_testing();
}
