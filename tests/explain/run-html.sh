#!/bin/sh
# run-html.sh -- `huimin explain --format html`: the reviewer's and the
# citizen's page of a refused, an undetermined and an eligible household
# against golden pages (English, and Chinese for the refused one); every
# page of the explain test households well formed (tests/batch/wellformed.py);
# the citizen page of every household of a small example city with no id
# unmasked (and the check shown to catch one: with --show-ids the reviewer
# page has them); the refusals.
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# golden pages.
. "$SRCDIR/tests/lib.sh"
cd "$SRCDIR" || exit 99
pack=examples/policies
dir=tests/explain
day=2024-08-01

wellformed() { python3 tests/batch/wellformed.py "$1"; }

# golden NAME LANG FACTS AUDIENCE: the page of policy dibao
golden() {
	name=$1 lang=$2 facts=$3 audience=$4
	if ! "$HUIMIN" --lang "$lang" explain $pack --given "$dir/$facts.json" --as-of $day --policy dibao \
			--format html --audience "$audience" > "$work/$name" 2> "$work/err"; then
		bad "$name: $(cat "$work/err")"
		return
	fi
	if [ "${HM_REGEN:-}" = 1 ]; then
		cp "$work/$name" "$dir/expected/$name"
	fi
	if diff -u "$dir/expected/$name" "$work/$name"; then ok
	else bad "$name differs from $dir/expected/$name (HM_REGEN=1 to accept)"; fi
	wellformed "$work/$name" && ok || bad "$name is not well formed"
}

# refused on its assets, undetermined for a missing income, eligible with an amount
for a in reviewer citizen; do
	golden "one-fails-$a.html" en one-fails $a
	golden "one-fails-$a.zh.html" zh one-fails $a
	golden "missing-income-$a.html" en missing-income $a
	golden "eligible-$a.html" en eligible $a
done

# the reviewer page folds what was met and opens what was not
p=$dir/expected/one-fails-reviewer.html
grep -q '<li class="r-not_met"><details open><summary><span class="mark">✗</span> <code>household.assets &lt;= 财产上限</code>' "$p" &&
	grep -q '<li class="r-met"><details><summary><span class="mark">✓</span> <code>人数 &gt; 0</code>' "$p" && ok ||
	bad "the failed condition is not open, or the met one not closed"
# a status is a colour and a word
grep -q '<span class="badge st-not_eligible">✗ Not eligible</span>' "$p" && ok || bad "no status word"
grep -q '<span class="badge st-not_eligible">✗ 不符合</span>' "$dir/expected/one-fails-reviewer.zh.html" && ok ||
	bad "no Chinese status word"

# every household of the explain tests, with its policy file (a.json or
# a-b.json with a.pol) or the pack: both pages well formed
"$HUIMIN" compile $pack -o "$work/pack.hmc" 2> "$work/err" || bad "compile: $(cat "$work/err")"
for f in $dir/*.json; do
	n=$(basename "$f" .json)
	[ "$n" = huge ] && continue     # explain's speed is run-explain.sh's
	[ "$n" = value-refs-table ] && continue    # its policies are tests/pol/value_references.pol
	while [ ! -f "$dir/$n.pol" ] && [ "${n%-*}" != "$n" ]; do n=${n%-*}; done
	p=$work/pack.hmc
	[ -f "$dir/$n.pol" ] && p=$dir/$n.pol
	for al in reviewer:en citizen:zh; do
		if "$HUIMIN" --lang ${al#*:} explain "$p" --given "$f" --as-of $day --format html --audience ${al%:*} \
				> "$work/p.html" 2> "$work/err"; then
			wellformed "$work/p.html" > "$work/wf" && ok || bad "$f ($al): $(cat "$work/wf")"
		else
			bad "$f ($al): $(cat "$work/err")"
		fi
	done
done

# no id unmasked in the citizen page of any household of a small city
if examples/city/generate --households 20 --seed 7 --out "$work/city" > /dev/null 2>&1 &&
   "$HUIMIN" run "$work/pack.hmc" --config "$work/city/sources.conf" --out "$work/r.db" --no-progress --store all \
	> /dev/null 2>&1; then
	ok
	sqlite3 "$work/r.db" "SELECT DISTINCT entity_id FROM decisions" > "$work/ids"
	leaked=0 shown=0 k=0
	for h in $(sqlite3 "$work/r.db" "SELECT DISTINCT entity_id FROM decisions WHERE entity_kind = 'household'"); do
		for l in en zh; do
			"$HUIMIN" --lang $l explain "$work/pack.hmc" --config "$work/city/sources.conf" --household "$h" --format html \
				--audience citizen > "$work/c.html" 2> "$work/err" || { bad "citizen page of a household: $(cat "$work/err")"; break 2; }
			# any id of the run, or any 18-character ID number, whole
			if grep -F -q -f "$work/ids" "$work/c.html" || grep -E -q '[0-9]{17}[0-9X]' "$work/c.html"; then
				leaked=$((leaked + 1))
			fi
		done
		# the reviewer pages of the first few households
		k=$((k + 1))
		[ $k -le 3 ] || continue
		# the check catches an id: the reviewer page with --show-ids has them
		"$HUIMIN" explain "$work/pack.hmc" --config "$work/city/sources.conf" --household "$h" --format html --show-ids \
			> "$work/r.html" 2> /dev/null
		grep -F -q -f "$work/ids" "$work/r.html" && shown=$((shown + 1))
		# and without it the reviewer page masks them too
		"$HUIMIN" explain "$work/pack.hmc" --config "$work/city/sources.conf" --household "$h" --format html \
			> "$work/r.html" 2> /dev/null
		grep -F -q -f "$work/ids" "$work/r.html" && leaked=$((leaked + 1))
		# the title and the headings carry no id, even with --show-ids
		"$HUIMIN" explain "$work/pack.hmc" --config "$work/city/sources.conf" --household "$h" --format html --show-ids \
			| grep -E '<title>|<h[1-6]' | grep -F -q -f "$work/ids" && leaked=$((leaked + 1))
	done
	[ $leaked -eq 0 ] && ok || bad "$leaked pages show an id unmasked"
	[ $shown -gt 0 ] && ok || bad "the id check finds nothing even in pages that show the ids"
else
	bad "the example city could not be generated or run"
fi

# refusals
refuse() {  # NAME WORDS COMMAND...
	name=$1 words=$2
	shift 2
	"$@" > "$work/out" 2> "$work/err"
	st=$?
	if [ $st -eq 2 ] && grep -q -- "$words" "$work/err" && [ ! -s "$work/out" ]; then ok
	else bad "$name: exit $st: $(cat "$work/err")"; fi
}
refuse package-html "leave out --format html" "$HUIMIN" explain --package $pack --given $dir/eligible.json --format html
refuse diff-html "leave out --format html" "$HUIMIN" explain --diff $pack $pack --given $dir/eligible.json --format html
refuse bad-format "text, json or html" "$HUIMIN" explain $pack --given $dir/eligible.json --format pdf

finish
