/* str.h -- small string helpers shared by the modules. */
#ifndef CD_COMMON_STR_H
#define CD_COMMON_STR_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case the ASCII letters of s[0..n) in place; other bytes (UTF-8
 * included) are left as they are. */
void str_lower(char *s, size_t n);

/* 64-bit FNV-1a of p[0..n): a fast, non-cryptographic hash for tables. */
uint64_t str_fnv1a(const void *p, size_t n);

#endif /* CD_COMMON_STR_H */
