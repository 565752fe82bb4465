#!/bin/sh
# run-diff.sh -- `huimin diff BASE REFORM` over the small city of
# tests/batch: the text output (golden, small.expected), JSON, the results
# database (schema 7, created 0600, ids in full there and masked in the
# output), --set on the reform and without one, packs that cannot share
# the facts and usage errors (exit 2).
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# expected file.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/diff"
small_city "$work/c"
conf="$work/c/small.conf"
base="$SRCDIR/tests/batch/small.pol"
"$HUIMIN" compile "$base" -o "$work/base.hmc" 2> /dev/null || bad "compile the base"
"$HUIMIN" compile "$base" --reform "$here/small_reform.pol" -o "$work/reform.hmc" 2> /dev/null ||
	bad "compile the reform"

# ---- the text: the reform file compiled with the base's ---------------------
"$HUIMIN" diff "$base" "$here/small_reform.pol" --config "$conf" --no-progress > "$work/text" 2> "$work/err"
st=$?
[ $st -eq 0 ] && ok || bad "diff: exit $st: $(cat "$work/err")"
# the hashes are the packs'
sed -i "s/$(sha256sum "$work/base.hmc" | cut -c1-64)/BASE/; s/$(sha256sum "$work/reform.hmc" | cut -c1-64)/REFORM/" "$work/text"
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/text" "$here/small.expected"
elif diff -u "$here/small.expected" "$work/text"; then
	ok
else
	bad "diff: the text differs from tests/diff/small.expected"
fi
# the base's warnings once, not once more for the reform
[ "$(grep -c 'warning:' "$work/err")" = 1 ] && ok || bad "warnings: $(cat "$work/err")"
# the same from the compiled packs
"$HUIMIN" diff "$work/base.hmc" "$work/reform.hmc" --config "$conf" --no-progress > "$work/text2" 2> /dev/null
sed -i "s/$(sha256sum "$work/base.hmc" | cut -c1-64)/BASE/; s/$(sha256sum "$work/reform.hmc" | cut -c1-64)/REFORM/" "$work/text2"
cmp -s "$work/text" "$work/text2" && ok || bad "diff of the packs: $(diff "$work/text" "$work/text2" | head -5)"

# ---- JSON ------------------------------------------------------------------
"$HUIMIN" diff "$work/base.hmc" "$work/reform.hmc" --config "$conf" --no-progress --format json > "$work/json" 2> /dev/null
python3 - "$work/json" <<'PY' && ok || bad "json: $(head -c 600 "$work/json")"
import json, sys
d = json.load(open(sys.argv[1]))
p = {x["policy"]: x for x in d["policies"]}
assert d["diff"]["households"] == 4 and d["diff"]["persons"] == 6, d["diff"]
assert p["allowance"]["paid_more"] == 1 and p["allowance"]["change"] == "200.00", p["allowance"]
assert p["allowance"]["period"] == "month" and p["allowance"]["change_per_year"] == "2400.00"
assert p["elder"]["no_longer_eligible"] == 2 and p["elder"]["change"] == "-200.00"
assert p["一次性补贴"]["presence"] == "added" and p["一次性补贴"]["newly_eligible"] == 1
assert d["cost_change"]["per_month"] == "200.00" and d["cost_change"]["in_a_year"] == "2400.00"
assert d["largest"][0]["household"] != "H1" and d["largest"][0]["in_a_year"] == "2400.00"
PY

# ---- the results database --------------------------------------------------
"$HUIMIN" diff "$work/base.hmc" "$work/reform.hmc" --config "$conf" --no-progress --out "$work/d.db" --top 2 \
	> "$work/out" 2> "$work/err"
