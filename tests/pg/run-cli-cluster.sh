#!/bin/sh
# run-cli-cluster.sh -- `huimin run --config` with a [cluster] section:
# four throwaway servers, server 0 with the whole city (a run of the
# postgres plugin over it is the reference), servers 1-3 each with one
# shard of it (huimin.shard_of).  The run across the three shards must
# record the reference run's decisions, decision by decision, and print
# its summary; a server stopped mid-run, or while its run is read back,
# fails the run, naming it, with nothing recorded and nothing left open
# on any server; a bad [cluster]
# section is refused at its line; a password is never printed.  The same
# for the example city with the example policies, sharded by its loader.
#
# Env: HUIMIN, SRCDIR.  Exits 77 (skipped) only without the PostgreSQL
# server programs.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg/lib.sh"
here="$SRCDIR/tests/pg/cli"
pol="$SRCDIR/tests/batch/small.pol"
pg_stage || exit $?
for n in 0 1 2 3; do
	pg_start $n || exit 1
	pg_psql $n -d postgres -c "CREATE DATABASE city" > /dev/null || exit 1
	pg_psql $n -d city -c "CREATE EXTENSION huimin CASCADE" > /dev/null 2>&1 ||
		{ echo "FAIL: CREATE EXTENSION huimin on server $n"; exit 1; }
	pg_psql $n -d city -f "$here/city.sql" > /dev/null || { echo "FAIL: loading the city on server $n"; exit 1; }
done
for k in 0 1 2; do
	pg_psql $((k + 1)) -d city -v nodes=3 -v shard=$k -f "$here/shard.sql" > /dev/null ||
		{ echo "FAIL: keeping shard $k on server $((k + 1))"; exit 1; }
done

