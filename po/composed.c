/* composed.c -- messages the compiler puts together at run time, which
 * xgettext cannot find in its sources; po/update-po.sh reads them here so
 * that the catalog translates them too.  This file is not compiled: keep
 * each message exactly as the code builds it. */

/* lang/sema_expr.c: "cannot %s %%s %s %%s" with "add" and "and" */
N_("cannot add %s and %s")

/* lang/parser.y: the descriptions of tokens (their aliases in %token), and
 * the separators of a list of expected tokens */
N_("a name")
N_("a string")
N_("a whole number")
N_("a decimal number")
N_("a percentage")
N_("a date")
