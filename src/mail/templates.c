/* templates.c -- the texts of Offen's transactional mails, by locale.
 *
 * English is Offen 1.4's wording (reference/offen-server.md §17), without
 * the template newlines Offen leaves around subjects and bodies. The table
 * is the only place a translation touches; see templates.h.
 */
#include "common/common.h"
#include "mail/templates.h"

static const struct mail_texts texts_en = {
    .locale = "en",
    .greeting = "Hi!",
    .reset_password = {
        .subject = "Reset your password",
        .intro = "You have requested to reset your password. To do so, "
                 "visit the following link:",
        .outro = "The link is valid for 24 hours after this email has "
                 "been sent. In case you have missed this deadline, you "
                 "can always request a new link.",
    },
    .new_user_invite = {
        .subject = "You have been invited to join Offen Fair Web "
                   "Analytics.",
        .intro = "You have been invited to Offen Fair Web Analytics. To "
                 "accept your invite, visit the following link:",
        .outro = "The link is valid for 7 days after this email has been "
                 "sent. In case you have missed this deadline, request a "
                 "new invite.",
    },
    .existing_user_invite = {
        .subject = "You have been added to additional accounts on Offen "
                   "Fair Web Analytics.",
        .intro = "You have been added to the following new accounts on "
                 "Offen Fair Web Analytics:",
        .outro = "You automatically gain access to these accounts the "
                 "next time you log in.",
    },
};

static const struct mail_texts *const locales[] = {
    &texts_en,
};

const struct mail_texts *mail_texts_find(const char *locale)
{
    if (locale == NULL)
        return NULL;
    for (size_t i = 0; i < CD_ARRAY_SIZE(locales); i++) {
        if (strcmp(locales[i]->locale, locale) == 0)
            return locales[i];
    }
    return NULL;
}

const struct mail_texts *mail_texts_default(void)
{
    return &texts_en;
}
