#!/bin/sh
# run-given.sh -- `huimin run --given` on the example household, in both
# notations (JSON and `given`), as a table and as JSON, against golden
# files; and its refusals (bad facts exit 1, unreadable file exit 2).
# HM_REGEN=1 rewrites the golden files.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cd "$SRCDIR" || exit 99

check() {   # NAME EXPECTED-EXIT COMMAND...
    name=$1 want=$2
    shift 2
    "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
    got=$?
    golden=tests/run/$name.expected
    if [ -n "$HM_REGEN" ]; then
        cp "$tmp/$name.out" "$golden"
    fi
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $name: exit $got, expected $want"; cat "$tmp/$name.err"
        fail=$((fail + 1))
    elif ! diff -u "$golden" "$tmp/$name.out"; then
        echo "FAIL: $name: output differs (HM_REGEN=1 to accept)"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

check family-table 0 "$HUIMIN" run examples/policies --given examples/households/family.json --as-of 2024-08-01
check family-json 0 "$HUIMIN" run examples/policies --given examples/households/family.json --as-of 2024-08-01 --format json
check family-given 0 "$HUIMIN" run examples/policies --given tests/run/family.given --as-of 2024-08-01 --format json

# bad facts: a misspelt field, an inexact amount, a bad label
printf '{"household": {"asets": 5}}\n' > "$tmp/bad1.json"
printf '{"household": {"assets": 1.234}}\n' > "$tmp/bad2.json"
printf '{"household": {"members": [{"marital": "wed"}]}}\n' > "$tmp/bad3.json"
for b in bad1 bad2 bad3; do
    if "$HUIMIN" run examples/policies --given "$tmp/$b.json" --as-of 2024-08-01 > /dev/null 2> "$tmp/err"; then
        echo "FAIL: $b.json was accepted"; fail=$((fail + 1))
    elif [ $? -eq 1 ] && grep -q "$b.json: " "$tmp/err"; then
        pass=$((pass + 1))
    else
        echo "FAIL: $b.json: wrong exit or message"; cat "$tmp/err"; fail=$((fail + 1))
    fi
done
if "$HUIMIN" run examples/policies --given "$tmp/none.json" > /dev/null 2>&1; then
    echo "FAIL: a missing facts file was accepted"; fail=$((fail + 1))
elif [ $? -eq 2 ]; then
    pass=$((pass + 1))
else
    echo "FAIL: a missing facts file is not exit 2"; fail=$((fail + 1))
fi
# a fact from two sources with different freshness limits (民政 a year,
# 公安 31 days): the limit of the source a value names, else the strictest
two=tests/run/two-sources.pol
given_two() {   # NAME JSON-VALUE EXPECTED-EXIT PATTERN
    printf '{"person": {"deceased": %s}}\n' "$2" > "$tmp/$1.json"
    "$HUIMIN" run "$two" --given "$tmp/$1.json" --as-of 2024-08-01 > "$tmp/$1.out" 2>&1
    st=$?
    if [ $st -eq "$3" ] && grep -qF -- "$4" "$tmp/$1.out"; then
        pass=$((pass + 1))
    else
        echo "FAIL: two sources, $1: exit $st (expected $3) or no \"$4\" in:"; cat "$tmp/$1.out"
        fail=$((fail + 1))
    fi
}
given_two civil '{"value": false, "as_of": "2024-05-01", "source": "民政"}' 0 "alive                     1       eligible"
given_two police '{"value": false, "as_of": "2024-05-01", "source": "公安"}' 0 "missing: person.deceased (stale)"
given_two unnamed '{"value": false, "as_of": "2024-05-01"}' 0 "missing: person.deceased (stale)"
given_two recent '{"value": false, "as_of": "2024-07-20"}' 0 "alive                     1       eligible"
given_two other '{"value": false, "as_of": "2024-05-01", "source": "卫健"}' 1 \
    "other.json: \`deceased\`: no source \`卫健\` declares person.deceased (its sources are 民政, 公安)"
given_two typo '{"value": false, "asof": "2024-05-01"}' 1 'unknown key "asof"'
if "$HUIMIN" explain "$two" --given "$tmp/unnamed.json" --as-of 2024-08-01 2> "$tmp/err" |
   grep -qF "(person.deceased) of member 1 = stale   from 公安, as of 2024-05-01, older than 31 days"; then
    pass=$((pass + 1))
else
    echo "FAIL: explain does not name the strictest source of a value whose source is not said"; cat "$tmp/err"
    fail=$((fail + 1))
fi

# out of memory at every allocation in turn, from compiling the pack to
# printing (until five runs in a row no longer reach the failing
# allocation): exit 2 with "out of memory", never a crash, another exit or
# a wrong message (nor a leak, under the sanitizers).  Deciding one
# household, explaining it, and reading a compiled pack back.
pol=tests/explain/whole-number.pol facts=tests/explain/whole-number.json
"$HUIMIN" compile "$pol" -o "$tmp/wn.hmc" 2> "$tmp/err" || { echo "FAIL: compile"; cat "$tmp/err"; fail=$((fail + 1)); }
for cmd in run explain disasm; do
    n=1 clean=0 bad=0
    while [ $n -le 5000 ] && [ $clean -lt 5 ]; do
        case $cmd in
        disasm) HM_MEM_FAIL_AT=$n "$HUIMIN" disasm "$tmp/wn.hmc" > /dev/null 2> "$tmp/err" ;;
        *) HM_MEM_FAIL_AT=$n "$HUIMIN" $cmd "$pol" --given "$facts" --as-of 2024-08-01 > /dev/null 2> "$tmp/err" ;;
        esac
        st=$?
        if [ $st -eq 0 ]; then
            clean=$((clean + 1))
        else
            clean=0
            if [ $st -ne 2 ] || ! grep -q "out of memory" "$tmp/err"; then
                bad=$((bad + 1))
                [ $bad -le 3 ] && echo "$cmd: allocation $n failing: exit $st: $(head -2 "$tmp/err")"
            fi
        fi
        n=$((n + 1))
    done
    if [ $bad -eq 0 ] && [ $n -gt 20 ]; then
        pass=$((pass + 1))
    else
        echo "FAIL: $cmd out of memory: $bad runs went wrong (allocations 1 to $n)"; fail=$((fail + 1))
    fi
