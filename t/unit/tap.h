/*
 * tap.h: a few macros that let C unit tests of lib/ print TAP, so that they
 * run under prove beside the shell tests.
 */
#ifndef STRONGBOX_TAP_H
#define STRONGBOX_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define is_int(got, want, ...)                                               \
	do {                                                                 \
		long long g_ = (got), w_ = (want);                           \
		if (!ok(g_ == w_, __VA_ARGS__))                              \
			printf("#   got %lld, want %lld\n", g_, w_);          \
	} while (0)

#define is_str(got, want, ...)                                               \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_,           \
		        __VA_ARGS__))                                        \
			printf("#   got \"%s\"\n#  want \"%s\"\n",            \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");      \
	} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
