/* i18n.h -- which language the drafter reads messages in.
 *
 * Diagnostics are written in English in the code and translated through
 * gettext's catalogs (po/zh_CN.po) when Chinese is asked for.  English is
 * the default; nothing is translated until hm_i18n_init() chose Chinese,
 * so a program that embeds the library keeps English unless it asks. */
#ifndef HM_I18N_H
#define HM_I18N_H

/* Choose the language: LANG is "zh" or "en" (`--lang`), or NULL to take
 * HUIMIN_LANG, then the locale's LC_ALL, LC_MESSAGES, LANG (Chinese when
 * it starts with "zh").  Returns 0, or -1 when LANG is neither. */
int hm_i18n_init(const char *lang);

/* For a server answering in either language: read the Chinese catalog
 * whatever the process's choice (call once, before starting threads), then
 * choose per thread: 1 Chinese, 0 English, -1 the process's choice. */
void hm_i18n_prepare(void);
void hm_i18n_thread(int chinese);

/* Non-zero when messages are shown in Chinese. */
int hm_i18n_zh(void);

/* MSGID in the chosen language (MSGID itself in English or when the
 * catalog has no translation). */
const char *hm_tr(const char *msgid);

/* Marks a message for the catalog without translating it where it stands
 * (translated later through hm_tr). */
#define N_(s) (s)

#endif
