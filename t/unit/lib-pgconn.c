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
	s = pgconn_quote_literal("it's");
	is_str(s, "'it''s'", "literal quoting doubles single quotes");
	free(s);
	s = pgconn_quote_literal("a\\b");
	is_str(s, "E'a\\\\b'", "literal with a backslash uses E''");
	free(s);

	unsetenv("DATABASE_URL");
	ok(pgconn_source(NULL) == NULL, "no -d, no DATABASE_URL: libpq defaults");
	setenv("DATABASE_URL", "postgres://h/db", 1);
	is_str(pgconn_source(NULL), "postgres://h/db", "DATABASE_URL used");
	is_str(pgconn_source("host=x"), "host=x", "-d wins over DATABASE_URL");
	setenv("DATABASE_URL", "", 1);
	ok(pgconn_source(NULL) == NULL, "empty DATABASE_URL ignored");
	return done_testing();
}