done

# claims: one decision for each, after the rest: "1#2" in the table, and
# "entity": "claim" with the claim's number in the JSON; a claim every value
# of an unknown fact decides alike is settled
"$HUIMIN" run tests/pol/claims.pol --given tests/explain/claims.given --as-of 2024-12-31 > "$tmp/out" 2>&1
if grep -q '^理赔按类别自付 *1#2 *eligible *0\.00 *whatever the value of person\.理赔救助$' "$tmp/out" &&
   grep -q '^理赔按类别自付 *1#1 *undetermined *missing: person\.理赔救助$' "$tmp/out"; then
    pass=$((pass + 1))
else
    echo "FAIL: claims in the table:"; cat "$tmp/out"; fail=$((fail + 1))
fi
"$HUIMIN" run tests/pol/claims.pol --given tests/explain/claims.given --as-of 2024-12-31 --format json > "$tmp/out" 2>&1
if python3 -c '
import json, sys
d = [x for x in json.load(open(sys.argv[1]))["decisions"] if x["policy"] == "理赔按类别自付"]
assert [(x["entity"], x["member"], x["claim"], x["status"], x["amount"]) for x in d] == \
    [("claim", 1, 1, "undetermined", None), ("claim", 1, 2, "eligible", "0.00")], d
' "$tmp/out"; then
    pass=$((pass + 1))
else
    echo "FAIL: claims in the JSON:"; cat "$tmp/out"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
