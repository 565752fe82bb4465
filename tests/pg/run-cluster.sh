#!/bin/sh
# run-cluster.sh -- one run across three PostgreSQL nodes, coordinated in
# SQL by huimin.run_cluster (docs/scale.md).  Four servers: nodes 0, 1
# and 2 hold the three shards of a generated city (loaded by
# examples/city/to-postgres --shards 3 --shard K, so that a node's number
# is its shard's), node 3 the whole city.  The 3-node run, coordinated
# from node 0's own database, must equal node 3's huimin.run decision by
# decision; a node that fails, stops mid-run or cannot be reached leaves
# no run anywhere.  Exits 77 (skipped) only without PostgreSQL's server
# programs.
#
# Env: HUIMIN, SRCDIR.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg/lib.sh"
pg_stage || exit $?

for n in 0 1 2 3; do
	pg_start $n || exit 1
	pg_psql $n -d postgres -c 'CREATE DATABASE city' || exit 1
	pg_psql $n -d city -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION huimin CASCADE' ||
		{ echo "FAIL: CREATE EXTENSION"; exit 1; }
done
"$SRCDIR/examples/city/generate" --households 300 --seed 7 --out "$work/city" -q > /dev/null ||
	{ echo "FAIL: generate"; exit 1; }
"$SRCDIR/examples/city/to-postgres" --city "$work/city" --db "$(pg_conn 3)" --conf "$work/whole.conf" \
	> "$work/load.log" 2>&1 || { cat "$work/load.log"; echo "FAIL: loading node 3"; exit 1; }
for k in 0 1 2; do
	"$SRCDIR/examples/city/to-postgres" --city "$work/city" --db "$(pg_conn $k)" --shards 3 --shard $k \
		> "$work/load.log" 2>&1 || { cat "$work/load.log"; echo "FAIL: loading shard $k"; exit 1; }
done
"$HUIMIN" compile "$SRCDIR/examples/policies" -o "$work/pack.hmc" > /dev/null || { echo "FAIL: compile"; exit 1; }
xxd -p "$work/pack.hmc" | tr -d '\n' > "$work/pack.hex"
for n in 0 3; do
	echo "\\set hex \`cat $work/pack.hex\`
SELECT huimin.load_pack('examples', decode(:'hex', 'hex'));" | pg_psql $n -d city > /dev/null || bad "load_pack on node $n"
done

# sql N: the SQL on stdin on node N's city, with the configuration (conf)
# and the nodes' connection strings (n0 … n2) as psql variables
sql() {
	local n=$1
	shift
	pg_psql "$n" -d city -At -v VERBOSITY=verbose -v conf="$(cat "$work/whole.conf")" \
		-v n0="$(pg_conn 0)" -v n1="$(pg_conn 1)" -v n2="$(pg_conn 2)" "$@"
}
nodes="ARRAY[:'n0', :'n1', :'n2']"

# ---- the layout: every household on the node of its shard, every fact
# row on the node of its household, exactly once
want_hh=$(sql 3 -c 'SELECT count(*) FROM registry.household')
got_hh=0
for k in 0 1 2; do
	got_hh=$((got_hh + $(sql $k -c 'SELECT count(*) FROM registry.household')))
done
[ "$want_hh" = 300 ] && [ "$got_hh" = 300 ] && ok || bad "households: $want_hh on node 3, $got_hh on the shards"
# each table, by the column that says whose it is: hh_id (the household's),
# person_id (through the registry), entity_id (either); none: a reference
# table, whole on every node
sql 3 -F ' ' -c "SELECT table_schema, table_name,
	CASE WHEN bool_or(column_name = 'hh_id') THEN 'hh_id' WHEN bool_or(column_name = 'person_id') THEN 'person_id'
	     WHEN bool_or(column_name = 'entity_id') THEN 'entity_id' ELSE 'reference' END
	FROM information_schema.columns WHERE table_schema NOT IN ('huimin', 'pg_catalog', 'information_schema', 'public')
	GROUP BY 1, 2 ORDER BY 1, 2" > "$work/tables"
[ "$(wc -l < "$work/tables")" -ge 20 ] && grep -q ' reference$' "$work/tables" && ok ||
	bad "the city's tables: $(cat "$work/tables")"
