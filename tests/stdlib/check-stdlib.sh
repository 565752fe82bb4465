#!/bin/sh
# check-stdlib.sh -- the standard library must check cleanly, both from the
# source tree and as embedded in the binary, and its tests (stdlib/tests)
# must pass against both.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
pass=0 fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

if out=$(HUIMIN_STDLIB="$SRCDIR/stdlib" "$HUIMIN" check --werror "$SRCDIR/stdlib/std" 2>&1) && [ -z "$out" ]; then
    pass=$((pass + 1))
else
    echo "FAIL: stdlib/std does not check cleanly:"; echo "$out"; fail=$((fail + 1))
fi

# the modules with their tests check cleanly too
if out=$(HUIMIN_STDLIB="$SRCDIR/stdlib" "$HUIMIN" check --werror "$SRCDIR/stdlib" 2>&1) && [ -z "$out" ]; then
    pass=$((pass + 1))
else
    echo "FAIL: stdlib (with its tests) does not check cleanly:"; echo "$out"; fail=$((fail + 1))
fi

# a module of the standard library only defines: no policy, test, source or
# parameter, which would add decisions, tests or facts to every pack using it
if out=$(grep -nE '^[[:space:]]*(policy|test|source|parameter|given)[[:space:]]' "$SRCDIR"/stdlib/std/*.pol); then
    echo "FAIL: a standard module declares more than functions, scales and code sets:"; echo "$out"
    fail=$((fail + 1))
else
    pass=$((pass + 1))
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

# the tests, against the files of stdlib/std, then against the embedded copy
# (only the tests are given: `use std.NAME` finds the module in the binary)
ntests=$(cat "$SRCDIR"/stdlib/tests/*.pol | grep -c '^test ')
for how in source embedded; do
    if [ "$how" = source ]; then
        out=$(HUIMIN_STDLIB="$SRCDIR/stdlib" "$HUIMIN" test "$SRCDIR/stdlib" 2>&1)
    else
        out=$(env -u HUIMIN_STDLIB "$HUIMIN" test "$SRCDIR/stdlib/tests" 2>&1)
    fi
    rc=$?
    if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -qx "$ntests passed, 0 failed"; then
        pass=$((pass + 1))
    else
        echo "FAIL: the stdlib tests ($how, $ntests expected to pass), exit $rc:"; echo "$out"
        fail=$((fail + 1))
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
