/*
 * monotime.h: the one clock for durations, rates and progress intervals:
 * CLOCK_MONOTONIC, which no change of the wall clock moves.
 */
#ifndef STRONGBOX_MONOTIME_H
#define STRONGBOX_MONOTIME_H

/* Seconds since an arbitrary fixed point, with nanosecond resolution. */
double monotime_now(void);

/*
 * seconds rounded to the millisecond, for the "seconds" of a JSON report
 * (0.66519914799999924 -> 0.665); print it with jansson's
 * JSON_REAL_PRECISION(MONOTIME_JSON_PRECISION) so that no binary noise
 * comes back.
 */
double monotime_ms(double seconds);
#define MONOTIME_JSON_PRECISION 15

#endif
