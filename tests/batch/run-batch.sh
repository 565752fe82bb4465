#!/bin/sh
# run-batch.sh -- population runs over a small city on the sqlite plugin:
# the decisions and data issues written (golden), `huimin report` of a run
# with and without --reasons (golden), configuration and schema errors (each
# with its message and exit status 2), and a run killed with SIGKILL part
# way, which must leave the results database unchanged.
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# expected files.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

city() { small_city "$1"; }

# ---- the small city: decisions and issues --------------------------------
city "$work/c"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress --reasons --store all) \
	> "$work/summary" 2> "$work/stderr"
st=$?
[ $st -eq 0 ] && ok || bad "small city: exit $st: $(cat "$work/stderr")"
{
	cat "$work/summary"
	echo "-- decisions"
	sqlite3 "$work/c/r.db" "SELECT entity_kind, entity_id, policy, status, amount_fen, reason, missing
		FROM decisions ORDER BY policy, entity_id"
	echo "-- data issues"
	sqlite3 "$work/c/r.db" "SELECT source, entity_kind, entity_id, field, issue, detail
		FROM data_issues ORDER BY entity_id, field"
	echo "-- runs"
	sqlite3 "$work/c/r.db" "SELECT run_id, as_of, length(pack_hash), households, persons,
		finished IS NOT NULL FROM runs"
} > "$work/small.actual"
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/small.actual" "$here/small.expected"
elif diff -u "$here/small.expected" "$work/small.actual"; then
	ok
else
	bad "small city: results differ from tests/batch/small.expected"
fi

# ---- the summary's columns line up under Chinese policy names ------------
# (a Chinese character takes two columns of a terminal)
sed 's/^policy allowance /policy 生活补助 /; s/^policy elder /policy 高龄补贴 /' "$here/small.pol" > "$work/c/zh.pol"
(cd "$work/c" && "$HUIMIN" run zh.pol --config small.conf --out zh.db --no-progress) > "$work/zh.actual" 2> "$work/err"
st=$?
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/zh.actual" "$here/small-zh.expected"
elif [ $st -eq 0 ] && diff -u "$here/small-zh.expected" "$work/zh.actual"; then
	ok
else
	bad "summary with Chinese policy names: exit $st, differs from tests/batch/small-zh.expected: $(cat "$work/err")"
fi

# ---- the same civil affairs data as CSV files gives the same decisions ----
sqlite3 "$work/c/r.db" "SELECT entity_id, policy, status, amount_fen, reason, missing FROM decisions
	ORDER BY 1, 2" > "$work/sqlite.dec"
cp -r "$here/civil-csv" "$work/c/civil-csv"
sed '/^\[source civil\]/,$ { s/^plugin = sqlite/plugin = csv/; s/^database = civil.db/directory = civil-csv/; }' \
	"$work/c/small.conf" > "$work/c/csv.conf"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config csv.conf --out csv.db --no-progress --reasons --store all) \
	> /dev/null 2> "$work/err"
st=$?
sqlite3 "$work/c/csv.db" "SELECT entity_id, policy, status, amount_fen, reason, missing FROM decisions
	ORDER BY 1, 2" > "$work/csv.dec" 2>&1
if [ $st -eq 0 ] && cmp -s "$work/sqlite.dec" "$work/csv.dec"; then ok
else bad "csv plugin: exit $st, decisions differ from sqlite's: $(diff "$work/sqlite.dec" "$work/csv.dec" | head -5) $(cat "$work/err")"; fi
# a malformed CSV file: its name and line
printf 'person_id,amount_fen,marital\nP1,"500\n' > "$work/c/civil-csv/income.csv"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config csv.conf --out csv.db --no-progress) > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "civil-csv/income.csv:2:" "$work/err" && ok || bad "malformed csv: exit $st: $(cat "$work/err")"
printf 'person_id,amount\nP1,5\n' > "$work/c/civil-csv/income.csv"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config csv.conf --out csv.db --no-progress) > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "setting person.monthly_income (line 29): table income has no column \`amount_fen\` (did you mean \`amount\`?)" "$work/err" \
	&& ok || bad "csv missing column: exit $st: $(cat "$work/err")"

# ---- huimin report ------------------------------------------------------
# a database made before runs.reasons existed (checked below)
cp "$work/c/r.db" "$work/c/old.db"
sqlite3 "$work/c/old.db" "ALTER TABLE runs DROP COLUMN reasons; ALTER TABLE runs DROP COLUMN settled; PRAGMA user_version = 0"
# run 1 of r.db stored reasons: the breakdowns (golden), also as JSON
"$HUIMIN" report "$work/c/r.db" > "$work/report.actual" 2> "$work/err"
st=$?
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/report.actual" "$here/report.expected"
elif [ $st -eq 0 ] && diff -u "$here/report.expected" "$work/report.actual"; then
	ok
