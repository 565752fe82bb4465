#!/bin/sh
# exports.sh CC HEADER... -- the functions the HEADERs declare, one name a line:
# what libhuimin.so exports (Makefile.am), so a function added to the
# public header is exported without a second list to keep.
#
# The header goes through the preprocessor (comments, conditionals and
# macros gone), then is cut into statements at `;`, `{` and `}`; in each
# one that is not a typedef, the name just before the first `(` is a
# function's when it starts with hm_.  Function pointers, in typedefs or
# struct members, are not functions of the library and are skipped.
set -e
cc=$1
shift
for header; do
	$cc -E -P -x c "$header"
done |
	tr '\n;{}' ' \n\n\n' |
	sed -n '/^[[:space:]]*typedef[[:space:]]/d; s/^[^(]*[^A-Za-z0-9_]\(hm_[A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' |
	sort -u
