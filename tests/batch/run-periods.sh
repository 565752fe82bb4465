#!/bin/sh
# run-periods.sh -- every amount with its period: a policy paid per month,
# one per year and a lump sum over the small city.  The summary of `huimin
# run` and the text of `huimin report` (golden), their JSON, the amount
# for a year computed (a monthly one × 12), amounts of different policies
# never added, and a run of an older database that did not record the
# period.
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# expected files.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

# golden NAME FILE: FILE is tests/batch/NAME
golden() {
	if [ "${HM_REGEN:-}" = 1 ]; then
		cp "$2" "$here/$1"
		ok
	elif diff -u "$here/$1" "$2"; then ok
	else bad "$1 differs"; fi
}

small_city "$work/c"
(cd "$work/c" && "$HUIMIN" run "$here/periods.pol" --config small.conf --out r.db --no-progress --reasons) \
	> "$work/run.txt" 2> "$work/err"
st=$?
[ $st -eq 0 ] && golden periods-run.expected "$work/run.txt" || bad "run: exit $st: $(cat "$work/err")"
"$HUIMIN" report "$work/c/r.db" > "$work/report.txt" 2> "$work/err"
st=$?
[ $st -eq 0 ] && golden periods-report.expected "$work/report.txt" || bad "report: exit $st: $(cat "$work/err")"

# JSON: each amount with its period and for a year; no sum over policies
"$HUIMIN" report "$work/c/r.db" --format json > "$work/report.json" 2> "$work/err"
st=$?
got=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["policies"]:
    print(p["policy"], p["amount"], p["period"], p["amount_per_year"])
print("totals" in r)
' "$work/report.json" 2>&1 | tr '\n' ';')
want="monthly_aid 600.00 month 7200.00;heating 2400.00 year 2400.00;bonus 2000.00 once None;False;"
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "report --format json: exit $st, got $got"
(cd "$work/c" && "$HUIMIN" run "$here/periods.pol" --config small.conf --out r.db --no-progress --format json) \
	> "$work/run.json" 2> "$work/err"
st=$?
got=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["policies"]:
    print(p["policy"], p["eligible"], p["amount"], p["period"], p["amount_per_year"])
' "$work/run.json" 2>&1 | tr '\n' ';')
want="monthly_aid 2 600.00 month 7200.00;heating 2 2400.00 year 2400.00;bonus 4 2000.00 once None;"
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "run --format json: exit $st, got $got"

# the view gives each amount its period
got=$(sqlite3 "$work/c/r.db" "SELECT policy || ':' || amount_period || ':' || count(*) FROM decisions
	WHERE run_id = 1 AND amount_fen IS NOT NULL GROUP BY policy ORDER BY policy" | tr '\n' ' ')
[ "$got" = "bonus:once:4 heating:year:2 monthly_aid:month:2 " ] && ok || bad "decisions.amount_period: $got"

# an older database without run_policies.period: the amounts are shown,
# their period said not recorded
cp "$work/c/r.db" "$work/old.db"
sqlite3 "$work/old.db" "DROP VIEW decisions; ALTER TABLE run_policies DROP COLUMN period; PRAGMA user_version = 2"
"$HUIMIN" report "$work/old.db" --run 1 > "$work/out" 2> "$work/err"
st=$?
if [ $st -eq 0 ] && grep -qxF "  eligible                2   amount 600.00 (period not recorded)" "$work/out" &&
	grep -qxF "  eligible                4   amount 2000.00 (period not recorded)" "$work/out"; then ok
else bad "report of a database without periods: exit $st: $(cat "$work/err" "$work/out")"; fi
finish
