#!/bin/sh
# run-explain-api.sh -- hm_explain and hm_needs (tests/embed/explain_api.c)
# give the documents `huimin explain` and `huimin needs` print, from a
# compiled pack, and the decisions read from the explanation's tree are
# those of hm_evaluate.
#
# Environment: HUIMIN, SRCDIR (see Makefile.am).  Prints "N passed, N failed".
. "$SRCDIR/tests/lib.sh"
prog=$bindir/tests/embed/explain_api
facts=$SRCDIR/examples/households/family.json
D=2024-08-01
"$HUIMIN" compile "$SRCDIR/examples/policies" -o "$work/pack.hmc" || exit 99
if "$prog" "$work/pack.hmc" "$facts" $D > "$work/out" 2> "$work/err"; then ok; else bad "explain_api: $(cat "$work/err")"; fi
awk -v RS='--\n' -v ORS= '{ print > ("'"$work"'/part" NR) }' "$work/out"
"$HUIMIN" explain "$work/pack.hmc" --given "$facts" --as-of $D --format json > "$work/explain.json"
"$HUIMIN" needs "$work/pack.hmc" --given "$facts" --as-of $D --format json > "$work/needs.json"
"$HUIMIN" explain "$work/pack.hmc" --given "$facts" --as-of $D --audience citizen > "$work/citizen.txt"
for pair in part1:explain.json part2:needs.json part3:citizen.txt; do
	got=${pair%%:*} want=${pair#*:}
	if cmp -s "$work/$got" "$work/$want"; then ok; else
		bad "the API's $want differs from the command's:"
		diff "$work/$want" "$work/$got" | head -10
	fi
done
# the walked decisions: every policy of the pack is there
n=$(wc -l < "$work/part4")
if [ "$n" -gt 10 ] && grep -q '^dibao -1 ' "$work/part4"; then ok; else bad "walked decisions: $(head -3 "$work/part4")"; fi
finish
