/* timefmt.h -- times as Offen's JSON writes them (Go's RFC 3339). */
#ifndef CD_COMMON_TIMEFMT_H
#define CD_COMMON_TIMEFMT_H

#include <stdint.h>

#define TIMEFMT_RFC3339_SIZE 40

/* Unix milliseconds as "2006-01-02T15:04:05.123Z" in UTC, with trailing
 * zeros of the fraction dropped (and the dot when none is left), as Go's
 * time.RFC3339Nano. Year 1 to 9999. */
void timefmt_rfc3339(int64_t ms, char out[TIMEFMT_RFC3339_SIZE]);

/* The current time in Unix milliseconds and seconds. */
int64_t timefmt_now_ms(void);
int64_t timefmt_now_s(void);
/* Milliseconds of CLOCK_MONOTONIC: for intervals within one process. */
int64_t timefmt_mono_ms(void);

#endif /* CD_COMMON_TIMEFMT_H */
