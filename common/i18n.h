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

/* Non-zero when messages are shown in Chinese: the calling thread's
 * choice (hm_i18n_thread), else the process's (hm_i18n_init). */
int hm_i18n_zh(void);

/* The calling thread's language, for one request of a server: ZH 1
 * Chinese, 0 English, -1 the process's choice again.  Thread-local: each
 * thread answers in its own language.  Chinese needs the catalog bound
 * first: hm_i18n_prepare(), once, before any thread starts. */
void hm_i18n_thread(int zh);

/* Make the Chinese catalog readable whatever the process's language
 * (setlocale: call it before threads start).  hm_i18n_init does it when
 * it chooses Chinese. */
void hm_i18n_prepare(void);

/* MSGID in the chosen language (MSGID itself in English or when the
 * catalog has no translation). */
const char *hm_tr(const char *msgid);
/* hm_tr(MSGID) when tr, MSGID itself when not: one sentence built both for
 * a document (always English) and for its reader. */
const char *hm_tr_if(int tr, const char *msgid);

/* Marks a message for the catalog without translating it where it stands
 * (translated later through hm_tr). */
#define N_(s) (s)

#endif