belongs() { # KEY SHARD|all: that a row t of a table keyed by KEY is of a household of the shard
	local on="true"
	[ "$2" = all ] || on="huimin.shard_of(h.hh_id, 3) = $2"
	case $1 in
	hh_id) echo "EXISTS (SELECT 1 FROM registry.household h WHERE h.hh_id = t.hh_id AND $on)" ;;
	person_id) echo "EXISTS (SELECT 1 FROM registry.person p JOIN registry.household h USING (hh_id)
		WHERE p.person_id = t.person_id AND $on)" ;;
	entity_id) echo "(EXISTS (SELECT 1 FROM registry.household h WHERE h.hh_id = t.entity_id AND $on) OR
		EXISTS (SELECT 1 FROM registry.person p JOIN registry.household h USING (hh_id)
		WHERE p.person_id = t.entity_id AND $on))" ;;
	esac
}
# every row as "table|row": the whole city's rows of a household, and its
# reference tables once per shard, are the rows of the three shards
# together; and no shard has a row of another shard's household
: > "$work/whole.sql"
: > "$work/shard.sql"
for k in 0 1 2; do : > "$work/misplaced$k.sql"; done
while read -r schema table key; do
	if [ "$key" = reference ]; then
		echo "SELECT 'node ' || k || ' $schema.$table|' || t::text FROM $schema.$table t, generate_series(0, 2) k;" \
			>> "$work/whole.sql"
		echo "SELECT 'node ' || :k || ' $schema.$table|' || t::text FROM $schema.$table t;" >> "$work/shard.sql"
		continue
	fi
	echo "SELECT '$schema.$table|' || t::text FROM $schema.$table t WHERE $(belongs $key all);" >> "$work/whole.sql"
	echo "SELECT '$schema.$table|' || t::text FROM $schema.$table t;" >> "$work/shard.sql"
	for k in 0 1 2; do
		echo "SELECT '$schema.$table: ' || count(*) || ' rows of another shard' FROM $schema.$table t
			WHERE NOT $(belongs $key $k) HAVING count(*) > 0;" >> "$work/misplaced$k.sql"
	done
done < "$work/tables"
sql 3 -f "$work/whole.sql" | LC_ALL=C sort > "$work/whole.rows"
for k in 0 1 2; do
	sql $k -v k=$k -f "$work/shard.sql"
done | LC_ALL=C sort > "$work/shards.rows"
[ "$(wc -l < "$work/whole.rows")" -gt 3000 ] && cmp -s "$work/whole.rows" "$work/shards.rows" && ok ||
	bad "the shards' rows are not the whole city's: $(diff "$work/whole.rows" "$work/shards.rows" | head -5)"
for k in 0 1 2; do
	misplaced=$(sql $k -f "$work/misplaced$k.sql")
	[ -z "$misplaced" ] && ok || bad "node $k: $misplaced"
done

# ---- the 3-node run equals the 1-node run
decisions="SELECT entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period, reason, message,
	missing, claim FROM huimin.decisions WHERE run_id = :run ORDER BY 2, 4, 11, 1, 3, 5, 6, 7, 8, 9, 10"
counts="SELECT 'runs', as_of, pack_hash, households, persons, reasons, settled, store, config_text FROM huimin.runs WHERE run_id = :run;
SELECT 'not eligible', p.name, r.text, sum(c.count) FROM huimin.run_not_eligible c
	JOIN huimin.run_policies p ON p.run_id = c.run_id AND p.policy = c.policy
	LEFT JOIN huimin.run_reasons r ON r.run_id = c.run_id AND r.reason = c.reason
	WHERE c.run_id = :run GROUP BY 2, 3 ORDER BY 2, 3;
SELECT 'not applicable', p.name, c.count FROM huimin.run_not_applicable c
	JOIN huimin.run_policies p ON p.run_id = c.run_id AND p.policy = c.policy WHERE c.run_id = :run ORDER BY 2;
SELECT 'policies', policy, name, label, entity_kind, period FROM huimin.run_policies WHERE run_id = :run ORDER BY 2;
SELECT 'reasons', reason, text FROM huimin.run_reasons WHERE run_id = :run ORDER BY 2;
SELECT 'entities', e.kind, e.id, h.id FROM huimin.run_entities e LEFT JOIN huimin.run_entities h ON h.entity = e.household
	WHERE e.run_id = :run ORDER BY 3, 2;
SELECT 'issues', source, entity_kind, entity_id, field, issue, detail FROM huimin.data_issues WHERE run_id = :run
	ORDER BY 4, 2, 5, 6, 7;"
