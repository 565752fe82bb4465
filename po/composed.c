/* composed.c -- messages the compiler puts together at run time, which
 * xgettext cannot find in its sources; po/update-po.sh reads them here so
 * that the catalog translates them too.  This file is not compiled: keep
 * each message exactly as the code builds it. */

/* lang/sema_expr.c: "cannot %s %%s %s %%s" with "add" and "and" */
N_("cannot add %s and %s")
