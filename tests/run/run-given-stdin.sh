#!/bin/sh
# run-given-stdin.sh -- `--given -` reads the JSON facts from standard
# input for run, needs and explain: the same output as from the file, and
# messages name "<stdin>".
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cd "$SRCDIR" || exit 99
facts=examples/households/family.json

for cmd in "run --format json" "run" "needs" "explain"; do
    # shellcheck disable=SC2086
    "$HUIMIN" $cmd examples/policies --given $facts --as-of 2024-08-01 > "$tmp/want" 2>&1
    want=$?
    # shellcheck disable=SC2086
    "$HUIMIN" $cmd examples/policies --given - --as-of 2024-08-01 < $facts > "$tmp/got" 2>&1
    got=$?
    if [ $got -eq $want ] && [ -s "$tmp/got" ] && cmp -s "$tmp/want" "$tmp/got"; then
        pass=$((pass + 1))
    else
        echo "FAIL: $cmd --given -: exit $got (from the file $want), or another output:"
        diff -u "$tmp/want" "$tmp/got" | head -10
        fail=$((fail + 1))
    fi
done
printf '{"household": {"asets": 5}}\n' | "$HUIMIN" run examples/policies --given - --as-of 2024-08-01 \
    > /dev/null 2> "$tmp/err"
st=$?
if [ $st -eq 1 ] && grep -qF 'huimin: <stdin>: household has no fact `asets`' "$tmp/err"; then
    pass=$((pass + 1))
else
    echo "FAIL: bad facts on stdin: exit $st:"; cat "$tmp/err"; fail=$((fail + 1))
fi
printf '{"household": ' | "$HUIMIN" run examples/policies --given - --as-of 2024-08-01 > /dev/null 2> "$tmp/err"
st=$?
if [ $st -eq 1 ] && grep -qF 'huimin: <stdin>: line 1, column' "$tmp/err"; then
    pass=$((pass + 1))
else
    echo "FAIL: bad JSON on stdin: exit $st:"; cat "$tmp/err"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