# compare ARGS: huimin.run on node 3 and huimin.run_cluster from node 0 with ARGS after pack and config
compare() {
	local args="$1" one three
	one=$(echo "SELECT huimin.run('examples', :'conf'$args)" | sql 3) || { bad "huimin.run($args) on node 3"; return; }
	three=$(printf '%s\n' "SET huimin.timings = on;" "SELECT huimin.run_cluster('examples', :'conf', $nodes$args)" |
		sql 0 2> "$work/notice") || { bad "huimin.run_cluster($args): $(cat "$work/notice")"; return; }
	# its phases, as huimin.run reports its own
	grep -q '^NOTICE:  00000: timings: connect [0-9.]* s, run [0-9.]* s, gather [0-9.]* s, total [0-9.]* s$' \
		"$work/notice" && ok || bad "run_cluster($args)'s timings: $(cat "$work/notice")"
	echo "$decisions" | sql 3 -v run="$one" > "$work/one.dec"
	echo "$decisions" | sql 0 -v run="$three" > "$work/three.dec"
	[ "$(wc -l < "$work/one.dec")" -gt 100 ] && cmp -s "$work/one.dec" "$work/three.dec" && ok ||
		bad "run_cluster($args): decisions differ from node 3's: $(diff "$work/one.dec" "$work/three.dec" | head -5)"
	echo "$counts" | sql 3 -v run="$one" > "$work/one.counts"
	echo "$counts" | sql 0 -v run="$three" > "$work/three.counts"
	grep -q '^runs|.*|300|' "$work/one.counts" && grep -q '^not eligible|' "$work/one.counts" &&
		cmp -s "$work/one.counts" "$work/three.counts" && ok ||
		bad "run_cluster($args): counts differ from node 3's: $(diff "$work/one.counts" "$work/three.counts" | head -5)"
	# the sources as each node read them, named by node
	sql 0 -c "SELECT source FROM huimin.run_sources WHERE run_id = $three ORDER BY 1" > "$work/sources"
	sql 3 -c "SELECT s || '@node' || k FROM huimin.run_sources, generate_series(0, 2) k, LATERAL (SELECT source) x(s)
		WHERE run_id = $one ORDER BY 1" > "$work/sources.want"
	[ -s "$work/sources" ] && cmp -s "$work/sources" "$work/sources.want" && ok ||
		bad "run_cluster($args): run_sources: $(cat "$work/sources")"
}
compare ""
compare ", '2024-08-01', true, 'all'"
# nothing stays on the nodes: their runs were rolled back (node 0's
# database holds the coordinator's two)
check_clean() { # WHAT N_RUNS_ON_NODE_0
	local k runs left
	for k in 0 1 2; do
		runs=$(sql $k -c 'SELECT count(*) FROM huimin.runs') || { bad "$1: node $k: huimin.runs unreadable"; continue; }
		left=$(sql $k -c "SELECT count(*) FROM pg_prepared_xacts")
		[ "$runs" = "$([ $k = 0 ] && echo "$2" || echo 0)" ] && [ "$left" = 0 ] && ok ||
			bad "$1: node $k keeps $runs runs, $left prepared transactions"
	done
}
check_clean "after two runs" 2
# and no session of the coordinator's stays on a node (a closed connection
# ends its backend a little later)
sessions_gone() { # NODE: no client session on the node but the asking one (waits 10 s)
	local until=$(($(date +%s) + 10))
	while [ "$(date +%s)" -le $until ]; do
		[ "$(sql "$1" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
			AND pid <> pg_backend_pid()")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
for k in 0 1 2; do sessions_gone $k && ok || bad "sessions left on node $k"; done

# ---- failures: an error naming the node, with the failure's SQLSTATE,
# and nothing recorded anywhere
# fails WHAT CODE PATTERN SQL: SQL run on node 0 fails with CODE and a message matching PATTERN
fails() {
	printf '%s\n' "$4" | sql 0 > "$work/out" 2> "$work/err"
	local st=$?
	[ $st -ne 0 ] && grep -q "^ERROR:  $2: $3" "$work/err" && ok || bad "$1: exit $st: $(cat "$work/err" "$work/out")"
}
seq_before=$(for k in 0 1 2; do sql $k -c 'SELECT last_value FROM huimin.run_ids'; done)
fails "unreachable node" 08001 "huimin.run_cluster: node 3 ($work/nowhere): could not establish connection" \
	"SELECT huimin.run_cluster('examples', :'conf', $nodes || 'host=$work/nowhere dbname=city password=secret3'::text)"
grep -q secret3 "$work/err" && bad "a password in a message: $(cat "$work/err")" || ok
# nothing ran anywhere: no node drew a run id
seq_after=$(for k in 0 1 2; do sql $k -c 'SELECT last_value FROM huimin.run_ids'; done)
[ "$seq_before" = "$seq_after" ] && ok || bad "a node ran although node 3 was unreachable"
pg_psql 1 -d postgres -c 'CREATE DATABASE bare' || bad "CREATE DATABASE bare"
fails "no extension on a node" 42704 "huimin.run_cluster: node 1 ($work/pg1): the extension huimin is not installed" \
	"SELECT huimin.run_cluster('examples', :'conf', ARRAY[:'n0', 'host=$work/pg1 dbname=bare user=postgres'])"
fails "a node twice" 22023 "huimin.run_cluster: node 3 ($work/pg1): the same database as node 1" \
	"SELECT huimin.run_cluster('examples', :'conf', $nodes || ('host=$work/pg1 dbname=city user=postgres ' ||
		'application_name=again')::text)"
