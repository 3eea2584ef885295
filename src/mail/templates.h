/* templates.h -- the texts of the transactional mails, one table per locale.
 *
 * Every message has the same shape (see mail.c):
 *
 *     <greeting>
 *
 *     <intro>
 *
 *     <the URL, or one "- <name>" line per account>
 *
 *     <outro>
 *
 * A locale is one const struct mail_texts; adding one (German next) means
 * adding a table to templates.c and its entry to the locale list there,
 * then passing config.app_locale to the renderers. Texts are UTF-8 and
 * contain no line breaks; mail.c wraps nothing.
 */
#ifndef CD_MAIL_TEMPLATES_H
#define CD_MAIL_TEMPLATES_H

struct mail_template {
    const char *subject; /* one line */
    const char *intro;   /* the paragraph before the variable part */
    const char *outro;   /* the paragraph after it */
};

struct mail_texts {
    const char *locale;   /* "en" */
    const char *greeting; /* first line of every body */
    struct mail_template reset_password;
    struct mail_template new_user_invite;
    struct mail_template existing_user_invite;
};

/* The texts for a locale tag ("en"), or NULL if there are none. */
const struct mail_texts *mail_texts_find(const char *locale);

/* The default locale's texts (English); never NULL. */
const struct mail_texts *mail_texts_default(void);

#endif /* CD_MAIL_TEMPLATES_H */