else
	bad "report: exit $st, differs from tests/batch/report.expected: $(cat "$work/err")"
fi
"$HUIMIN" report "$work/c/r.db" --run 1 --format json > "$work/report.json" 2> "$work/err"
st=$?
if [ $st -eq 0 ] && python3 -m json.tool "$work/report.json" > /dev/null &&
	grep -qF '"amount": "900.00"' "$work/report.json" &&
	grep -qF '"fact": "person.deceased (stale)"' "$work/report.json"; then ok
else bad "report --format json: exit $st: $(cat "$work/err" "$work/report.json")"; fi
"$HUIMIN" report "$work/c/r.db" --policy elder > "$work/out" 2> "$work/err"
st=$?
if [ $st -eq 0 ] && grep -qF 'policy elder "高龄补贴" for person' "$work/out" &&
	! grep -qF 'policy allowance' "$work/out"; then ok
else bad "report --policy: exit $st: $(cat "$work/err" "$work/out")"; fi
# run 2 without --reasons: the same counts, reason and missing left NULL
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress --store all) \
	> "$work/summary2" 2> "$work/err"
st=$?
got=$(sqlite3 "$work/c/r.db" "SELECT count(*), count(reason), count(missing) FROM decisions WHERE run_id = 2;
	SELECT group_concat(run_id || ':' || reasons, ' ') FROM runs" | tr '\n' ' ')
if [ $st -eq 0 ] && [ "$got" = "22|0|0 1:1 2:0 " ] && cmp -s "$work/summary" "$work/summary2"; then ok
else bad "run without --reasons: exit $st, got \"$got\": $(cat "$work/err")"; fi
"$HUIMIN" report "$work/c/r.db" > "$work/out" 2> "$work/err"
st=$?
if [ $st -eq 0 ] && grep -qF "run 2 as of 2024-08-01: 4 households, 6 persons; reasons not stored" "$work/out" &&
	grep -qF "rerun with --reasons" "$work/out" && ! grep -qF "not met" "$work/out" &&
	grep -qE '^  not eligible +1$' "$work/out"; then ok
else bad "report of a run without reasons: exit $st: $(cat "$work/err" "$work/out")"; fi
# the older database: its runs stored reasons, and the next run adds the column
"$HUIMIN" report "$work/c/old.db" > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 0 ] && cmp -s "$here/report.expected" "$work/out" && ok \
	|| bad "report of an older database: exit $st: $(cat "$work/err"; diff "$here/report.expected" "$work/out")"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config small.conf --out old.db --no-progress) \
	> /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/c/old.db" "SELECT group_concat(run_id || ':' || ifnull(reasons, 'null'), ' ') FROM runs" 2>&1)
[ $st -eq 0 ] && [ "$got" = "1:null 2:0" ] && ok || bad "run into an older database: exit $st, runs $got: $(cat "$work/err")"
got=$(sqlite3 "$work/c/old.db" "SELECT group_concat(run_id || ':' || ifnull(settled, 'null'), ' ') FROM runs" 2>&1)
[ "$got" = "1:null 2:1" ] && ok || bad "run into an older database: runs.settled $got"
# report_error NAME PHRASE ARGS...: `huimin report ARGS` exits 2 saying PHRASE
report_error() {
	name=$1 phrase=$2
	shift 2
	"$HUIMIN" report "$@" > "$work/out" 2> "$work/err"
	st=$?
	if [ $st -eq 2 ] && [ ! -s "$work/out" ] && [ "$(wc -l < "$work/err")" -eq 1 ] &&
		grep -qF -- "huimin: $phrase" "$work/err"; then ok
	else bad "report, $name: exit $st: $(cat "$work/err")"; fi
}
report_error "missing file" "$work/nosuch.db: No such file or directory" "$work/nosuch.db"
report_error "not a database" "$here/small.conf: not a huimin results database" "$here/small.conf"
report_error "other database" "$work/c/registry.db: not a huimin results database" "$work/c/registry.db"
report_error "no such run" "$work/c/r.db: no run 999 (the latest is run 2)" "$work/c/r.db" --run 999
report_error "no such policy" "$work/c/r.db: run 1 has no policy \`nosuch\`" "$work/c/r.db" --run 1 --policy nosuch
report_error "bad format" "report: unknown format \`xml\`" "$work/c/r.db" --format xml