fails "unknown pack" 42704 'huimin.run_cluster: there is no pack "nosuch"' \
	"SELECT huimin.run_cluster('nosuch', :'conf', $nodes)"
fails "a source the nodes refuse" 0A000 "huimin.run_cluster: node [0-2] (" \
	"SELECT huimin.run_cluster('examples', regexp_replace(:'conf', 'plugin\s*=\s*postgres', 'plugin = sqlite', 'g'),
		$nodes)"
fails "a pack not committed, and node 0 the coordinator's database" 55000 \
	"huimin.run_cluster: node 0 ($work/pg0): this database is a node, and the pack \"examples\" was loaded in this" \
	"SET statement_timeout = '20s';   -- without the check: a wait, not a hang
BEGIN;
\\set hex \`cat $work/pack.hex\`
SELECT huimin.load_pack('examples', decode(:'hex', 'hex'));
SELECT huimin.run_cluster('examples', :'conf', $nodes)"
fails "a node without a connection string" 22023 "huimin.run_cluster: node 1 has no connection string" \
	"SELECT huimin.run_cluster('examples', :'conf', ARRAY[:'n0', NULL])"
fails "no nodes" 22023 "huimin.run_cluster: no nodes" "SELECT huimin.run_cluster('examples', :'conf', '{}')"
check_clean "after the refusals" 2

# hold NODE: a session on NODE holds a lock that every run there waits
# for (a run started then is reliably mid-run until the lock goes);
# returns once the lock is held.  release NODE ends that session.
lock="relation = 'registry.household'::regclass AND mode = 'AccessExclusiveLock'"
hold() {
	pg_psql "$1" -d city -c 'BEGIN' -c 'LOCK TABLE registry.household IN ACCESS EXCLUSIVE MODE' \
		-c 'SELECT pg_sleep(600)' > /dev/null 2>&1 &
	holder=$!
	waiting "$1" "granted AND $lock" 1 || bad "node $1: the lock was not taken"
}
release() {
	sql "$1" -c "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE granted AND $lock" > /dev/null
	wait "$holder" 2> /dev/null
}
waiting() { # NODE CONDITION-ON-pg_locks WANT: polls until WANT (1: some, 0: none) such locks (30 s)
	local until=$(($(date +%s) + 30)) n
	while [ "$(date +%s)" -le $until ]; do
		n=$(sql "$1" -c "SELECT count(*) FROM pg_locks WHERE $2")
		[ "$3" = 1 ] && [ "$n" != 0 ] && return 0
		[ "$3" = 0 ] && [ "$n" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
run_waits() { # NODE: huimin.run on NODE is waiting for the lock
	waiting "$1" "NOT granted AND relation = 'registry.household'::regclass AND pid IN
		(SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT huimin.run(%')" 1
}

# a statement timeout on the coordinator cancels every node's run
hold 1
echo "SET statement_timeout = '2s';
SELECT huimin.run_cluster('examples', :'conf', $nodes)" | sql 0 > "$work/out" 2> "$work/err"
st=$?
[ $st -ne 0 ] && grep -q '^ERROR:  57014: huimin.run_cluster: canceling statement due to statement timeout' "$work/err" &&
	ok || bad "statement timeout: exit $st: $(cat "$work/err")"
# node 1's run is cancelled, not left waiting for the lock
waiting 1 "NOT granted AND relation = 'registry.household'::regclass" 0 && ok || bad "node 1's run still waits"
release 1
for k in 0 1 2; do sessions_gone $k && ok || bad "sessions left on node $k after the timeout"; done
check_clean "after the timeout" 2

# a node stopped mid-run: node 2, while its run waits
hold 2
echo "SELECT huimin.run_cluster('examples', :'conf', $nodes)" | sql 0 > "$work/out" 2> "$work/err" &
coordinator=$!
run_waits 2 && ok || bad "node 2's run did not start"
pg_stop 2
wait "$coordinator"
st=$?
wait "$holder" 2> /dev/null   # its node is gone
# one line of message, whatever libpq said
[ $st -ne 0 ] && grep -q "^ERROR:  [0-9A-Z]*: huimin.run_cluster: node 2 ($work/pg2): [a-z]" "$work/err" &&
	! grep -q "^[^A-Z]" "$work/err" && ok || bad "node 2 stopped: exit $st: $(cat "$work/err")"
for k in 0 1; do sessions_gone $k && ok || bad "sessions left on node $k after node 2 stopped"; done
[ "$(sql 0 -c 'SELECT count(*) FROM huimin.runs')" = 2 ] && ok || bad "a run recorded although node 2 stopped"
# node 2, started again, has no run and no transaction of it
pg_restart 2 && check_clean "after node 2 stopped" 2 || bad "node 2 did not start again"

finish