st=$?
[ $st -eq 0 ] && grep -qxF "huimin: diff 1 stored in $work/d.db" "$work/err" && ok || bad "--out: exit $st: $(cat "$work/err")"
[ "$(stat -c %a "$work/d.db")" = 600 ] && ok || bad "the database is $(stat -c %a "$work/d.db")"
got=$(sqlite3 "$work/d.db" "PRAGMA user_version; SELECT households || ' ' || persons FROM diff_runs;
	SELECT policy || ' ' || presence || ' ' || newly_eligible || ' ' || no_longer_eligible || ' ' || change_fen
	  || ' ' || ifnull(change_per_year_fen, '-') FROM diff_policies WHERE paid_more + newly_eligible + no_longer_eligible > 0;
	SELECT rank || ' ' || household || ' ' || change_per_year_fen FROM diff_households;
	SELECT count(*) FROM diff_distribution WHERE period = 'month'" | tr '\n' '|')
[ "$got" = "7|4 6|allowance both 0 0 20000 240000|elder both 0 2 -20000 -|一次性补贴 added 1 0 20000 -|1 H1 240000|11|" ] && ok ||
	bad "the database holds: $got"
grep -q ' H1 ' "$work/out" && bad "an id in full in the output: $(cat "$work/out")" || ok

# ---- --set parameter.…: amends the reform; without one, makes it -----------
"$HUIMIN" diff "$work/base.hmc" "$work/reform.hmc" --config "$conf" --no-progress --format json \
	--set parameter.高龄起始年龄=80 > "$work/json" 2> "$work/err"
python3 -c 'import json, sys
p = {x["policy"]: x for x in json.load(open(sys.argv[1]))["policies"]}
assert p["elder"]["no_longer_eligible"] == 0 and p["elder"]["change"] == "0.00", p["elder"]' "$work/json" && ok ||
	bad "--set on the reform: $(cat "$work/err")"
"$HUIMIN" diff "$work/reform.hmc" --config "$conf" --no-progress --format json \
	--set parameter.高龄起始年龄=80 > "$work/json" 2> "$work/err"
python3 -c 'import json, sys
p = {x["policy"]: x for x in json.load(open(sys.argv[1]))["policies"]}
assert p["elder"]["newly_eligible"] == 2 and p["allowance"]["change"] == "0.00", p' "$work/json" && ok ||
	bad "--set without a reform: $(cat "$work/err")"
"$HUIMIN" diff "$work/reform.hmc" --config "$conf" --no-progress --set parameter.高龄起始年龄=八十 > /dev/null 2> "$work/err"
[ $? -eq 2 ] && grep -q "^--set:2:22: error: a parameter's value must be written out" "$work/err" && ok ||
	bad "--set with a bad value: $(cat "$work/err")"

# ---- by region: township, county, city (`regions by`) ------------------------
small_city "$work/g"
sqlite3 "$work/g/registry.db" "UPDATE household SET region_code = CASE hh_id WHEN 'H1' THEN '330102001'
	WHEN 'H2' THEN '330102002' WHEN 'H3' THEN '330205001' END"
{ cat "$base"; printf '\nregions by household.region\n'; } > "$work/g/regions.pol"
"$HUIMIN" diff "$work/g/regions.pol" "$here/small_reform.pol" --config "$work/g/small.conf" --no-progress \
	> "$work/text" 2> "$work/err"
st=$?
sed -i '/^base   sha256:/d; /^reform sha256:/d' "$work/text"
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/text" "$here/regions.expected"
elif [ $st -eq 0 ] && diff -u "$here/regions.expected" "$work/text"; then
	ok
else
	bad "diff by region: exit $st, the text differs from tests/diff/regions.expected: $(cat "$work/err")"
fi
"$HUIMIN" diff "$work/g/regions.pol" "$here/small_reform.pol" --config "$work/g/small.conf" --no-progress \
	--format json --out "$work/g/d.db" > "$work/json" 2> /dev/null
python3 - "$work/json" <<'PY' && ok || bad "regions in JSON: $(head -c 800 "$work/json")"
import json, sys
r = json.load(open(sys.argv[1]))["regions"]
c = {x["region"]: x for x in r["county"]}
assert sorted(c) == ["", "330102", "330205"], c
assert c["330102"]["households"] == 2 and c["330102"]["per_month"] == "200.00" and c["330102"]["in_a_year"] == "2400.00"
assert c["330102"]["policies"]["elder"]["no_longer_eligible"] == 2 and c["330102"]["policies"]["elder"]["change"] == "-200.00"
assert [x["region"] for x in r["city"]] == ["330100", "330200", ""] and len(r["township"]) == 4
PY
[ "$(sqlite3 "$work/g/d.db" "SELECT group_concat(region || ':' || households || ':' || change_fen, ' ') FROM diff_regions
	WHERE level = 'county' AND policy = 'allowance'")" = "330102:2:20000 330205:1:0 :1:0" ] && ok ||
	bad "diff_regions: $(sqlite3 "$work/g/d.db" "SELECT * FROM diff_regions WHERE level = 'county'")"

# ---- the page (--format html): no network, charts in SVG, ids masked ---------
"$HUIMIN" diff "$work/g/regions.pol" "$here/small_reform.pol" --config "$work/g/small.conf" --no-progress \
	--format html > "$work/page.html" 2> "$work/err"
st=$?
[ $st -eq 0 ] && grep -q '^<!DOCTYPE html>' "$work/page.html" && grep -q '</html>' "$work/page.html" &&
	[ "$(grep -c '<svg' "$work/page.html")" -ge 4 ] && grep -q 'Gains and losses' "$work/page.html" &&
	grep -q 'By county' "$work/page.html" && ! grep -qE '(src|href)="?https?:' "$work/page.html" &&
	! grep -q '>H1<' "$work/page.html" && ok || bad "--format html: exit $st: $(cat "$work/err")"

# ---- refused ---------------------------------------------------------------
# a fact of another type in each pack: one load cannot serve both
sed 's/household.assets      : money/household.assets      : decimal/' "$base" > "$work/other.pol"
"$HUIMIN" compile "$work/other.pol" -o "$work/other.hmc" 2> /dev/null || bad "compile other.pol"
"$HUIMIN" diff "$base" "$work/other.hmc" --config "$conf" --no-progress > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qxF "huimin: the fact household.assets is decimal in the reform but money in the base: the two packs must declare the facts they share alike" "$work/err" &&
	ok || bad "a fact of another type: exit $st: $(cat "$work/err")"
"$HUIMIN" diff "$base" --config "$conf" > /dev/null 2> "$work/err"
[ $? -eq 2 ] && grep -q "give the base and the reform" "$work/err" && ok || bad "no reform: $(cat "$work/err")"
"$HUIMIN" diff "$base" "$here/small_reform.pol" > /dev/null 2> "$work/err"
[ $? -eq 2 ] && grep -q "with --config FILE" "$work/err" && ok || bad "no --config: $(cat "$work/err")"
"$HUIMIN" diff "$base" "$here/small_reform.pol" --config "$conf" --format xml > /dev/null 2> "$work/err"
[ $? -eq 2 ] && ok || bad "--format xml: $(cat "$work/err")"
"$HUIMIN" diff "$work/base.hmc" "$here/small_reform.pol" --config "$conf" > /dev/null 2> "$work/err"
[ $? -eq 2 ] && grep -q "compiled with the base's policy files" "$work/err" && ok || bad "a .hmc and a reform file: $(cat "$work/err")"
"$HUIMIN" diff --help | grep -q "^usage: huimin diff" && ok || bad "--help"

echo "run-diff: $pass passed, $fail failed"
[ $fail -eq 0 ]
