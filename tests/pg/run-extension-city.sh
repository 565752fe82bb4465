#!/bin/sh
# run-extension-city.sh -- huimin.run over a generated city of 2,000
# households, every source of the example pack in PostgreSQL
# (examples/city/to-postgres), gives the decisions, counts and issues of
# `huimin run` reading the same tables through the postgres plugin.
#
# Env: HUIMIN, SRCDIR.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg/lib.sh"
pg_stage || exit $?
city="$work/city"
"$SRCDIR/examples/city/generate" --households 2000 --seed 11 --out "$city" > /dev/null 2>&1 ||
	{ echo "FAIL: generate"; exit 1; }
[ "$(id -u)" = 0 ] && chown -R postgres "$work"
pg_start 0 || exit 1
pg_psql 0 -d postgres -c "CREATE DATABASE city" || exit 1
"$SRCDIR/examples/city/to-postgres" --city "$city" --db "$(pg_conn 0)" --conf "$work/pg.conf" > "$work/out" 2>&1 ||
	{ cat "$work/out"; echo "FAIL: to-postgres"; exit 1; }
"$HUIMIN" compile "$SRCDIR/examples/policies" -o "$work/examples.hmc" > /dev/null || { echo "FAIL: compile"; exit 1; }
chmod 644 "$work/examples.hmc"
pg_psql 0 -d city -q -c "CREATE EXTENSION huimin CASCADE" \
	-c "SELECT huimin.load_pack('examples', pg_read_binary_file('$work/examples.hmc'))" > /dev/null ||
	{ echo "FAIL: the extension"; exit 1; }
config=$(sed "s/'/''/g" "$work/pg.conf")
dq="entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period, reason, message, missing, claim"
for mode in plain reasons; do
	opts="" args=""
	[ $mode = reasons ] && opts="--reasons --store all" args=", reasons => true, store => 'all'"
	"$HUIMIN" run "$SRCDIR/examples/policies" --config "$work/pg.conf" --out "$work/$mode.db" --no-progress $opts \
		> /dev/null 2> "$work/err" || { bad "$mode: huimin run: $(cat "$work/err")"; continue; }
	run_id=$(pg_psql 0 -d city -Atc "SELECT huimin.run('examples', '$config', NULL $args)" 2> "$work/err") ||
		{ bad "$mode: huimin.run: $(cat "$work/err")"; continue; }
	for q in "SELECT $dq FROM decisions WHERE run_id = RUN ORDER BY entity_id, policy, claim" \
		"SELECT as_of, pack_hash, households, persons, reasons, settled, store FROM runs WHERE run_id = RUN" \
		"SELECT policy, reason, count FROM run_not_eligible WHERE run_id = RUN ORDER BY 1, 2" \
		"SELECT policy, count FROM run_not_applicable WHERE run_id = RUN ORDER BY 1" \
		"SELECT source, entity_kind, entity_id, field, issue, detail FROM data_issues WHERE run_id = RUN ORDER BY 3, 4, 1, 5, 6"; do
		sqlite3 "$work/$mode.db" "$(echo "$q" | sed 's/RUN/(SELECT max(run_id) FROM runs)/')" > "$work/lite"
		pg_psql 0 -d city -At -c "SET search_path = huimin" -c "$(echo "$q" | sed "s/RUN/$run_id/")" > "$work/pg"
		if [ -s "$work/pg" ] && cmp -s "$work/lite" "$work/pg"; then ok
		else bad "$mode: $(echo "$q" | cut -c1-50)…: $(wc -l < "$work/lite") / $(wc -l < "$work/pg") rows: $(diff "$work/lite" "$work/pg" | head -4)"; fi
	done
done
finish
