/*
 * monotime.h: the one clock for durations, rates and progress intervals:
 * CLOCK_MONOTONIC, which no change of the wall clock moves.
 */
#ifndef STRONGBOX_MONOTIME_H
#define STRONGBOX_MONOTIME_H

/* Seconds since an arbitrary fixed point, with nanosecond resolution. */
double monotime_now(void);

#endif
