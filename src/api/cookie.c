/* cookie.c -- Set-Cookie values in Offen's format (see cookie.h). */
#include "common/common.h"
#include "api/cookie.h"

#include <stdio.h>
#include <time.h>

#define COOKIE_EPOCH "Thu, 01 Jan 1970 00:00:00 GMT"

static const char *tail(int secure, int cross_site)
{
    if (!secure)
        return "HttpOnly; SameSite=Lax";
    return cross_site ? "HttpOnly; Secure; SameSite=None"
                      : "HttpOnly; Secure; SameSite=Lax";
}

void cookie_auth(char *out, size_t size, const char *token, int secure)
{
    snprintf(out, size, "auth=%s; Path=/api; %s", token, tail(secure, 0));
}

void cookie_auth_clear(char *out, size_t size, int secure)
{
    snprintf(out, size, "auth=; Path=/api; Expires=" COOKIE_EPOCH "; %s",
             tail(secure, 0));
}

void cookie_user(char *out, size_t size, const char *user_id, int64_t now_s,
                 int days, int secure)
{
    char when[40];
    time_t t = (time_t)(now_s + (int64_t)days * 86400);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    snprintf(out, size, "user=%s; Path=/api; Expires=%s; %s", user_id, when,
             tail(secure, 1));
}

void cookie_user_clear(char *out, size_t size, int secure)
{
    snprintf(out, size, "user=; Path=/api; Expires=" COOKIE_EPOCH "; %s",
             tail(secure, 1));
}
