/*
 * size.h: byte sizes as every option takes them (--chunk-size,
 * --part-size, ...), one grammar: decimal digits, then optionally a binary
 * multiple k, m, g or t (either case: 2^10, 2^20, 2^30, 2^40), then
 * optionally "i" after a multiple, then optionally "B" or "b".  So
 * "1048576", "64k", "16M", "16MiB", "1GB" and "512B" are sizes; "-1",
 * "1x", "1.5M" and "" are not.
 */
#ifndef STRONGBOX_SIZE_H
#define STRONGBOX_SIZE_H

/*
 * Parses s into *bytes.  Returns 0, or -1 when s is not a size or does
 * not fit in 64 bits.
 */
int size_parse(const char *s, unsigned long long *bytes);

/*
 * The value of option opt (its name as the user wrote it, e.g.
 * "--chunk-size") with argument s, from min to max bytes.  Otherwise dies
 * with a usage error (exit 2) that names the option: '--chunk-size: not a
 * size: "1x" (try 16MiB)' or '--chunk-size: want a size from 1 byte to
 * 1GiB, not "2G"'.
 */
unsigned long long size_option(const char *opt, const char *s,
                               unsigned long long min, unsigned long long max);

#endif
