#!/bin/sh
# check-stdlib.sh -- the standard library must check cleanly, both from the
# source tree and as embedded in the binary.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
pass=0 fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

if out=$(HUIMIN_STDLIB="$SRCDIR/stdlib" "$HUIMIN" check --werror "$SRCDIR/stdlib/std" 2>&1) && [ -z "$out" ]; then
    pass=$((pass + 1))
else
    echo "FAIL: stdlib/std does not check cleanly:"; echo "$out"; fail=$((fail + 1))
fi

# every embedded module can be used
{
    for f in "$SRCDIR"/stdlib/std/*.pol; do
        echo "use std.$(basename "$f" .pol)"
    done
    echo 'source s { household.x : money }'
    echo 'policy p for household { eligible when all { household.x > 0 "x" } }'
} > "$tmp/uses.pol"
if out=$(env -u HUIMIN_STDLIB "$HUIMIN" check --werror "$tmp/uses.pol" 2>&1) && [ -z "$out" ]; then
    pass=$((pass + 1))
else
    echo "FAIL: the embedded standard library cannot be used:"; echo "$out"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
