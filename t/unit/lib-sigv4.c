/*
 * Unit tests of lib/sigv4.c against the worked examples AWS publishes: the
 * four S3 examples of "Signature Calculations for the Authorization Header"
 * (AKIAIOSFODNN7EXAMPLE, 20130524) and the signing-key derivation example
 * of the general SigV4 reference (20120215, us-east-1, iam); then S3's
 * encoding rules.
 */
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"
#include "tap.h"

#define AK "AKIAIOSFODNN7EXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define HOST "examplebucket.s3.amazonaws.com"
#define DATE "20130524T000000Z"

static void
example(const char *title, const char *method, const char *uri,
	const struct sigv4_param *q, size_t nq, const struct sigv4_header *h,
	size_t nh, const char *payload, const char *want_sts,
	const char *want_sig, const char *want_auth)
{
	struct sigv4_output out;
	char hash[65];
	char *query = sigv4_canonical_query(q, nq);
	struct sigv4_input in = {
		.method = method, .canonical_uri = uri,
		.canonical_query = query, .headers = h, .nheaders = nh,
		.payload_sha256 = hash, .amz_date = DATE,
		.region = "us-east-1", .service = "s3", .access_key = AK,
		.secret_key = SK,
	};

	sigv4_sha256_hex(payload, strlen(payload), hash);
	sigv4_sign(&in, &out);
	is_str(out.string_to_sign, want_sts, "%s: string to sign", title);
	is_str(out.signature, want_sig, "%s: signature", title);
	is_str(out.authorization, want_auth, "%s: Authorization", title);
	sigv4_output_free(&out);
	free(query);
}

