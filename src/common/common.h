/* common.h -- the first include of every .c file in Candor.
 *
 * Feature macros that must precede any system header, the project-wide error
 * convention, and (last) banned.h, which turns unsafe libc calls into compile
 * errors. Keep this file tiny: everything here is compiled into every unit.
 */
#ifndef CD_COMMON_COMMON_H
#define CD_COMMON_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* Before banned.h: glibc's headers define some banned names inline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"

#define CD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CD_UNUSED(x) ((void)(x))

#include "common/banned.h"

#endif /* CD_COMMON_COMMON_H */
