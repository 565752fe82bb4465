#!/bin/sh
# run-pol.sh -- the evaluation tests written in the policy language:
# tests/pol (the engine's own), the example pack and the standard library.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
status=0
for dir in "$SRCDIR/tests/pol" "$SRCDIR/examples/policies"; do
    ls "$dir"/*.pol > /dev/null 2>&1 || continue
    echo "== huimin test $dir"
    "$HUIMIN" test "$dir" || status=1
done
exit $status
