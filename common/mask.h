/* mask.h -- ID numbers masked in what is printed to a terminal or a log.
 *
 * An ID of n characters (UTF-8 characters, not bytes) keeps its first
 * min(6, n/3) and its last min(4, n/4) characters; every other character
 * becomes one `*`.  An 18-character 身份证号 keeps the region code and the
 * last four (330102********0013: the birth date is hidden); 15 characters
 * keep 5 and 3, 8 keep 2 and 2, 3 keep 1 and none, 1 or 2 keep none.
 * Results databases keep the IDs whole: they are the record (file mode
 * 0600, see docs/plugins.md). */
#ifndef HM_MASK_H
#define HM_MASK_H

#include <stdio.h>

/* The masked `id` into `out`, which has room for strlen(id) + 1 bytes (a
 * masked ID is never longer); returns out. */
char *mask_id(const char *id, char *out);
/* Print the masked `id`. */
void  mask_fputs(const char *id, FILE *f);
/* Print free text (a data issue's detail, a message) with every ID number
 * in it masked: a run of 18 characters, 17 digits and a digit or X, or of
 * 15 digits, not part of a longer run of letters and digits. */
void  mask_fputs_text(const char *text, FILE *f);
/* The same into `out`, which has room for strlen(text) + 1 bytes (the
 * masked text has the same length); returns out. */
char *mask_text(const char *text, char *out);

#endif