# every household on exactly one shard, with its members
all=$(pg_psql 0 -d city -Atc "SELECT count(*) FROM registry.household")
sum=0
for n in 1 2 3; do
	c=$(pg_psql $n -d city -Atc "SELECT count(*) FROM registry.household")
	[ "$c" -gt 0 ] || bad "shard on server $n is empty"
	sum=$((sum + c))
	orphans=$(pg_psql $n -d city -Atc "SELECT count(*) FROM registry.person p
		WHERE NOT EXISTS (SELECT FROM registry.household h WHERE h.hh_id = p.hh_id)")
	[ "$orphans" = 0 ] || bad "server $n holds $orphans persons of another shard's households"
done
[ "$sum" = "$all" ] && ok || bad "the shards hold $sum households of $all"

# the configurations: the postgres plugin over server 0; the cluster of 1-3
# (their sources' connection is not used: each node reads its own tables)
sources() {
	sed "s/^plugin = sqlite/plugin = postgres/
	     s|^database = registry.db|connection = $(pg_conn $1)\nschema = registry|
	     s|^database = civil.db|connection = $(pg_conn $1)\nschema = civil|" "$SRCDIR/tests/batch/small.conf"
}
sources 0 > "$work/one.conf"
{
	sources 1
	printf '\n[cluster]\n'
	printf 'node.0 = %s\n' "$(pg_conn 1)"
	printf 'node.1 = %s password=s3cr3t-never-shown\n' "$(pg_conn 2)"
	printf 'node.2 = %s\n' "$(pg_conn 3)"
	printf 'pack = tests\n'
} > "$work/cluster.conf"

dq="SELECT entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period, reason, message,
	missing, claim FROM decisions ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11"
iq="SELECT source, entity_kind, entity_id, field, issue, detail FROM data_issues ORDER BY 1, 2, 3, 4, 5, 6"
cq="SELECT 'ne', r.policy, r.reason, sum(r.count) FROM run_not_eligible r GROUP BY 2, 3
	UNION ALL SELECT 'na', policy, NULL, sum(count) FROM run_not_applicable GROUP BY 2
	UNION ALL SELECT 'run', households, persons, reasons || store || as_of || pack_hash FROM runs ORDER BY 1, 2, 3"
same_run() {   # LABEL ONE.db CLUSTER.db
	for q in "$dq" "$iq" "$cq"; do
		sqlite3 "$2" "$q" > "$work/a" 2>&1
		sqlite3 "$3" "$q" > "$work/b" 2>&1
		if [ -s "$work/a" ] && cmp -s "$work/a" "$work/b"; then ok
		else bad "$1: $(diff "$work/a" "$work/b" | head -5)"; fi
	done
}
for reasons in "" --reasons; do
	for store in answers all; do
		"$HUIMIN" run "$pol" --config "$work/one.conf" --out "$work/one$reasons$store.db" --no-progress \
			$reasons --store $store > "$work/one.out" 2> "$work/one.err" ||
			bad "the run over server 0 ($reasons $store): $(cat "$work/one.err")"
		"$HUIMIN" run "$pol" --config "$work/cluster.conf" --out "$work/cl$reasons$store.db" --progress \
			$reasons --store $store > "$work/cl.out" 2> "$work/cl.err"
		st=$?
		[ $st -eq 0 ] && ok || bad "the cluster run ($reasons $store): exit $st: $(cat "$work/cl.err")"
		same_run "cluster run ($reasons $store)" "$work/one$reasons$store.db" "$work/cl$reasons$store.db"
		# the summary: the same table of counts and totals, the same households
		cmp -s "$work/one.out" "$work/cl.out" && [ -s "$work/cl.out" ] && ok ||
			bad "summaries ($reasons $store): $(diff "$work/one.out" "$work/cl.out" | head -5)"
		a=$(sed -n 's/^huimin: run [0-9]* as of \([^:]*: [0-9]* households, [0-9]* persons\),.*/\1/p' "$work/one.err")
		b=$(sed -n 's/^huimin: run [0-9]* as of \([^:]*: [0-9]* households, [0-9]* persons\),.*/\1/p' "$work/cl.err")
		[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "run lines: \"$a\" vs \"$b\""
		grep -q "^cluster: node 2 ran its shard, [123] of 3 nodes done" "$work/cl.err" && ok || bad "no progress of the nodes: $(cat "$work/cl.err")"
	done
done
# each node's sources, named after it; the run's configuration is the file, password blanked
got=$(sqlite3 "$work/cl--reasonsall.db" "SELECT group_concat(source, ' ') FROM (SELECT source FROM run_sources ORDER BY 1)")
[ "$got" = "civil@node0 civil@node1 civil@node2 registry@node0 registry@node1 registry@node2" ] && ok ||
	bad "run_sources: $got"
got=$(sqlite3 "$work/cl--reasonsall.db" "SELECT config FROM runs")
[ "$got" = "$work/cluster.conf" ] && ok || bad "runs.config: $got"
got=$(sqlite3 "$work/cl--reasonsall.db" "SELECT config_text FROM runs")
case "$got" in
*"[cluster]"*"password=******************"*) ok ;;
*) bad "runs.config_text: $got" ;;
esac
# nothing stays on a node: its transaction is rolled back
for n in 1 2 3; do
	got=$(pg_psql $n -d city -Atc "SELECT (SELECT count(*) FROM huimin.runs) || ' ' || (SELECT count(*) FROM huimin.packs)
		|| ' ' || (SELECT count(*) FROM pg_prepared_xacts)")
	[ "$got" = "0 0 0" ] && ok || bad "server $n keeps runs, packs, prepared transactions: $got"
done

# the example city (examples/city/generate) with the example policies:
# loaded whole into server 0 and as three shards into servers 1-3 by its
# loader (examples/city/to-postgres), reference tables on every shard
city="$work/city"
"$SRCDIR/examples/city/generate" --households 300 --seed 7 --out "$city" > /dev/null 2>&1 || bad "generate"
for n in 0 1 2 3; do
	pg_psql $n -d postgres -c "CREATE DATABASE gen" > /dev/null || bad "CREATE DATABASE gen on server $n"
done
"$SRCDIR/examples/city/to-postgres" --city "$city" --db "$(pg_conn 0 gen)" --conf "$work/gen-one.conf" \
	> "$work/out" 2>&1 || bad "loading the city: $(cat "$work/out")"
for k in 0 1 2; do
	"$SRCDIR/examples/city/to-postgres" --city "$city" --db "$(pg_conn $((k + 1)) gen)" --shards 3 --shard $k \
		--conf "$work/gen-shard.conf" > "$work/out" 2>&1 || bad "loading shard $k: $(cat "$work/out")"
	pg_psql $((k + 1)) -d gen -c "CREATE EXTENSION huimin CASCADE" > /dev/null 2>&1 || bad "extension on server $((k + 1))"
done
{
	cat "$work/gen-shard.conf"
	printf '\n[cluster]\n'
	for k in 0 1 2; do printf 'node.%d = %s\n' $k "$(pg_conn $((k + 1)) gen)"; done
} > "$work/gen-cluster.conf"
for reasons in "" --reasons; do
	"$HUIMIN" run "$SRCDIR/examples/policies" --config "$work/gen-one.conf" --out "$work/gen-one$reasons.db" \
		--as-of 2024-08-01 --no-progress $reasons > "$work/one.out" 2> "$work/one.err" ||
		bad "the example city over server 0: $(cat "$work/one.err")"
	"$HUIMIN" run "$SRCDIR/examples/policies" --config "$work/gen-cluster.conf" --out "$work/gen-cl$reasons.db" \
		--as-of 2024-08-01 --no-progress $reasons > "$work/cl.out" 2> "$work/cl.err" ||
		bad "the example city across the shards: $(cat "$work/cl.err")"
	same_run "the example city ($reasons)" "$work/gen-one$reasons.db" "$work/gen-cl$reasons.db"
	cmp -s "$work/one.out" "$work/cl.out" && [ -s "$work/cl.out" ] && ok ||
		bad "the example city's summaries ($reasons): $(diff "$work/one.out" "$work/cl.out" | head -5)"
done

# a node stopped mid-run: server 2 (cluster node 1) is kept waiting on a
# lock until it is stopped; the run fails naming it, records nothing
no_open() {   # nothing open on the servers still running
	for n in "$@"; do
		got=$(pg_psql $n -d city -Atc "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = 'city'
			AND pid <> pg_backend_pid() AND backend_type = 'client backend') || ' ' ||
			(SELECT count(*) FROM pg_prepared_xacts) || ' ' || (SELECT count(*) FROM huimin.runs)")
		[ "$got" = "0 0 0" ] && ok || bad "server $n after the failed run: sessions, prepared, runs: $got"
	done
}
await() {   # SERVER WHAT QUERY: until QUERY on SERVER gives 1, at most 60 s, else "WHAT never …"
	waited=0
	until [ "$(pg_psql "$1" -d city -Atc "$3")" = 1 ]; do
		sleep 0.2
		waited=$((waited + 1))
		[ $waited -lt 300 ] || { bad "$2 never happened on server $1"; break; }
	done
}
hold_person() {   # SECONDS: a session of server 2 locks registry.person that long ($locker its psql)
	pg_psql 2 -d city -c "BEGIN; LOCK TABLE registry.person; SELECT pg_sleep($1)" > /dev/null 2>&1 &
	locker=$!
	await 2 "the lock" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		WHERE c.relname = 'person' AND l.mode = 'AccessExclusiveLock' AND l.granted"
}
# stop_while OUT SERVER STEP WHAT QUERY: huimin run into OUT, SERVER stopped
# once QUERY gives 1 on it (WHAT: for the message when it never does).
# The run fails in one line naming the node and STEP, the password never
# printed, nothing left open on the other servers; SERVER started again
stop_while() {
	"$HUIMIN" run "$pol" --config "$work/cluster.conf" --out "$1" --no-progress > "$work/fail.out" 2> "$work/fail.err" &
	runner=$!
	await "$2" "$4" "$5"
	pg_stop "$2"
	wait $runner
	st=$?
	# one line, the node's own message; no warning of the server going down
	[ $st -eq 2 ] && grep -q "^huimin: cluster node $(($2 - 1)) (host=$work/pg$2 dbname=city user=postgres), $3: .*; no run recorded$" \
		"$work/fail.err" && [ "$(wc -l < "$work/fail.err")" = 1 ] && ok ||
		bad "server $2 stopped, $3: exit $st: $(cat "$work/fail.err")"
	grep -q "s3cr3t" "$work/fail.err" "$work/fail.out" && bad "a password printed: $(cat "$work/fail.err")" || ok
	sleep 0.5
	no_open $(for k in 1 2 3; do [ $k = "$2" ] || echo $k; done)
	pg_start_again "$2"
}
stop_mid_run() {   # OUT.db
	hold_person 60
	stop_while "$1" 2 running "the run waiting" "SELECT count(*) FROM pg_stat_activity
		WHERE query LIKE '%huimin.run(%' AND wait_event_type = 'Lock'"
	wait $locker 2> /dev/null
}
pg_start_again() {
	pg_restart "$1" || bad "server $1 did not start again"
}
stop_mid_run "$work/new.db"
[ ! -e "$work/new.db" ] && ok || bad "a failed run left $work/new.db"
no_open 2
# an existing results database: unchanged, byte for byte
cp "$work/cl--reasonsall.db" "$work/old.db"
before=$(sha256sum < "$work/old.db")
stop_mid_run "$work/old.db"
[ "$(sha256sum < "$work/old.db")" = "$before" ] && [ "$(sqlite3 "$work/old.db" "SELECT count(*) FROM runs")" = 1 ] && ok ||
	bad "a failed run changed an existing results database"

# a node stopped while its run is read back: on server 3 (cluster node 2,
# read back last, after the rows of nodes 0 and 1 are in the results
# database's open transaction) run_not_applicable is made a view that
# waits when it is read (the run's rows still go to the table under it,
# through an INSTEAD OF trigger); server 3 is stopped while the read
# waits.  The run fails naming the node and the step; the results
# database is left as it was (none, or the old one byte for byte)
pg_psql 3 -d city -c "ALTER TABLE huimin.run_not_applicable RENAME TO run_not_applicable_kept;
	CREATE VIEW huimin.run_not_applicable AS SELECT k.* FROM huimin.run_not_applicable_kept k, pg_sleep(60);
	CREATE FUNCTION huimin.kept() RETURNS trigger LANGUAGE plpgsql
		AS \$\$ BEGIN INSERT INTO huimin.run_not_applicable_kept SELECT NEW.*; RETURN NEW; END \$\$;
	CREATE TRIGGER kept INSTEAD OF INSERT ON huimin.run_not_applicable FOR EACH ROW EXECUTE FUNCTION huimin.kept()" \
	> /dev/null || bad "the waiting view on server 3"
stop_reading_back() {   # OUT.db
	stop_while "$1" 3 "reading the run back" "the run read back" "SELECT count(*) FROM pg_stat_activity
		WHERE query LIKE '%FROM huimin.run_not_applicable WHERE run_id%' AND wait_event = 'PgSleep'"
	no_open 3
}
stop_reading_back "$work/new.db"
[ ! -e "$work/new.db" ] && ok || bad "a run failed while read back left $work/new.db"
stop_reading_back "$work/old.db"
[ "$(sha256sum < "$work/old.db")" = "$before" ] && [ "$(sqlite3 "$work/old.db" "SELECT count(*) FROM runs")" = 1 ] && ok ||
	bad "a run failed while read back changed an existing results database"
pg_psql 3 -d city -c "DROP VIEW huimin.run_not_applicable; DROP FUNCTION huimin.kept();
	ALTER TABLE huimin.run_not_applicable_kept RENAME TO run_not_applicable" > /dev/null ||
	bad "server 3's run_not_applicable back"

# a node that does not answer: refused, named, password never printed
sed "s|^node.2 = .*|node.2 = host=$work/nosuch dbname=city password=s3cr3t-never-shown|" "$work/cluster.conf" > "$work/gone.conf"
"$HUIMIN" run "$pol" --config "$work/gone.conf" --out "$work/gone.db" > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -q "cluster node 2 (host=$work/nosuch dbname=city)" "$work/err" && [ ! -e "$work/gone.db" ] && ok ||
	bad "an unreachable node: exit $st: $(cat "$work/err")"
grep -q "s3cr3t" "$work/err" "$work/out" && bad "a password printed: $(cat "$work/err")" || ok
no_open 1 2 3

# a node whose extension says it loaded another pack (another version of
# it, or a server not to be trusted): refused, named, nothing recorded
pg_psql 3 -d city -c "ALTER FUNCTION huimin.load_pack(text, bytea) RENAME TO load_pack_real;
	CREATE FUNCTION huimin.load_pack(name text, pack bytea) RETURNS text LANGUAGE sql
	AS \$\$ SELECT CASE WHEN huimin.load_pack_real(name, pack) IS NULL THEN NULL
		ELSE 'sha256:' || repeat('0', 64) END \$\$" > /dev/null || bad "a load_pack of another pack on server 3"
"$HUIMIN" run "$pol" --config "$work/cluster.conf" --out "$work/other.db" > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -q "cluster node 2 (host=$work/pg3 dbname=city user=postgres).*it loaded the pack as sha256:0000" \
	"$work/err" && [ ! -e "$work/other.db" ] && ok || bad "a node answering another pack: exit $st: $(cat "$work/err")"
pg_psql 3 -d city -c "DROP FUNCTION huimin.load_pack(text, bytea);
	ALTER FUNCTION huimin.load_pack_real(text, bytea) RENAME TO load_pack" > /dev/null || bad "load_pack back"
no_open 1 2 3

# a node that does not finish within [cluster] timeout: named, every node
# cancelled, nothing recorded, and soon (a lock holds node 1's run)
hold_person 120
{ cat "$work/cluster.conf"; printf 'timeout = 2\n'; } > "$work/timeout.conf"
t0=$(date +%s)
"$HUIMIN" run "$pol" --config "$work/timeout.conf" --out "$work/timeout.db" > "$work/out" 2> "$work/err"
st=$?
took=$(($(date +%s) - t0))
[ $st -eq 2 ] && grep -q "^huimin: cluster node 1 (host=$work/pg2 dbname=city user=postgres).*not done within the \[cluster\] timeout of 2 s" \
	"$work/err" && [ ! -e "$work/timeout.db" ] && [ $took -lt 30 ] && ok ||
	bad "a node past the timeout: exit $st after $took s: $(cat "$work/err")"
grep -q "s3cr3t" "$work/err" "$work/out" && bad "a password printed: $(cat "$work/err")" || ok
pg_psql 2 -d city -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%'
	AND pid <> pg_backend_pid()" > /dev/null
wait $locker 2> /dev/null
sleep 0.5
no_open 1 2 3

# a bad [cluster] section: refused at its line, before anything runs
printf '[cluster]\nnode.0 = %s\nnode.2 = %s\n' "$(pg_conn 1)" "$(pg_conn 2)" > "$work/gap.conf"
"$HUIMIN" run "$pol" --config "$work/gap.conf" --out "$work/gap.db" > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -q "gap.conf:1:" "$work/err" && [ ! -e "$work/gap.db" ] && ok ||
	bad "a [cluster] without node.1: exit $st: $(cat "$work/err")"
{ sources 1; printf '[cluster]\nnode.0 = %s\nnodes = 3\n' "$(pg_conn 1)"; } > "$work/key.conf"
"$HUIMIN" run "$pol" --config "$work/key.conf" --out "$work/key.db" > "$work/out" 2> "$work/err"
st=$?
line=$(grep -n '^nodes = 3' "$work/key.conf" | cut -d: -f1)
[ $st -eq 2 ] && grep -q "key.conf:$line:" "$work/err" && [ ! -e "$work/key.db" ] && ok ||
	bad "a [cluster] with an unknown key: exit $st: $(cat "$work/err")"
# what a cluster run cannot do: refused before any node is asked
for opt in "--set run.threads=2" --kleene "--keep $work/cluster.conf"; do
	"$HUIMIN" run "$pol" --config "$work/cluster.conf" --out "$work/opt.db" $opt > "$work/out" 2> "$work/err"
	st=$?
	[ $st -eq 2 ] && grep -q "a run across a \[cluster\]" "$work/err" && [ ! -e "$work/opt.db" ] && ok ||
		bad "$opt: exit $st: $(cat "$work/err")"
done
# a connection string libpq cannot read
sed "s|^node.1 = .*|node.1 = host='unterminated|" "$work/cluster.conf" > "$work/badconn.conf"
"$HUIMIN" run "$pol" --config "$work/badconn.conf" --out "$work/badconn.db" > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -q "node.1" "$work/err" && [ ! -e "$work/badconn.db" ] && ok ||
	bad "a bad connection string: exit $st: $(cat "$work/err")"
finish
