#!/bin/sh
# run-compare.sh -- bench/compare.sh over a city of 1,000 households: huimin,
# the same rules in SQL (bench/sql/pack.sql over the department databases)
# and, once bench/floor/floor.c exists, the hand-written C floor, all agree
# decision by decision (each hospital bill's too) and each is timed;
# bench/sql/compare_results.py finds a decision that differs (a claim's
# too), one that is missing and one too many, and names them.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"

# ---- the comparison ---------------------------------------------------------
BENCH_DATA="$work/data" HUIMIN="$HUIMIN" "$SRCDIR/bench/compare.sh" 1000 >"$work/out" 2>"$work/err"
st=$?
[ $st -eq 0 ] && ok || bad "compare.sh 1000: exit $st: $(tail -n 20 "$work/out" "$work/err")"
run="$work/data/run-1000"
grep -q '^huimin and sql: all [0-9]* eligible and undetermined decisions agree, entity by entity$' "$work/out" &&
	ok || bad "compare.sh: no agreement of huimin and sql: $(cat "$work/out")"
for side in huimin sql; do
	grep -Eq "^$side +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+$" "$work/out" &&
		ok || bad "compare.sh: no timings of $side: $(cat "$work/out")"
done
grep -Eq '^eval ratio sql/huimin = [0-9.]+; wall ratio sql/huimin = [0-9.]+$' "$work/out" &&
	ok || bad "compare.sh: no sql/huimin ratios: $(cat "$work/out")"
grep -Eq "^results: huimin's database [0-9.]+ MB; its eligible and undetermined decisions as CSV [0-9.]+ MB" \
	"$work/out" && ok || bad "compare.sh: no results sizes: $(cat "$work/out")"
if [ -f "$SRCDIR/bench/floor/floor.c" ]; then
	grep -q '^huimin and floor: all [0-9]* eligible and undetermined decisions agree' "$work/out" &&
		ok || bad "compare.sh: no agreement of huimin and the floor: $(cat "$work/out")"
	grep -Eq '^eval ratio huimin/floor = [0-9.]+; wall ratio huimin/floor = [0-9.]+$' "$work/out" &&
		ok || bad "compare.sh: no huimin/floor ratios: $(cat "$work/out")"
else
	grep -q 'floor: bench/floor/floor.c does not exist yet: the floor is skipped' "$work/err" &&
		ok || bad "compare.sh: the skipped floor not said: $(cat "$work/err")"
fi
# only what matters is written by SQL
n=$(sqlite3 "$run/sql.db" "SELECT count(*) FROM decisions WHERE status NOT IN ('eligible', 'undetermined')")
[ "$n" = 0 ] && ok || bad "sql.db holds $n decisions neither eligible nor undetermined"

# ---- differences are found and named ------------------------------------------------
cmp_results() { python3 "$SRCDIR/bench/sql/compare_results.py" "$@"; }
cp "$run/sql.db" "$work/bad.db"
sqlite3 "$work/bad.db" "
	UPDATE decisions SET amount_fen = amount_fen + 1
	 WHERE rowid = (SELECT min(rowid) FROM decisions WHERE policy = 'dibao' AND status = 'eligible');
	DELETE FROM decisions
	 WHERE rowid = (SELECT min(rowid) FROM decisions WHERE policy = 'gaoling');
	UPDATE decisions SET amount_fen = amount_fen + 1
	 WHERE rowid = (SELECT min(rowid) FROM decisions WHERE policy = '基本医保' AND status = 'eligible');
	INSERT INTO decisions VALUES ('person', 'P-nobody', 'linghuo', 'eligible', 100, NULL);"
changed=$(sqlite3 "$run/sql.db" "SELECT entity_id FROM decisions WHERE policy = 'dibao' AND status = 'eligible' ORDER BY rowid LIMIT 1")
gone=$(sqlite3 "$run/sql.db" "SELECT entity_id FROM decisions WHERE policy = 'gaoling' ORDER BY rowid LIMIT 1")
bill=$(sqlite3 "$run/sql.db" "SELECT entity_id || ' 基本医保 claim ' || claim FROM decisions
	WHERE policy = '基本医保' AND status = 'eligible' ORDER BY rowid LIMIT 1")
cmp_results huimin="$run/huimin.db" sql="$work/bad.db" >"$work/diff"
st=$?
[ $st -eq 1 ] && ok || bad "compare_results: a changed database: exit $st, not 1"
grep -q '^huimin and sql: 4 decisions differ' "$work/diff" && ok || bad "compare_results: not 3 differences: $(cat "$work/diff")"
grep -q "^  household $changed dibao: huimin eligible .*, sql eligible " "$work/diff" &&
	ok || bad "compare_results: the changed amount of $changed not named: $(cat "$work/diff")"
grep -q "^  person $gone gaoling: huimin [a-z]* .*, sql not_eligible -$" "$work/diff" &&
	ok || bad "compare_results: the missing decision of $gone not named: $(cat "$work/diff")"
grep -q "^  person $bill: huimin eligible .*, sql eligible " "$work/diff" &&
	ok || bad "compare_results: the changed amount of the claim $bill not named: $(cat "$work/diff")"
grep -q "^  person P-nobody linghuo: huimin not_eligible -, sql eligible 1.00$" "$work/diff" &&
	ok || bad "compare_results: the decision too many not named: $(cat "$work/diff")"
grep -q '^dibao  *sql .*<- differs$' "$work/diff" || grep -q '^ *sql .*<- differs$' "$work/diff" &&
	ok || bad "compare_results: the per-policy counts do not differ: $(cat "$work/diff")"

# three results: each compared with the first
cmp_results huimin="$run/huimin.db" sql="$run/sql.db" again="$run/sql.db" >"$work/three"
st=$?
[ $st -eq 0 ] && [ "$(grep -c 'decisions agree, entity by entity$' "$work/three")" = 2 ] &&
	ok || bad "compare_results: three results: exit $st: $(cat "$work/three")"

# usage and an unreadable database: exit 2
cmp_results "$run/sql.db" >/dev/null 2>&1
st=$?
[ $st -eq 2 ] && ok || bad "compare_results with one result: exit $st, not 2"
echo "not a database" >"$work/junk.db"
cmp_results a="$run/sql.db" b="$work/junk.db" >/dev/null 2>"$work/junk.err"
st=$?
[ $st -eq 2 ] && grep -q '^compare_results: ' "$work/junk.err" &&
	ok || bad "compare_results with a junk database: exit $st: $(cat "$work/junk.err")"
finish
