#!/bin/sh
# run-needs.sh -- `huimin needs` on tests/batch/small.pol: what each policy
# reads (text and JSON), what one household still lacks from a facts file
# (`given` notation and JSON) and from the small city of tests/batch
# (--household, --person), against golden files; every household's
# decisions must be those of a population run; and its refusals (unknown
# household or person, usage errors: exit 2; bad facts: exit 1).
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# golden files.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/needs"
pol="$SRCDIR/tests/batch/small.pol"

# the small city: registry and civil affairs databases and their configuration
city="$work/city"
small_city "$city"

# golden NAME EXPECTED-EXIT ARGS...: `huimin needs ARGS` (run in the city's
# folder) prints tests/needs/NAME.expected
golden() {
	name=$1 want=$2
	shift 2
	(cd "$city" && "$HUIMIN" needs "$@") > "$work/$name.out" 2> "$work/$name.err"
	st=$?
	[ "${HM_REGEN:-}" = 1 ] && cp "$work/$name.out" "$here/$name.expected"
	if [ $st -ne "$want" ]; then
		bad "$name: exit $st, expected $want: $(cat "$work/$name.err")"
	elif ! diff -u "$here/$name.expected" "$work/$name.out"; then
		bad "$name: output differs from tests/needs/$name.expected (HM_REGEN=1 to accept)"
	else
		ok
	fi
}

# refuse NAME STATUS PHRASE ARGS...: exit STATUS, PHRASE on stderr, nothing on stdout
refuse() {
	name=$1 want=$2 phrase=$3
	shift 3
	(cd "$city" && "$HUIMIN" needs "$@") > "$work/out" 2> "$work/err"
	st=$?
	if [ $st -ne "$want" ]; then
		bad "$name: exit $st, expected $want: $(cat "$work/err")"
	elif ! grep -qF -- "$phrase" "$work/err"; then
		bad "$name: no \"$phrase\" in: $(cat "$work/err")"
	elif [ -s "$work/out" ]; then
		bad "$name: printed $(head -3 "$work/out")"
	else
		ok
	fi
}

# ---- what each policy reads ---------------------------------------------------
golden static 0 "$pol"
golden static-json 0 "$pol" --policy married_bonus --format json

# ---- one household from a facts file ----------------------------------------
golden given 0 "$pol" --given "$here/household.given" --as-of 2024-08-01
golden given-json 0 "$pol" --given "$here/household.json" --as-of 2024-08-01 --format json
# both notations describe the same household
(cd "$city" && "$HUIMIN" needs "$pol" --given "$here/household.json" --as-of 2024-08-01) \
	> "$work/json.txt" 2> /dev/null
cmp -s "$work/json.txt" "$here/given.expected" && ok || bad "the JSON household differs from the given one"

# ---- one household of the configured city -----------------------------------
# H3: a stale fact; H4: unusable values, with the departments' data issues
golden config-h3 0 "$pol" --config small.conf --household H3 --show-ids
golden config-h4-json 0 "$pol" --config small.conf --household H4 --format json
golden person-p4 0 "$pol" --config small.conf --person P4 --policy elder --show-ids
# as of a day when P4's registry row is still fresh
golden config-h3-fresh 0 "$pol" --config small.conf --household H3 --as-of 2024-01-15 --policy allowance --show-ids

# text from a source that is not UTF-8, and a data issue's detail cut in the
# middle of a character: the JSON is whole, each bad byte shown as U+FFFD
bad8="$work/bad8"
mkdir -p "$bad8"
cp "$city/small.conf" "$city/registry.db" "$city/civil.db" "$bad8/"
sqlite3 "$bad8/registry.db" "UPDATE person SET deceased = X'FF41', updated_on = '2024-07-30' WHERE person_id = 'P4';
	UPDATE person SET deceased = '$(printf '死%.0s' $(seq 120))', updated_on = '2024-07-30' WHERE person_id = 'P5';
	UPDATE person SET person_id = X'50FF34' WHERE person_id = 'P4'"
if (cd "$bad8" && "$HUIMIN" needs "$pol" --config small.conf --household H3 --format json) \
	> "$work/bad8.json" 2> "$work/bad8.err" &&
   grep -q "warning: text from the sources is not UTF-8" "$work/bad8.err" &&
   python3 - "$work/bad8.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ids = [m["id"] for m in doc["members"]]
details = [i["detail"] for d in doc["decisions"] for n in d["needs"] for i in n["issues"]]
ok = ids == ["P\ufffd4", "P5"] and any("死死" in t for t in details)
if not ok:
	print("FAIL: ids %s, details %s" % (ids, details))
sys.exit(0 if ok else 1)
PY
then
	ok
else
	bad "needs --format json of text that is not UTF-8: $(cat "$work/bad8.err")"
fi
# a person id too long for its column is cut after a whole character
sqlite3 "$bad8/registry.db" "UPDATE person SET person_id = '$(printf '身%.0s' $(seq 150))' WHERE person_id = 'P5'"
(cd "$bad8" && "$HUIMIN" needs "$pol" --config small.conf --household H3 --show-ids) > "$work/bad8.txt" 2> /dev/null
if grep -a '身' "$work/bad8.txt" | python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' 2> /dev/null; then
	ok
