/* libhuimin.c -- the installed shared library is the internal core library
 * (libhmcore) with only the public hm_* symbols exported; this unit exists
 * because libtool needs at least one source per library. */
typedef int hm_libhuimin_unit;
