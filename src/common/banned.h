/* banned.h -- libc calls we never use; included last by common.h.
 *
 * Each has a bounded or clearer replacement: snprintf or struct buf instead
 * of sprintf/strcpy/strcat, strtol-family with end checks instead of atoi,
 * gmtime_r/localtime_r instead of the static-buffer versions.
 */
#ifndef CD_COMMON_BANNED_H
#define CD_COMMON_BANNED_H

#define CD_BANNED(f) sorry_##f##_is_banned

#undef strcpy
#define strcpy(x, y) CD_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CD_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CD_BANNED(strncpy)
#undef sprintf
#define sprintf(...) CD_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CD_BANNED(vsprintf)
#undef gets
#define gets(x) CD_BANNED(gets)
#undef atoi
#define atoi(x) CD_BANNED(atoi)
#undef gmtime
#define gmtime(t) CD_BANNED(gmtime)
#undef localtime
#define localtime(t) CD_BANNED(localtime)
#undef strtok
#define strtok(x, y) CD_BANNED(strtok)

#endif /* CD_COMMON_BANNED_H */
