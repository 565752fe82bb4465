#!/bin/sh
# run-periods.sh -- every amount with its period: a policy paid per month,
# one per year and a lump sum over the small city.  The summary of `huimin
# run` and the text of `huimin report` (golden), their JSON, totals per
# period never added across periods, the yearly cost computed (per month
# × 12 + per year), and a run of an older database that did not record
# the period.
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

# JSON: each amount with its period, the totals per period
"$HUIMIN" report "$work/c/r.db" --format json > "$work/report.json" 2> "$work/err"
st=$?
got=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["policies"]:
    print(p["policy"], p["amount"], p["period"], p["amount_per_year"])
t = r["totals"]
print(t["month"], t["year"], t["once"], t["yearly_cost"], t["period_not_recorded"], t["overflow"])
' "$work/report.json" 2>&1 | tr '\n' ';')
want="monthly_aid 600.00 month 7200.00;heating 2400.00 year 2400.00;bonus 2000.00 once None;600.00 2400.00 2000.00 9600.00 None False;"
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "report --format json: exit $st, got $got"
(cd "$work/c" && "$HUIMIN" run "$here/periods.pol" --config small.conf --out r.db --no-progress --format json) \
	> "$work/run.json" 2> "$work/err"
st=$?
got=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["policies"]:
    print(p["policy"], p["eligible"], p["amount"], p["period"])
t = r["totals"]
print(t["month"], t["year"], t["once"], t["yearly_cost"])
' "$work/run.json" 2>&1 | tr '\n' ';')
want="monthly_aid 2 600.00 month;heating 2 2400.00 year;bonus 4 2000.00 once;600.00 2400.00 2000.00 9600.00;"
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "run --format json: exit $st, got $got"

# the view gives each amount its period
got=$(sqlite3 "$work/c/r.db" "SELECT policy || ':' || amount_period || ':' || count(*) FROM decisions
	WHERE run_id = 1 AND amount_fen IS NOT NULL GROUP BY policy ORDER BY policy" | tr '\n' ' ')
[ "$got" = "bonus:once:4 heating:year:2 monthly_aid:month:2 " ] && ok || bad "decisions.amount_period: $got"

# an older database without run_policies.period: the amounts are shown,
# their period said not recorded, and never added to the others
cp "$work/c/r.db" "$work/old.db"
sqlite3 "$work/old.db" "DROP VIEW decisions; ALTER TABLE run_policies DROP COLUMN period; PRAGMA user_version = 2"
"$HUIMIN" report "$work/old.db" --run 1 > "$work/out" 2> "$work/err"
st=$?
if [ $st -eq 0 ] && grep -qF "eligible                2   amount 600.00 (period not recorded)" "$work/out" &&
	grep -qE "^  \(period not recorded\) +5000.00$" "$work/out" &&
	grep -qE "^  yearly cost +0.00   = 0.00 per month × 12 \+ 0.00 per year \(amounts of no recorded period apart\)$" "$work/out"; then ok
else bad "report of a database without periods: exit $st: $(cat "$work/err" "$work/out")"; fi
finish