# ---- errors: each case is a --set that breaks the configuration ----------
# expect NAME STATUS PHRASE -- ARGS...: run with ARGS, check status and
# that stderr contains PHRASE
expect() {
	name=$1 want=$2 phrase=$3
	shift 4
	(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config small.conf --out e.db \
		--no-progress "$@") > "$work/out" 2> "$work/err"
	st=$?
	if [ $st -ne "$want" ]; then
		bad "$name: exit $st, expected $want: $(cat "$work/err")"
	elif ! grep -qF -- "$phrase" "$work/err"; then
		bad "$name: no \"$phrase\" in: $(cat "$work/err")"
	else
		ok
	fi
}
expect "wrong type" 2 "gives person.deceased as int, but the policies declare it bool" -- \
	--set "source.registry.person.deceased=person.deceased int"
expect "wrong code set" 2 "gives person.marital as code status, but the policies declare it code marital" -- \
	--set "source.civil.person.marital=income.marital code status"
expect "money period" 2 "gives person.monthly_income as money per year" -- \
	--set "source.civil.person.monthly_income=income.amount_fen money per year"
expect "no such plugin" 2 "plugin \`nosuch\` not found" -- --set source.civil.plugin=nosuch
expect "unknown source" 2 "[source tax] is not a source of these policies" -- --set source.tax.plugin=sqlite
expect "missing table" 2 "source civil (plugin sqlite): setting household.assets (--set): there is no table \`nosuch\`" -- \
	--set "source.civil.household.assets=nosuch.assets money" --set source.civil.key.nosuch=hh_id
expect "missing database" 2 "cannot" -- --set source.civil.database=nosuch.db
expect "no key column" 2 "has no key column: add key.other = COLUMN" -- \
	--set "source.civil.household.assets=other.assets money"
expect "bad setting" 2 "unknown setting \`colour\` (--set)" -- --set source.civil.colour=red
expect "bad as-of" 2 "is not a date" -- --as-of 2024-02-30
expect "bad --set" 2 "expected run.KEY=VALUE or source.NAME.KEY=VALUE" -- --set nonsense
expect "no population" 2 "source civil (plugin sqlite): listing the population failed: this source does not list" -- \
	--set run.population=civil
# a field the policies read that the source's plugin does not provide
grep -v '^person.deceased' "$work/c/small.conf" > "$work/c/nodeceased.conf"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config nodeceased.conf --out e.db --no-progress) \
	> /dev/null 2> "$work/err"
st=$?
if [ $st -eq 2 ] && grep -qF "does not provide person.deceased (bool), which allowance, elder read" "$work/err"; then
	ok
else
	bad "field not provided: exit $st: $(cat "$work/err")"
fi
# a source the policies need that is not configured at all
sed '/^\[source civil\]/,$d' "$work/c/small.conf" > "$work/c/nocivil.conf"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config nocivil.conf --out e.db --no-progress) \
	> /dev/null 2> "$work/err"
st=$?
if [ $st -eq 2 ] && grep -qF "no source provides household.assets, which allowance reads: add [source civil]" "$work/err"; then
	ok
else
	bad "unconfigured source: exit $st: $(cat "$work/err")"
fi
# configuration syntax, with its line
printf '[run]\npopulation = registry\nthis line is wrong\n' > "$work/c/broken.conf"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config broken.conf --out e.db) > /dev/null 2> "$work/err"
st=$?
if [ $st -eq 2 ] && grep -qF "broken.conf:3: cannot read this line" "$work/err"; then ok
else bad "config syntax: exit $st: $(cat "$work/err")"; fi
[ ! -e "$work/c/e.db" ] && ok || bad "a failed run created its results database"

# ---- extern functions through libffi ------------------------------------
xplug="$bindir/tests/batch/.libs/extern_plugin.so"
printf '\n[source ext]\nplugin = %s\n' "$xplug" > "$work/ext.part"
cat "$work/c/small.conf" "$work/ext.part" > "$work/c/ext.conf"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" "$here/externs.pol" --config ext.conf --out x.db \
	--no-progress --store all) > /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/c/x.db" "SELECT policy, status, count(*), sum(amount_fen) FROM decisions
	WHERE policy LIKE 'ext%' GROUP BY policy, status ORDER BY 1, 2" 2>&1 | tr '\n' ' ')
# The C function counts the years from the id's 1940 to the birth date's
# year: 40 or more for the two persons born in 1980 and 1990, whose amount is
# 加倍(100 yuan) = 200.00; 加倍(100, true) has no answer → undetermined
want="ext_unknown|undetermined|6| ext_years|eligible|2|40000 ext_years|not_eligible|4| "
if [ $st -eq 0 ] && [ "$got" = "$want" ]; then ok
else bad "externs: exit $st, got \"$got\", want \"$want\": $(cat "$work/err")"; fi
# a different signature in the policies is refused before anything runs
sed 's/extern 加倍(金额: money, 未知: bool) : money from ext/extern 加倍(金额: money) : money from ext/;
	s/加倍(100, false)/加倍(100)/; s/加倍(100, true)/加倍(100)/' "$here/externs.pol" > "$work/c/badsig.pol"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" badsig.pol --config ext.conf --out x.db --no-progress) \
	> /dev/null 2> "$work/err"