static void
test_aws_examples(void)
{
	/* GET Object with Range. */
	struct sigv4_header get[] = {
		{"Host", HOST},
		{"Range", "bytes=0-9"},
		{"x-amz-content-sha256", SIGV4_EMPTY_SHA256},
		{"x-amz-date", DATE},
	};
	example("GET object", "GET", "/test.txt", NULL, 0, get, 4, "",
		"AWS4-HMAC-SHA256\n" DATE "\n20130524/us-east-1/s3/aws4_request\n"
		"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
		"f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=" AK "/20130524/us-east-1/s3/"
		"aws4_request,SignedHeaders=host;range;x-amz-content-sha256;"
		"x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170"
		"aba48dd91039c6036bdb41");

	/* PUT Object: the key "test$file.text" is encoded in the path. */
	char *key = sigv4_uri_encode("test$file.text", 14, 1);
	char *uri = malloc(strlen(key) + 2);
	strcpy(uri, "/");
	strcat(uri, key);
	is_str(uri, "/test%24file.text", "PUT object: canonical URI");
	struct sigv4_header put[] = {
		{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
		{"Host", HOST},
		{"x-amz-date", DATE},
		{"x-amz-storage-class", "REDUCED_REDUNDANCY"},
		{"x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2"
			"b6b4b4e99e42034a8b803f8b072"},
	};
	example("PUT object", "PUT", uri, NULL, 0, put, 5,
		"Welcome to Amazon S3.",
		"AWS4-HMAC-SHA256\n" DATE "\n20130524/us-east-1/s3/aws4_request\n"
		"9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
		"98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		"AWS4-HMAC-SHA256 Credential=" AK "/20130524/us-east-1/s3/"
		"aws4_request,SignedHeaders=date;host;x-amz-content-sha256;"
		"x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a"
		"55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
	free(key);
	free(uri);

	/* GET Bucket lifecycle: a parameter with no value signs as "lifecycle=". */
	struct sigv4_header bucket[] = {
		{"Host", HOST},
		{"x-amz-content-sha256", SIGV4_EMPTY_SHA256},
		{"x-amz-date", DATE},
	};
	struct sigv4_param lc[] = {{"lifecycle", NULL}};
	example("GET bucket lifecycle", "GET", "/", lc, 1, bucket, 3, "",
		"AWS4-HMAC-SHA256\n" DATE "\n20130524/us-east-1/s3/aws4_request\n"
		"9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
		"fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		"AWS4-HMAC-SHA256 Credential=" AK "/20130524/us-east-1/s3/"
		"aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
		"Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a"
		"0136783543");

	/* List objects: parameters sorted (given out of order here). */
	struct sigv4_param list[] = {{"prefix", "J"}, {"max-keys", "2"}};
	example("list objects", "GET", "/", list, 2, bucket, 3, "",
		"AWS4-HMAC-SHA256\n" DATE "\n20130524/us-east-1/s3/aws4_request\n"
		"df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
		"34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		"AWS4-HMAC-SHA256 Credential=" AK "/20130524/us-east-1/s3/"
		"aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
		"Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed571"
		"1ef69dc6f7");
}

static void
test_signing_key(void)
{
	unsigned char key[32];
	char hex[65];

	sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"20120215", "us-east-1", "iam", key);
	sigv4_hex(key, 32, hex);
	is_str(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d4"
		"14db404d", "signing key derivation example (kSigning)");
}

static void
enc(const char *in, int keep_slash, const char *want, const char *title)
{
	char *got = sigv4_uri_encode(in, strlen(in), keep_slash);
	is_str(got, want, "%s", title);
	free(got);
}

static void
test_encoding(void)
{
	enc("a b", 1, "a%20b", "space is %20, never +");
	enc("a+b", 1, "a%2Bb", "+ is %2B");
	enc("branch-a/backups/x_1.sdump", 1, "branch-a/backups/x_1.sdump",
		"/ kept in a key, unreserved kept");
	enc("a/b", 0, "a%2Fb", "/ encoded in a query value");
	enc("k=v~x", 1, "k%3Dv~x", "= encoded, ~ kept");
	enc("caf\xc3\xa9", 1, "caf%C3%A9", "non-ASCII bytes, uppercase hex");
	enc("*!'()$&,;:@", 1, "%2A%21%27%28%29%24%26%2C%3B%3A%40",
		"sub-delims encoded");

	struct sigv4_param p[] = {
		{"list-type", "2"},
		{"continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="},
		{"prefix", "a b+c/"},
	};
	char *q = sigv4_canonical_query(p, 3);
	is_str(q, "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36"
		"Hy4vbOwM%3D&list-type=2&prefix=a%20b%2Bc%2F",
		"continuation token with = and / encoded, parameters sorted");
	free(q);
	q = sigv4_canonical_query(NULL, 0);
	is_str(q, "", "no parameters: empty query");
	free(q);

	char *h = sigv4_host_header("http", "127.0.0.1", 9000);
	is_str(h, "127.0.0.1:9000", "Host keeps a non-default port");
	free(h);
	h = sigv4_host_header("https", "s3.example.com", 443);
	is_str(h, "s3.example.com", "Host drops 443 for https");
	free(h);
	h = sigv4_host_header("http", "minio", 80);
	is_str(h, "minio", "Host drops 80 for http");
	free(h);
	h = sigv4_host_header("https", "minio", 80);
	is_str(h, "minio:80", "Host keeps 80 for https");
	free(h);
}

static void
test_misc(void)
{
	char d[17], md5[25];
	struct sigv4_output out;
	struct sigv4_header hh[] = {
		{"X-Amz-Meta-A", "  two   spaces\there  "},
		{"host", "h"},
	};
	struct sigv4_input in = {
		.method = "GET", .canonical_uri = "/", .canonical_query = "",
		.headers = hh, .nheaders = 2,
		.payload_sha256 = "UNSIGNED-PAYLOAD", .amz_date = DATE,
		.region = "r", .service = "s3", .access_key = "a",
		.secret_key = "s",
	};

	sigv4_amz_date(1369353600, d);
	is_str(d, "20130524T000000Z", "x-amz-date format");
	sigv4_md5_base64("", 0, md5);
	is_str(md5, "1B2M2Y8AsgTpgAmY7PhCfg==", "Content-MD5 of nothing");
	sigv4_sign(&in, &out);
	ok(strstr(out.canonical_request,
		"host:h\nx-amz-meta-a:two spaces here\n\nhost;x-amz-meta-a\n"),
		"header names lowercased and sorted, values trimmed and folded");
	ok(strstr(out.authorization, "s3/aws4_request") &&
		!strstr(out.authorization, ",Signature=s,"),
		"the secret is not in the Authorization header");
	sigv4_output_free(&out);
}

int
main(void)
{
	test_aws_examples();
	test_signing_key();
	test_encoding();
	test_misc();
	return done_testing();
}
