#!/bin/sh
# run-onepass.sh -- the population source's tables are read once: the
# households and persons are listed while the source's own fields of those
# tables are read (population_fetch), not by a scan of their own first.
# An isolated plugin (two passes: population, then fetch) decides the
# same, data issues included.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"
shim=${HM_TEST_SHIM:-$bindir/tests/batch/.libs/snapshot_shim.so}

small_city "$work/c"
# run NAME LOG [ARGS]: a run of the small city with every query prepared
# logged in LOG
run() {
	name=$1 log=$2
	shift 2
	rm -f "$work/c/r.db" "$log"
	(cd "$work/c" && HM_TEST_SQL_LOG="$log" LD_PRELOAD="$shim" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress "$@") \
		> "$work/out" 2> "$work/err"
	st=$?
	[ $st -eq 0 ] || bad "$name: exit $st: $(cat "$work/err")"
	sqlite3 "$work/c/r.db" "SELECT entity_id, policy, status, amount_fen FROM decisions ORDER BY 1, 2;
		SELECT entity_id, field, detail FROM data_issues ORDER BY 1, 2, 3" > "$work/$name.txt" 2>&1
}
# reads LOG TABLE: how many queries read TABLE
reads() {
	grep -c "FROM \"$2\"" "$1"
}

run one "$work/one.log"
run two "$work/two.log" --set source.registry.isolate=process
# the registry's tables: household holds region, person five fields; the
# civil database's person table (income) is no population table
h=$(reads "$work/one.log" household) p=$(reads "$work/one.log" person)
if [ "$h" != 1 ] || [ "$p" != 1 ]; then
	bad "one pass: household read $h times, person $p times: $(grep -E 'FROM "(household|person)"' "$work/one.log")"
elif ! grep -q 'SELECT "person_id","hh_id",.*"birth_date"' "$work/one.log"; then
	bad "one pass: the persons are not listed with their fields: $(cat "$work/one.log")"
else
	ok
fi
# isolated, the plugin's process is not LD_PRELOADed the same way: only
# the decisions are compared
if ! cmp -s "$work/one.txt" "$work/two.txt"; then
	bad "one pass and two: other decisions or issues: $(diff "$work/one.txt" "$work/two.txt")"
elif [ "$(grep -c . "$work/one.txt")" -lt 10 ] || ! grep -q "not a yes/no value" "$work/one.txt"; then
	bad "one pass: too little in: $(cat "$work/one.txt")"
else
	ok
fi

finish
