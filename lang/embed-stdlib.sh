#!/bin/sh
# embed-stdlib.sh SRCDIR FILE... -- write the C source of the embedded
# standard library (stdlib_files.inc) on stdout.  Each file becomes a byte
# array; `od` keeps this free of any quoting problems.
set -e
srcdir=$1
shift
i=0
for f in "$@"; do
    echo "static const unsigned char stdlib_text_$i[] = {"
    od -v -A n -t u1 "$srcdir/$f" | sed 's/\([0-9][0-9]*\)/\1,/g'
    echo "0 };"
    i=$((i + 1))
done
echo "static const hm_stdlib_file stdlib_files[] = {"
i=0
for f in "$@"; do
    base=$(basename "$f" .pol)
    echo "    { \"std.$base\", \"<stdlib>/std/$base.pol\", stdlib_text_$i, sizeof stdlib_text_$i - 1 },"
    i=$((i + 1))
done
echo "};"
