/* version.c -- the library version and status strings. */
#include "huimin.h"

#define STR2(x) #x
#define STR(x) STR2(x)

const char *hm_version(void)
{
    return STR(HM_VERSION_MAJOR) "." STR(HM_VERSION_MINOR) "." STR(HM_VERSION_PATCH);
}

const char *hm_status_string(int status)
{
    switch (status) {
    case HM_OK: return "ok";
    case HM_ERR: return "errors found";
    case HM_ENOMEM: return "out of memory";
    case HM_EIO: return "input/output error";
    case HM_ECORRUPT: return "corrupt bytecode";
    case HM_EABI: return "plugin ABI mismatch";
    case HM_EPLUGIN: return "plugin error";
    case HM_EUSAGE: return "invalid argument";
    }
    return "unknown status";
}
