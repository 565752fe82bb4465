#!/bin/sh
# run-run-with.sh -- hm_run_with against `huimin run`: the small city of
# tests/batch run by the command into a results database, whose rows are
# what check_run_with's sink must collect from the same data, read by the
# sqlite plugin registered in the program (tests/embed/check_run_with.c).
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
check=$bindir/tests/embed/check_run_with
[ -x "$check" ] || { echo "FAIL: $check is not built"; exit 1; }
small_city "$work/c"
"$HUIMIN" compile "$SRCDIR/tests/batch/small.pol" -o "$work/c/small.hmc" 2> "$work/err" ||
	{ echo "FAIL: compile: $(cat "$work/err")"; exit 1; }
(cd "$work/c" && "$HUIMIN" run small.hmc --config small.conf --out r.db --no-progress --reasons --store all) \
	> /dev/null 2> "$work/err" || { echo "FAIL: huimin run: $(cat "$work/err")"; exit 1; }
# the rows as check_run_with's sink writes them, sorted alike
sqlite3 -batch -noheader -separator '|' "$work/c/r.db" "
	SELECT 'run', as_of, pack_hash, households, persons, reasons, settled, store FROM runs;
	SELECT 'decision', entity_kind, entity_id, ifnull(household_id, ''), policy, status, ifnull(amount_fen, ''),
	       ifnull(amount_period, ''), ifnull(reason, ''), ifnull(message, ''), ifnull(missing, ''), ifnull(claim, '')
	FROM decisions;
	SELECT 'issue', ifnull(source, ''), entity_kind, entity_id, field, issue, ifnull(detail, '') FROM data_issues;
	SELECT 'ne', p.name, ifnull(r.text, ''), n.count FROM run_not_eligible n
	JOIN run_policies p ON p.run_id = n.run_id AND p.policy = n.policy
	LEFT JOIN run_reasons r ON r.run_id = n.run_id AND r.reason = n.reason;
	SELECT 'na', p.name, n.count FROM run_not_applicable n
	JOIN run_policies p ON p.run_id = n.run_id AND p.policy = n.policy;" |
	LC_ALL=C sort > "$work/expected" || { echo "FAIL: reading r.db"; exit 1; }
grep -q '^decision|' "$work/expected" || { echo "FAIL: no decisions in r.db"; exit 1; }
HM_DIR=$work/c HM_PACK=$work/c/small.hmc HM_SQLITE_SO=$bindir/plugins/.libs/sqlite.so EXPECTED=$work/expected \
	"$check" && ok || bad "check_run_with (above)"
[ -f "$work/c/run-with.actual" ] && diff -u "$work/expected" "$work/c/run-with.actual" | head -40
finish
