/* monotime.c: the monotonic clock; see monotime.h. */
#include "monotime.h"

#include <math.h>
#include <time.h>

double
monotime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
monotime_ms(double seconds)
{
	return round(seconds * 1000.0) / 1000.0;
}
