/*
 * number.h: whole numbers as every option takes them (-j, --concurrency,
 * --retries, --min-count, ...), one grammar: optional '-' then decimal
 * digits, nothing before or after.  So "4" and "-1" are numbers; "",
 * " 4", "4x", "0x10" and "1e3" are not.
 */
#ifndef STRONGBOX_NUMBER_H
#define STRONGBOX_NUMBER_H

/*
 * Parses s into *v.  Returns 0, or -1 when s is not a number or does not
 * fit in a long long.
 */
int number_parse(const char *s, long long *v);

/*
 * The value of option opt (its name as the user wrote it, e.g. "-j") with
 * argument s, from min to max.  Otherwise dies with a usage error (exit 2)
 * that names the option: '-j: want a whole number from 1 to 64, not "x"'.
 */
long long number_option(const char *opt, const char *s, long long min,
                        long long max);

#endif