st=$?
if [ $st -eq 2 ] && grep -qF "extern function 加倍: the policies declare 加倍(money) : money but plugin $xplug provides 加倍(money, bool) : money" "$work/err"; then
	ok
else
	bad "extern signature: exit $st: $(cat "$work/err")"
fi
# plugin-check shows the extern functions
"$HUIMIN" plugin-check "$xplug" > "$work/out" 2>&1 && grep -qF "extern 户籍年限(text, date) : int  [C function test_registry_years]" "$work/out" \
	&& ok || bad "plugin-check externs: $(cat "$work/out")"
# a plugin built for another ABI major version: refused, by run and plugin-check
badabi="$bindir/tests/batch/.libs/bad_abi_plugin.so"
expect "ABI mismatch" 2 "plugin $badabi: built for plugin ABI 99.0, this huimin speaks 1.6" -- \
	--set "source.civil.plugin=$badabi"
"$HUIMIN" plugin-check "$badabi" > "$work/out" 2>&1
st=$?
[ $st -eq 2 ] && grep -qF "built for plugin ABI 99.0" "$work/out" && ok || bad "plugin-check ABI: exit $st: $(cat "$work/out")"
# a file that is not a shared object, and a shared object with no entry point
echo "not a plugin" > "$work/fake.so"
"$HUIMIN" plugin-check "$work/fake.so" > "$work/out" 2>&1
st=$?
[ $st -eq 2 ] && grep -qF "cannot load" "$work/out" && ok || bad "plugin-check of a non-plugin: exit $st: $(cat "$work/out")"
"$HUIMIN" plugin-check "$bindir/.libs/libhuimin.so" > "$work/out" 2>&1
st=$?
[ $st -eq 2 ] && grep -qF "not a huimin source plugin: it does not export hm_source_v1()" "$work/out" && ok \
	|| bad "plugin-check without an entry point: exit $st: $(cat "$work/out")"

# ---- the example plugin, as its README runs it -------------------------
cp -r "$SRCDIR/plugins/example" "$work/ex"
chmod -R u+w "$work/ex"
rm -f "$work/ex/registry.db"
sqlite3 "$work/ex/registry.db" < "$work/ex/make-city.sql"
"$HUIMIN" plugin-check example --config "$work/ex/example.conf" --source housing --sample 4 > "$work/out" 2>&1
st=$?
if [ $st -eq 0 ] && grep -qF "household.other_housing = true (as of 2024-07-31)" "$work/out" &&
	grep -qF "housing.txt:5: expected \`ID 0\` or \`ID 1\`" "$work/out"; then ok
else bad "example plugin: exit $st: $(cat "$work/out")"; fi

# ---- a run killed with SIGKILL leaves the results as they were -----------
big="$work/big"
city "$big"
sqlite3 "$big/registry.db" "
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000)
	INSERT INTO household SELECT printf('X%07d', i), '330100' FROM n;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450000)
	INSERT INTO person SELECT printf('Y%07d', i), printf('X%07d', (i + 2) / 3),
		printf('19%02d-01-01', 20 + i % 80), 0, '20', '2024-07-20' FROM n;"
sqlite3 "$big/civil.db" "
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450000)
	INSERT INTO income SELECT printf('Y%07d', i), (i % 20) * 10000, '1' FROM n;"
(cd "$big" && "$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress) > /dev/null 2>&1 \
	|| bad "kill test: the first run failed"
before=$(sqlite3 "$big/r.db" "SELECT count(*), sum(status), sum(amount_fen) FROM decision_rows;
	SELECT count(*) FROM runs; SELECT count(*) FROM data_issues")
(cd "$big" && exec "$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress) \
	> /dev/null 2>&1 &
pid=$!
# wait until the second run is writing (its rollback journal exists), then kill it
i=0
while [ $i -lt 600 ] && [ ! -e "$big/r.db-journal" ] && kill -0 $pid 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
if [ -e "$big/r.db-journal" ]; then
	sleep 0.3
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	after=$(sqlite3 "$big/r.db" "SELECT count(*), sum(status), sum(amount_fen) FROM decision_rows;
		SELECT count(*) FROM runs; SELECT count(*) FROM data_issues")
	check=$(sqlite3 "$big/r.db" "PRAGMA integrity_check")
	if [ "$before" = "$after" ] && [ "$check" = ok ]; then ok
	else bad "kill test: results changed ($before) → ($after), integrity $check"; fi
	[ "$(sqlite3 "$big/r.db" "SELECT count(*) FROM runs")" = 1 ] && ok || bad "kill test: a partial run is recorded"
else
	wait $pid
	bad "kill test: the second run never started writing (or finished before it could be killed)"
fi

finish
