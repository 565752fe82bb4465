/* i18n.c -- see i18n.h.
 *
 * Only LC_MESSAGES is taken from the environment: numbers and dates are
 * printed the same in every locale.  A Chinese locale need not be
 * installed: when setlocale cannot load one, LC_MESSAGES is C.UTF-8 and
 * LANGUAGE names the catalog (gettext ignores LANGUAGE only in "C"). */
#include "i18n.h"

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#define DOMAIN "huimin"

static int zh;

static int starts_zh(const char *v)
{
    return v && (v[0] == 'z' || v[0] == 'Z') && (v[1] == 'h' || v[1] == 'H');
}

/* the locale's choice, in POSIX's order: the first of these that is set */
static const char *locale_env(void)
{
    static const char *names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return v;
    }
    return NULL;
}

int hm_i18n_init(const char *lang)
{
    if (!lang || !*lang)
        lang = getenv("HUIMIN_LANG");
    if (lang && *lang) {
        if (!strcmp(lang, "zh") || !strcmp(lang, "zh_CN"))
            zh = 1;
        else if (!strcmp(lang, "en") || !strcmp(lang, "C"))
            zh = 0;
        else
            return -1;
    } else {
        zh = starts_zh(locale_env());
    }
    if (zh)
        hm_i18n_prepare();
    return 0;
}

void hm_i18n_prepare(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    const char *l = setlocale(LC_MESSAGES, "");
    if (!l || !strcmp(l, "C") || !strcmp(l, "POSIX"))
        setlocale(LC_MESSAGES, "C.UTF-8");
    /* the catalog to read, whatever the locale was */
    setenv("LANGUAGE", "zh_CN", 1);
    const char *dir = getenv("HUIMIN_LOCALEDIR");
    bindtextdomain(DOMAIN, dir && *dir ? dir : HM_LOCALE_DIR);
    bind_textdomain_codeset(DOMAIN, "UTF-8");
}

/* -1: the process's choice */
static _Thread_local int thread_zh = -1;

void hm_i18n_thread(int z) { thread_zh = z < 0 ? -1 : z != 0; }

int hm_i18n_zh(void) { return thread_zh >= 0 ? thread_zh : zh; }

const char *hm_tr(const char *msgid)
{
    return hm_i18n_zh() ? dgettext(DOMAIN, msgid) : msgid;
}

const char *hm_tr_if(int tr, const char *msgid)
{
    return tr ? hm_tr(msgid) : msgid;
}