else
	bad "needs: a long person id cut inside a character"
fi

# every household's decisions are those of a run over the whole city
(cd "$city" && "$HUIMIN" run "$pol" --config small.conf --out r.db --no-progress --store all) > /dev/null 2>&1 \
	|| bad "the population run failed"
sqlite3 "$city/r.db" "SELECT policy, entity_id, status FROM decisions ORDER BY 1, 2" > "$work/run.dec"
: > "$work/needs.dec"
for h in H1 H2 H3 H4; do
	(cd "$city" && "$HUIMIN" needs "$pol" --config small.conf --household $h --format json) \
		> "$work/$h.json" 2> /dev/null || bad "needs --household $h failed"
done
sqlite3 :memory: "
	WITH doc(j) AS (SELECT readfile('$work/H1.json') UNION ALL SELECT readfile('$work/H2.json')
	                UNION ALL SELECT readfile('$work/H3.json') UNION ALL SELECT readfile('$work/H4.json'))
	SELECT d.value ->> 'policy',
	       coalesce((SELECT m.value ->> 'id' FROM json_each(j, '\$.members') AS m
	                 WHERE m.value ->> 'member' = d.value ->> 'member'), j ->> 'household'),
	       d.value ->> 'status'
	FROM doc, json_each(j, '\$.decisions') AS d ORDER BY 1, 2" > "$work/needs.dec"
if [ -s "$work/run.dec" ] && cmp -s "$work/run.dec" "$work/needs.dec"; then ok
else bad "needs --household and the population run disagree: $(diff "$work/run.dec" "$work/needs.dec" | head -5)"; fi

# ---- refusals ---------------------------------------------------------------------
refuse "unknown household" 2 "huimin: no household \`H9\` in the population (source registry)" \
	"$pol" --config small.conf --household H9
refuse "unknown person" 2 "huimin: no person \`P9\` in the population (source registry)" \
	"$pol" --config small.conf --person P9
refuse "no household named" 2 "huimin: needs: say which household: --household ID or --person ID" \
	"$pol" --config small.conf
refuse "household without config" 2 "huimin: needs: --household and --person need --config FILE" \
	"$pol" --household H1
refuse "both" 2 "huimin: needs: --household and --person do not go together" \
	"$pol" --config small.conf --household H1 --person P1
refuse "given and config" 2 "huimin: needs: --given and --config do not go together" \
	"$pol" --config small.conf --household H1 --given "$here/household.json"
refuse "unknown policy" 2 "huimin: --policy: no policy \`pension\` in these files (they have: allowance, elder, married_bonus, contributor)" \
	"$pol" --policy pension
refuse "bad format" 2 "huimin: needs: unknown format \`xml\` (text or json)" "$pol" --format xml
refuse "bad date" 2 "huimin: as-of date \`2024-13-01\` is not a date (write YYYY-MM-DD)" \
	"$pol" --config small.conf --household H1 --as-of 2024-13-01
refuse "missing facts file" 2 "nosuch.json" "$pol" --given "$work/nosuch.json"
refuse "broken configuration" 2 "source civil (plugin sqlite): cannot open" \
	"$pol" --config small.conf --household H1 --set source.civil.database=nosuch.db
printf '{"household": {"asets": 5}}\n' > "$work/bad.json"
refuse "bad facts" 1 "bad.json: household has no fact \`asets\`" "$pol" --given "$work/bad.json"

# ---- out of memory at every allocation in turn ------------------------------
# of loading and deciding the household (until five runs in a row no
# longer reach the failing allocation): exit 2 with "out of memory", never a
# crash (nor a leak, under the sanitizers).  Compiling comes first and is
# the compiler's to test: the sweep starts after its allocations, the
# fewest with which the list of what each policy reads succeeds.
lo=1 hi=4096
while [ $lo -lt $hi ]; do
	mid=$(((lo + hi) / 2))
	if HM_MEM_FAIL_AT=$mid "$HUIMIN" needs "$pol" --format json > /dev/null 2>&1; then hi=$mid
	else lo=$((mid + 1)); fi
done
n=$lo clean=0 oom_bad=0
while [ $n -le 5000 ] && [ $clean -lt 5 ]; do
	(cd "$city" && HM_MEM_FAIL_AT=$n "$HUIMIN" needs "$pol" --config small.conf --household H4 \
		--format json) > /dev/null 2> "$work/err"
	st=$?
	if [ $st -eq 0 ]; then
		clean=$((clean + 1))
	else
		clean=0
		if [ $st -ne 2 ] || ! grep -q "out of memory" "$work/err"; then
			oom_bad=$((oom_bad + 1))
			[ $oom_bad -le 3 ] && echo "allocation $n failing: exit $st: $(head -3 "$work/err")"
		fi
	fi
	n=$((n + 1))
done
[ $oom_bad -eq 0 ] && [ $n -gt $((lo + 50)) ] && ok || bad "out of memory: $oom_bad runs went wrong (allocations $lo to $n)"

finish
