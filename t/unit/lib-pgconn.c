/* Unit tests of lib/pgconn.c that need no server: URL rewriting, masking,
 * quoting, where the conninfo comes from. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pgconn.h"
#include "tap.h"

static void
norm(const char *in, const char *want, const char *title)
{
	char *got = pgconn_normalize(in);

	is_str(got, want, "%s", title);
	free(got);
}

static void
mask(const char *in, const char *want, const char *title)
{
	char *got = pgconn_mask(in);

	is_str(got, want, "%s", title);
	free(got);
}

int
main(void)
{
	char *s;

	err_init("sdump");
	norm("postgresql://u:p@h:5432/salon_db", "postgresql://u:p@h:5432/salon_db",
	     "postgresql:// unchanged");
	norm("postgres://u:p@h/salon_db", "postgresql://u:p@h/salon_db",
	     "postgres:// rewritten");
	norm("postgresql+asyncpg://u:p@h/salon_db",
	     "postgresql://u:p@h/salon_db", "postgresql+asyncpg:// rewritten");
	norm("postgresql+psycopg2://u@h/db", "postgresql://u@h/db",
	     "postgresql+psycopg2:// rewritten");
	norm("postgres+psycopg://u@h/db", "postgresql://u@h/db",
	     "postgres+psycopg:// rewritten");
	norm("POSTGRESQL+ASYNCPG://h/db", "postgresql://h/db",
	     "scheme is case-insensitive");
	norm("postgresql+asyncpg://u:p@h/db?ssl=require",
	     "postgresql://u:p@h/db?sslmode=require", "asyncpg ssl= becomes sslmode=");
	norm("postgresql+asyncpg://h/db?ssl=true&connect_timeout=5",
	     "postgresql://h/db?sslmode=require&connect_timeout=5",
	     "ssl=true is require, other parameters kept");
	norm("postgres://h/db?ssl=false", "postgresql://h/db?sslmode=disable",
	     "ssl=false is disable");
	norm("postgres://h/db?sslmode=verify-full",
	     "postgresql://h/db?sslmode=verify-full", "sslmode= kept");
	norm("host=h dbname=salon_db user=u", "host=h dbname=salon_db user=u",
	     "keyword/value conninfo unchanged");
	norm("mysql://h/db", "mysql://h/db", "other schemes left to libpq");
	norm("postgresqlx://h/db", "postgresqlx://h/db",
	     "a scheme that only starts with postgresql is not ours");
	norm("salon_db", "salon_db", "a bare database name unchanged");

	mask("postgresql://u:s3cret@h/db", "postgresql://u:xxxxx@h/db",
	     "URL password masked");
	mask("postgresql+asyncpg://u:s3cret@h/db?x=s3cret",
	     "postgresql+asyncpg://u:xxxxx@h/db?x=xxxxx",
	     "every occurrence masked");
	mask("postgresql://u@h/db", "postgresql://u@h/db", "no password, unchanged");
	mask("host=h password=s3cret dbname=db", "host=h password=xxxxx dbname=db",
	     "conninfo password masked");
	mask("host=h password='a b' dbname=db",
	     "host=h password='xxxxx' dbname=db", "quoted conninfo password masked");

	s = pgconn_quote_ident("Bill \"Items\"");
	is_str(s, "\"Bill \"\"Items\"\"\"", "identifier quoting doubles quotes");
	free(s);
	s = pgconn_quote_qualified("my schema", "T\"x");
	is_str(s, "\"my schema\".\"T\"\"x\"", "qualified name quotes both parts");
	free(s);
	s = pgconn_quote_literal("it's");
	is_str(s, "'it''s'", "literal quoting doubles single quotes");
	free(s);
	s = pgconn_quote_literal("a\\b");
	is_str(s, "E'a\\\\b'", "literal with a backslash uses E''");
	free(s);

	/* The classifier: a retry helps (75) or it does not (1). */
	is_int(pgconn_classify("connection to server at \"127.0.0.1\", port 1 "
	                       "failed: Connection refused Is the server "
	                       "running on that host and accepting TCP/IP "
	                       "connections?", PQPING_NO_RESPONSE),
	       75, "connection refused: 75");
	is_int(pgconn_classify("connection to server on socket \"/x/.s.PGSQL.5\" "
	                       "failed: No such file or directory",
	                       PQPING_NO_RESPONSE),
	       75, "no socket, no answer: 75");
	is_int(pgconn_classify("connection to server at \"h\" failed: "
	                       "timeout expired", PQPING_NO_RESPONSE),
	       75, "timeout: 75");
	is_int(pgconn_classify("connection to server at \"h\" failed: FATAL: "
	                       "the database system is starting up",
	                       PQPING_REJECT),
	       75, "starting up: 75");
	is_int(pgconn_classify("connection to server at \"h\" failed: FATAL: "
	                       "sorry, too many clients already", PQPING_OK),
	       75, "too many clients: 75");
	is_int(pgconn_classify("FATAL: remaining connection slots are reserved "
	                       "for non-replication superuser connections",
	                       PQPING_OK),
	       75, "reserved slots: 75");
	is_int(pgconn_classify("could not translate host name \"db.example\" "
	                       "to address: Temporary failure in name resolution",
	                       PQPING_NO_RESPONSE),
	       75, "name resolution: 75");
	is_int(pgconn_classify("connection to server at \"127.0.0.1\", port 5 "
	                       "failed: server does not support SSL, but SSL "
	                       "was required", PQPING_NO_RESPONSE),
	       1, "sslmode=require against a server without SSL: 1");
	is_int(pgconn_classify("connection to server at \"h\" failed: root "
	                       "certificate file \"/r/root.crt\" does not exist",
	                       PQPING_NO_RESPONSE),
	       1, "missing root certificate: 1");
	is_int(pgconn_classify("connection to server at \"h\" failed: FATAL: "
	                       "password authentication failed for user \"u\"",
	                       PQPING_OK),
	       1, "bad password: 1");
	is_int(pgconn_classify("connection to server at \"h\" failed: fe_sendauth: "
	                       "no password supplied", PQPING_OK),
	       1, "no password: 1");
	is_int(pgconn_classify("connection to server at \"h\" failed: FATAL: "
	                       "no pg_hba.conf entry for host \"1.2.3.4\"",
	                       PQPING_OK),
	       1, "pg_hba: 1");
	is_int(pgconn_classify("connection to server at \"h\" failed: FATAL: "
	                       "database \"nope\" does not exist", PQPING_OK),
	       1, "unknown database: 1");
	is_int(pgconn_classify("FATAL: role \"nope\" does not exist", PQPING_OK),
	       1, "unknown role: 1");
	is_int(pgconn_classify("FATAL: permission denied for database \"d\" "
	                       "DETAIL: User does not have CONNECT privilege.",
	                       PQPING_OK),
	       1, "no CONNECT privilege: 1");
	is_int(pgconn_classify("invalid connection option \"bogus\"",
	                       PQPING_NO_ATTEMPT),
	       1, "bad conninfo: 1");
	is_int(pgconn_classify("something new", PQPING_OK), 1,
	       "unknown cause, server answers: 1");
	is_int(pgconn_classify("something new", PQPING_NO_RESPONSE), 75,
	       "unknown cause, no answer: 75");

	unsetenv("DATABASE_URL");
	ok(pgconn_source(NULL) == NULL, "no -d, no DATABASE_URL: libpq defaults");
	setenv("DATABASE_URL", "postgres://h/db", 1);
	is_str(pgconn_source(NULL), "postgres://h/db", "DATABASE_URL used");
	is_str(pgconn_source("host=x"), "host=x", "-d wins over DATABASE_URL");
	setenv("DATABASE_URL", "", 1);
	ok(pgconn_source(NULL) == NULL, "empty DATABASE_URL ignored");
	{
		char *d;
		unsetenv("PGDATABASE");
		is_str((d = pgconn_dbname("salon")), "salon", "dbname: a bare name");
		free(d);
		is_str((d = pgconn_dbname("host=h dbname='s a' user=u")), "s a",
		       "dbname: from a conninfo");
		free(d);
		is_str((d = pgconn_dbname("postgresql+asyncpg://u:p@h:5/db%20x?ssl=true")),
		       "db x", "dbname: from a framework URL");
		free(d);
		ok(pgconn_dbname("postgres://u@h/") == NULL, "dbname: none in the URL");
		setenv("PGDATABASE", "envdb", 1);
		is_str((d = pgconn_dbname("host=h")), "envdb", "dbname: else PGDATABASE");
		free(d);
		is_str((d = pgconn_dbname(NULL)), "envdb", "dbname: no conninfo");
		free(d);
		unsetenv("PGDATABASE");
	}
	return done_testing();
}
