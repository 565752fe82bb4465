#!/bin/sh
# run-extension.sh -- the extension huimin in a throwaway PostgreSQL server
# (tests/pg/lib.sh): huimin.run over the small city's tables gives the
# decisions `huimin run` gives through the postgres plugin; huimin.evaluate
# gives those of `huimin run --given`; bad packs, bad JSON, unknown names,
# refused plugins and a cancelled run are errors with their SQLSTATE, the
# backend survives them and nothing is recorded; evaluate in parallel
# workers gives the same rows.  Exits 77 (skipped) without PostgreSQL's
# server programs or without the extension (no PGXS at configure time).
#
# Env: HUIMIN, SRCDIR.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg/lib.sh"
pg_stage || exit $?
pg_start 0 || exit 1
here="$SRCDIR/tests/batch"
pg_psql 0 -d postgres -c 'CREATE DATABASE city' || exit 1
psql_city() { pg_psql 0 -d city "$@"; }
# the SQLSTATE of a statement's error, or "ok"
sqlstate() {
	out=$(psql -X -q -h "$work/pg0" -U postgres -d city -v VERBOSITY=verbose -v ON_ERROR_STOP=1 -c "$1" 2>&1) &&
		{ echo ok; return; }
	echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\): .*/\1/p' | head -1
}
message() {
	psql -X -q -h "$work/pg0" -U postgres -d city -v ON_ERROR_STOP=1 -c "$1" 2>&1 | sed -n 's/^ERROR:  //p'
}

# ---- the small city, both sources in PostgreSQL -------------------------------
psql_city <<SQL > /dev/null || { echo "FAIL: loading the small city"; exit 1; }
CREATE EXTENSION huimin CASCADE;
CREATE SCHEMA registry;
SET search_path = registry;
\i $here/city.sql
CREATE SCHEMA civil;
SET search_path = civil;
CREATE TABLE hh(hh_id text PRIMARY KEY, assets_fen text);
CREATE TABLE income(person_id text PRIMARY KEY, amount_fen text, marital text);
CREATE TABLE contribution(person_id text, month text, amount_fen text);
\copy civil.hh FROM '$here/civil-csv/hh.csv' WITH (FORMAT csv, HEADER true)
\copy civil.income FROM '$here/civil-csv/income.csv' WITH (FORMAT csv, HEADER true)
\copy civil.contribution FROM '$here/civil-csv/contribution.csv' WITH (FORMAT csv, HEADER true)
SQL
conn="host=$work/pg0 dbname=city user=postgres"
sed "s/^plugin = sqlite/plugin = postgres/;
	s|^database = registry.db|connection = $conn\nschema = registry|;
	s|^database = civil.db|connection = $conn\nschema = civil|" "$here/small.conf" > "$work/pg.conf"
"$HUIMIN" compile "$here/small.pol" -o "$work/small.hmc" > /dev/null || { echo "FAIL: compile"; exit 1; }
"$HUIMIN" compile "$SRCDIR/examples/policies" -o "$work/examples.hmc" > /dev/null || { echo "FAIL: compile"; exit 1; }
chmod 644 "$work"/*.hmc
hash=$(psql_city -Atc "SELECT huimin.load_pack('small', pg_read_binary_file('$work/small.hmc'))")
case "$hash" in sha256:????????????????????????????????????????????????????????????????) ok ;;
*) bad "load_pack: \"$hash\"" ;; esac
[ "$(psql_city -Atc "SELECT policies FROM huimin.packs WHERE name = 'small'")" = 4 ] && ok || bad "packs.policies"
psql_city -Atc "SELECT huimin.load_pack('examples', pg_read_binary_file('$work/examples.hmc'))" > /dev/null ||
	bad "load_pack examples"

# ---- huimin.run == huimin run through the postgres plugin ------------------------
config=$(sed "s/'/''/g" "$work/pg.conf")
dq="entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period, reason, message, missing, claim"
order="ORDER BY entity_id, policy, claim"
compare_run() {     # compare_run NAME HUIMIN-RUN-OPTIONS… -- SQL-ARGS
	name=$1
	shift
	opts=""
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	shift
	rm -f "$work/$name.db"
	"$HUIMIN" run "$here/small.pol" --config "$work/pg.conf" --out "$work/$name.db" --no-progress $opts \
		> /dev/null 2> "$work/err" || { bad "$name: huimin run: $(cat "$work/err")"; return; }
	run_id=$(psql_city -Atc "SELECT huimin.run('small', '$config', NULL $1)" 2> "$work/err") ||
		{ bad "$name: huimin.run: $(cat "$work/err")"; return; }
	for q in "SELECT $dq FROM decisions WHERE run_id = RUN $order" \
		"SELECT as_of, pack_hash, households, persons, reasons, settled, store FROM runs WHERE run_id = RUN" \
		"SELECT policy, name, label, entity_kind, period FROM run_policies WHERE run_id = RUN ORDER BY policy" \
		"SELECT reason, text FROM run_reasons WHERE run_id = RUN ORDER BY reason" \
		"SELECT policy, reason, count FROM run_not_eligible WHERE run_id = RUN ORDER BY 1, 2" \
		"SELECT policy, count FROM run_not_applicable WHERE run_id = RUN ORDER BY 1" \
		"SELECT source, entity_kind, entity_id, field, issue, detail FROM data_issues WHERE run_id = RUN ORDER BY 3, 4, 1" \
		"SELECT source, isolate FROM run_sources WHERE run_id = RUN ORDER BY 1"; do
		lite=$(sqlite3 "$work/$name.db" "$(echo "$q" | sed 's/RUN/(SELECT max(run_id) FROM runs)/')")
		pg=$(psql_city -At -c "SET search_path = huimin" -c "$(echo "$q" | sed "s/RUN/$run_id/")")
		if [ "$lite" = "$pg" ] && [ -n "$pg" -o "${q#*FROM decisions}" = "$q" ]; then
			ok
		else
			bad "$name: $(echo "$q" | cut -c1-60)…: huimin run / huimin.run differ:"
			echo "$lite" > "$work/a"
			echo "$pg" > "$work/b"
			diff "$work/a" "$work/b" | head -5
		fi
	done
}
compare_run plain -- ""
compare_run reasons --reasons -- ", reasons => true"
compare_run all --reasons --store all -- ", reasons => true, store => 'all'"
# what each source was: this database, read in the statement's snapshot
psql_city -At -c "SELECT plugin, identity FROM huimin.run_sources WHERE run_id = $run_id ORDER BY source" \
	> "$work/sources"
grep -c "^postgres|server_version=.* system_identifier=[0-9]* snapshot=[0-9]*:[0-9]*:" "$work/sources" |
	grep -qx 2 && ok || bad "run_sources: $(cat "$work/sources")"
# entity numbers unique across runs: run_id * 2^32 + the run's own number
[ "$(psql_city -Atc "SELECT count(*) FROM huimin.run_entities WHERE entity >> 32 <> run_id")" = 0 ] && ok ||
	bad "entity numbers are not run_id * 2^32 + n"
psql_city -Atc "SELECT finished FROM huimin.runs ORDER BY run_id DESC LIMIT 1" |
	grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' && ok || bad "runs.finished"
# threads: the same decisions
run_id=$(psql_city -Atc "SET huimin.threads = 2" -c "SELECT huimin.run('small', '$config', NULL, true)" 2>&1)
[ "$(psql_city -Atc "SELECT $dq FROM huimin.decisions WHERE run_id = $run_id $order")" = \
  "$(sqlite3 "$work/reasons.db" "SELECT $dq FROM decisions $order")" ] && ok || bad "huimin.threads = 2: $run_id"
# a rolled-back run leaves nothing
before=$(psql_city -Atc "SELECT count(*) FROM huimin.runs")
psql_city -c "BEGIN" -c "SELECT huimin.run('small', '$config')" -c "ROLLBACK" > /dev/null
[ "$(psql_city -Atc "SELECT count(*) FROM huimin.runs")" = "$before" ] && ok || bad "a rolled-back run stayed"

# ---- errors: SQLSTATE, huimin's message, the backend alive ------------------------
st=$(sqlstate "SELECT huimin.run('small', '$(sed 's/plugin = postgres/plugin = sqlite/' "$work/pg.conf" | sed "s/'/''/g")')")
[ "$st" = 0A000 ] && ok || bad "a sqlite source: $st"
st=$(sqlstate "SELECT huimin.run('nosuch', '$config')")
[ "$st" = 42704 ] && ok || bad "unknown pack in run: $st"
bad_col=$(sed 's/^person.monthly_income = income.amount_fen/person.monthly_income = income.amount_fn/' "$work/pg.conf" |
	sed "s/'/''/g")
msg=$(message "SELECT huimin.run('small', '$bad_col')")
st=$(sqlstate "SELECT huimin.run('small', '$bad_col')")
case "$st $msg" in
"58000 "*'table income has no column `amount_fn` (did you mean `amount_fen`?)'*) ok ;;
*) bad "an unknown column: $st $msg" ;;
esac
# a configuration that cannot be read: 22023; one whose sources do not
# provide what the policies read: a source failure, 58000
for c in "[run]
this line is no setting" "[run]
as_of = 2024-13-45"; do
	st=$(sqlstate "SELECT huimin.run('small', '$c')")
	[ "$st" = 22023 ] && ok || bad "a bad configuration: $st $(message "SELECT huimin.run('small', '$c')")"
done
msg=$(message "SELECT huimin.run('small', '[run]
population = nosuch')")
st=$(sqlstate "SELECT huimin.run('small', '[run]
population = nosuch')")
case "$st $msg" in "58000 config: no source provides"*) ok ;; *) bad "a configuration without sources: $st $msg" ;; esac
st=$(sqlstate "SELECT huimin.run('small', '$config', store => 'some')")
[ "$st" = 22023 ] && ok || bad "store => 'some': $st"

head -c 4000 /dev/urandom > "$work/random.hmc"
head -c 3000 "$work/small.hmc" > "$work/truncated.hmc"
python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[len(b) // 2] ^= 0x40
open(sys.argv[2], 'wb').write(b)" "$work/small.hmc" "$work/flipped.hmc"
chmod 644 "$work"/*.hmc
for f in random truncated flipped; do
	st=$(sqlstate "SELECT huimin.load_pack('$f', pg_read_binary_file('$work/$f.hmc'))")
	case "$st" in 22P03 | XX001) ok ;; *) bad "load_pack of a $f pack: $st" ;; esac
done
[ "$(psql_city -Atc "SELECT count(*) FROM huimin.packs WHERE name IN ('random', 'truncated', 'flipped')")" = 0 ] &&
	ok || bad "a refused pack was stored"
st=$(sqlstate "SELECT huimin.load_pack('empty', '')")
case "$st" in 22P03 | XX001) ok ;; *) bad "load_pack of nothing: $st" ;; esac
# a stored pack changed behind load_pack's back: refused when it is loaded
psql_city -c "INSERT INTO huimin.packs(name, hash, bytes, policies) SELECT 'tampered', hash, bytes, policies
	FROM huimin.packs WHERE name = 'small'; UPDATE huimin.packs SET bytes = pg_read_binary_file('$work/flipped.hmc')
	WHERE name = 'tampered'" > /dev/null
st=$(sqlstate "SELECT * FROM huimin.evaluate('tampered', '{\"household\": {\"members\": [{}]}}')")
[ "$st" = XX001 ] && ok || bad "a tampered pack: $st"
# replaced by load_pack: the backend loads the new one (its hash)
psql_city -c "SELECT huimin.load_pack('swap', pg_read_binary_file('$work/small.hmc'))" \
	-c "SELECT count(*) FROM huimin.evaluate('swap', '{\"household\": {\"members\": [{}]}}')" \
	-c "UPDATE huimin.packs SET (hash, bytes, policies) = (SELECT hash, bytes, policies FROM huimin.packs WHERE name = 'examples') WHERE name = 'swap'" \
	-At -c "SELECT count(DISTINCT policy) FROM huimin.evaluate('swap', '{\"household\": {\"members\": [{}]}}')" \
	> "$work/swap" 2>&1
[ "$(tail -1 "$work/swap")" = "$(psql_city -Atc "SELECT count(DISTINCT policy) FROM huimin.evaluate('examples', '{\"household\": {\"members\": [{}]}}')")" ] &&
	ok || bad "a replaced pack: $(cat "$work/swap")"
st=$(sqlstate "SELECT * FROM huimin.evaluate('nosuch', '{\"household\": {}}')")
[ "$st" = 42704 ] && ok || bad "unknown pack: $st"
st=$(sqlstate "SELECT * FROM huimin.evaluate('small', '{\"household\": {\"members\": [{\"nosuch\": 1}]}}')")
case "$st" in 22P02 | 22023) ok ;; *) bad "a household with an unknown fact: $st" ;; esac
st=$(sqlstate "SELECT * FROM huimin.evaluate('small', '[1, 2]')")
case "$st" in 22P02 | 22023) ok ;; *) bad "a household that is an array: $st" ;; esac
st=$(sqlstate "SELECT * FROM huimin.evaluate('small', '{\"household\": {\"members\": [{\"birth_date\": \"1940-13-45\"}]}}')")
case "$st" in 22P02 | 22023) ok ;; *) bad "a household with a bad date: $st" ;; esac
[ "$(psql_city -Atc 'SELECT 1')" = 1 ] && ok || bad "the server did not survive"

# ---- privileges: evaluate for a role granted the schema and the packs; run
# and load_pack not for PUBLIC; a run reads with the caller's privileges
psql_city -c "CREATE ROLE clerk LOGIN; GRANT USAGE ON SCHEMA huimin TO clerk;
	GRANT SELECT ON huimin.packs TO clerk" > /dev/null || bad "role clerk"
as_clerk() {
	psql -X -q -h "$work/pg0" -U clerk -d city -v VERBOSITY=verbose -v ON_ERROR_STOP=1 -Atc "$1" 2>&1
}
[ "$(as_clerk "SELECT count(*) > 0 FROM huimin.evaluate('small', '{\"household\": {\"members\": [{}]}}')")" = t ] &&
	ok || bad "evaluate as clerk: $(as_clerk "SELECT * FROM huimin.evaluate('small', '{}')")"
as_clerk "SELECT huimin.run('small', '$config')" | grep -q "^ERROR:  42501" && ok || bad "run as clerk was allowed"
as_clerk "SELECT huimin.load_pack('x', '')" | grep -q "^ERROR:  42501" && ok || bad "load_pack as clerk was allowed"
psql_city -c "GRANT EXECUTE ON FUNCTION huimin.run(text, text, date, boolean, text) TO clerk;
	GRANT INSERT ON ALL TABLES IN SCHEMA huimin TO clerk; GRANT SELECT, UPDATE ON huimin.runs TO clerk;
	GRANT USAGE ON SEQUENCE huimin.run_ids TO clerk;
	GRANT USAGE ON SCHEMA registry, civil TO clerk; GRANT SELECT ON ALL TABLES IN SCHEMA registry TO clerk" > /dev/null
out=$(as_clerk "SELECT huimin.run('small', '$config')")
case "$out" in "ERROR:  42501: "*"permission denied for table"*) ok ;; *) bad "a run reading a table it may not: $out" ;; esac
psql_city -c "GRANT SELECT ON ALL TABLES IN SCHEMA civil TO clerk" > /dev/null
out=$(as_clerk "SELECT huimin.run('small', '$config') > 0")
[ "$out" = t ] && ok || bad "a run as clerk: $out"
psql_city -c "REVOKE INSERT ON huimin.decision_rows FROM clerk" > /dev/null
out=$(as_clerk "SELECT huimin.run('small', '$config')")
case "$out" in "ERROR:  42501: "*"permission denied for table decision_rows"*) ok ;; *) bad "a run writing a table it may not: $out" ;; esac
psql_city -c "REVOKE INSERT ON huimin.run_entities FROM clerk; GRANT INSERT ON huimin.decision_rows TO clerk" > /dev/null
out=$(as_clerk "SELECT huimin.run('small', '$config')")
case "$out" in "ERROR:  42501: "*"permission denied for table run_entities"*) ok ;; *) bad "a run writing a table it may not: $out" ;; esac
psql_city -c "GRANT INSERT ON huimin.run_entities TO clerk" > /dev/null

# ---- the tables a run inserts into directly: no triggers, the columns of
# huimin.sql, their constraints kept; each refusal records nothing
runs_before=$(psql_city -Atc "SELECT count(*) FROM huimin.runs")
psql_city -c "CREATE FUNCTION public.note_row() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
	CREATE TRIGGER noted AFTER INSERT ON huimin.decision_rows FOR EACH ROW EXECUTE FUNCTION public.note_row()" \
	> /dev/null || bad "trigger"
out=$(sqlstate "SELECT huimin.run('small', '$config')")
[ "$out" = 0A000 ] && ok || bad "a run into decision_rows with a trigger: $out"
message "SELECT huimin.run('small', '$config')" | grep -q "huimin.decision_rows has triggers" && ok ||
	bad "the trigger's message: $(message "SELECT huimin.run('small', '$config')")"
psql_city -c "DROP TRIGGER noted ON huimin.decision_rows; ALTER TABLE huimin.run_entities ADD COLUMN note text" \
	> /dev/null || bad "alter"
out=$(sqlstate "SELECT huimin.run('small', '$config')")
[ "$out" = 42809 ] && ok || bad "a run into an altered run_entities: $out"
psql_city -c "ALTER TABLE huimin.run_entities DROP COLUMN note;
	ALTER TABLE huimin.decision_rows ADD CONSTRAINT small_amounts CHECK (amount_fen < 100) NOT VALID" > /dev/null || bad "check"
out=$(sqlstate "SELECT huimin.run('small', '$config')")
[ "$out" = 23514 ] && ok || bad "a run breaking a CHECK constraint of decision_rows: $out"
psql_city -c "ALTER TABLE huimin.decision_rows DROP CONSTRAINT small_amounts" > /dev/null
[ "$(psql_city -Atc "SELECT count(*) FROM huimin.runs")" = "$runs_before" ] && ok || bad "a refused run was recorded"
# a dropped column is no column: the run writes again
out=$(psql_city -Atc "SELECT huimin.run('small', '$config') > 0" 2>&1)
[ "$out" = t ] && ok || bad "a run after the refusals: $out"

# ---- huimin.evaluate == huimin run --given ------------------------------------
mkdir "$work/given"
cp "$SRCDIR/examples/households/family.json" "$work/given/"
for id in H1 H2 H3 H4; do
	"$HUIMIN" export "$here/small.pol" --config "$work/pg.conf" --household $id > "$work/given/$id.json" 2> "$work/err" ||
		bad "export $id: $(cat "$work/err")"
done
for f in "$work"/given/*.json; do
	case "$f" in */family.json) pol="$SRCDIR/examples/policies" pack=examples ;; *) pol="$here/small.pol" pack=small ;; esac
	"$HUIMIN" run "$pol" --given "$f" --format json --as-of 2024-08-01 > "$work/want.json" 2> "$work/err" ||
		{ bad "huimin run --given $f: $(cat "$work/err")"; continue; }
	doc=$(sed "s/'/''/g" "$f")
	psql_city -Atc "SELECT coalesce(json_agg(e), '[]') FROM huimin.evaluate('$pack', '$doc', '2024-08-01') e" \
		> "$work/got.json" 2> "$work/err" || { bad "huimin.evaluate $f: $(cat "$work/err")"; continue; }
	python3 "$SRCDIR/tests/pg/compare-evaluate.py" "$work/want.json" "$work/got.json" > "$work/diff" &&
		ok || bad "huimin.evaluate $(basename "$f"): $(cat "$work/diff")"
done

# ---- evaluate in parallel workers -----------------------------------------------
psql_city > /dev/null <<SQL || bad "the households table"
CREATE TABLE docs(id int, doc jsonb);
INSERT INTO docs SELECT i, ('{"household": {"members": [{"birth_date": "' || (1930 + i % 80) || '-01-01", '
  || '"deceased": false, "marital": "married", "monthly_income": ' || (i * 37 % 3000) || '}], '
  || '"assets": ' || (i * 7919 % 200000) || '}}')::jsonb FROM generate_series(1, 2000) i;
ANALYZE docs;
SQL
q="SELECT d.id, e.* FROM docs d, LATERAL huimin.evaluate('small', d.doc, '2024-08-01') e ORDER BY 1, 2, 4"
psql_city -At -c "$q" > "$work/serial" 2>&1
par="SET force_parallel_mode = on; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;"
psql_city -At -c "$par EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $q" > "$work/plan" 2>&1
grep -q "Workers Launched: [1-9]" "$work/plan" && ok || bad "no parallel workers: $(head -5 "$work/plan")"
psql_city -At -c "$par $q" > "$work/parallel" 2>&1
[ "$(wc -l < "$work/serial")" -gt 2000 ] && cmp -s "$work/serial" "$work/parallel" &&
	ok || bad "parallel evaluate differs from serial: $(diff "$work/serial" "$work/parallel" | head -5)"

# ---- a cancelled run: 57014, nothing recorded, the session runs again ----------
psql_city > /dev/null <<SQL || bad "the big city"
CREATE SCHEMA big;
CREATE TABLE big.household AS SELECT 'B' || i AS hh_id, '330100' AS region_code FROM generate_series(1, 150000) i;
CREATE TABLE big.person AS SELECT 'Q' || i AS person_id, 'B' || i AS hh_id, '1950-01-01' AS birth_date,
  0 AS deceased, CASE WHEN i % 30 = 0 THEN '25' ELSE '20' END AS marital_code, '2024-07-20' AS updated_on
  FROM generate_series(1, 150000) i;
SQL
# WHAT SETTINGS CONFIG [WHERE]: huimin.run over CONFIG cancelled by
# statement_timeout (in SETTINGS) ends with 57014 (its message saying WHERE),
# records nothing, and the session runs again
cancelled() {
	local before
	before=$(psql_city -Atc "SELECT count(*) FROM huimin.runs")
	psql -X -h "$work/pg0" -U postgres -d city -v VERBOSITY=verbose > "$work/cancel" 2>&1 <<SQL
$2
SELECT huimin.run('small', '$3');
RESET statement_timeout;
SELECT 'again', huimin.run('small', '$config') > 0;
SQL
	grep -q "ERROR:  57014: .*${4:-}" "$work/cancel" && grep -q "again *| t" "$work/cancel" && ok ||
		bad "$1: $(cat "$work/cancel")"
	[ "$(psql_city -Atc "SELECT count(*) FROM huimin.runs")" = $((before + 1)) ] && ok || bad "$1 was recorded"
	[ "$(psql_city -Atc "SELECT count(*) FROM huimin.run_entities e LEFT JOIN huimin.runs r USING (run_id) WHERE r.run_id IS NULL")" = 0 ] &&
		ok || bad "rows of $1 stayed"
}
big=$(sed 's/^schema = registry/schema = big/' "$work/pg.conf" | sed "s/'/''/g")
cancelled "a cancelled run" "SET statement_timeout = 300;" "$big"
# a cancel while the sources are read on the load's threads (huimin.threads
# 2): the civil source's 6,000,000 contributions are read while the backend
# serves (the whole run takes about 0.6 s, twice that under the sanitizers;
# the small population is read in a few ms)
psql_city > /dev/null <<SQL || bad "the big civil source"
CREATE SCHEMA bigcivil;
CREATE TABLE bigcivil.hh AS SELECT * FROM civil.hh;
CREATE TABLE bigcivil.income AS SELECT * FROM civil.income;
CREATE TABLE bigcivil.contribution AS SELECT 'Q' || i % 150000 AS person_id, '2024-0' || (1 + i % 6) AS month,
  '100' AS amount_fen FROM generate_series(1, 6000000) i;
VACUUM ANALYZE bigcivil.contribution;
SQL
cancelled "a run cancelled while reading on the load's threads" "SET huimin.threads = 2; SET statement_timeout = 250;" \
	"$(sed 's/^schema = civil/schema = bigcivil/' "$work/pg.conf" | sed "s/'/''/g")" "source civil"

# the whole big city, to the end: more rows of each kind than a batch holds
# (5,000 unknown codes are 5,000 data issues)
sed 's/^schema = registry/schema = big/' "$work/pg.conf" > "$work/big.conf"
"$HUIMIN" run "$here/small.pol" --config "$work/big.conf" --out "$work/big.db" --no-progress > /dev/null 2> "$work/err" ||
	bad "huimin run over the big city: $(cat "$work/err")"
run_id=$(psql_city -Atc "SELECT huimin.run('small', '$big')" 2> "$work/err") || bad "the big city: $(cat "$work/err")"
for q in "SELECT $dq FROM decisions WHERE run_id = RUN $order" \
	"SELECT source, entity_kind, entity_id, field, issue, detail FROM data_issues WHERE run_id = RUN ORDER BY 3, 4"; do
	sqlite3 "$work/big.db" "$(echo "$q" | sed 's/RUN/1/')" > "$work/a"
	psql_city -At -c "SET search_path = huimin" -c "$(echo "$q" | sed "s/RUN/$run_id/")" > "$work/b"
	[ "$(wc -l < "$work/b")" -gt 4096 ] && cmp -s "$work/a" "$work/b" && ok ||
		bad "the big city: $(echo "$q" | cut -c1-40)…: $(wc -l < "$work/a") / $(wc -l < "$work/b") rows"
done

# decision_rows' BRIN index on run_id: a run inserts only the first row of each
# block range into it.  The big city's rows summarized, then deleted and
# vacuumed away: the next run fills their pages, ranges whose summaries
# hold only the old run, and each of them still finds the new run's rows
big1=$run_id
psql_city -q -c "SELECT brin_summarize_new_values('huimin.decision_rows_run')" \
	-c "DELETE FROM huimin.decision_rows WHERE run_id = $big1" -c "VACUUM huimin.decision_rows" > /dev/null
run_id=$(psql_city -Atc "SELECT huimin.run('small', '$big')" 2> "$work/err") || bad "the big city again: $(cat "$work/err")"
brin_rows() {       # brin_rows RUN: its rows counted through the index, then from the table
	psql_city -At -c "SET enable_seqscan = off" -c "EXPLAIN SELECT count(*) FROM huimin.decision_rows WHERE run_id = $1" |
		grep -q "Bitmap Index Scan on decision_rows_run" || echo "not through the index"
	psql_city -At -c "SET enable_seqscan = off" -c "SELECT count(*) FROM huimin.decision_rows WHERE run_id = $1"
	psql_city -At -c "SET enable_bitmapscan = off" -c "SELECT count(*) FROM huimin.decision_rows WHERE run_id = $1"
}
ranges=$(psql_city -Atc "SELECT count(DISTINCT (ctid::text::point)[0]::int / 128) FROM huimin.decision_rows WHERE run_id = $run_id")
[ "$ranges" -gt 1 ] && ok || bad "the big city's rows are in $ranges block ranges"
for when in "as written" "summarized"; do
	brin_rows "$run_id" > "$work/brin"
	[ "$(sort -u "$work/brin" | wc -l)" = 1 ] && [ "$(head -1 "$work/brin")" -gt 4096 ] && ok ||
		bad "the BRIN index $when: $(tr '\n' ' ' < "$work/brin")"
	psql_city -Atc "SELECT brin_summarize_new_values('huimin.decision_rows_run')" > /dev/null
done

# ---- shard_of: FNV-1a 64 of the UTF-8 bytes, mod nodes --------------------------
want=$(python3 -c "
def f(s, n):
    h = 14695981039346656037
    for b in s.encode('utf-8'):
        h = ((h ^ b) * 1099511628211) % 2**64
    return h % n
print(' '.join(str(f(s, n)) for s, n in [('H1', 3), ('', 3), ('户001', 5), ('330100199001011234', 7), ('x', 1)]))")
got=$(psql_city -Atc "SELECT string_agg(huimin.shard_of(s, n)::text, ' ' ORDER BY o) FROM (VALUES
	(1, 'H1', 3), (2, '', 3), (3, '户001', 5), (4, '330100199001011234', 7), (5, 'x', 1)) v(o, s, n)")
[ "$got" = "$want" ] && ok || bad "shard_of: $got, expected $want"
[ "$(sqlstate "SELECT huimin.shard_of('H1', 0)")" = 22023 ] && ok || bad "shard_of with 0 nodes"
[ "$(psql_city -Atc "SELECT provolatile::text || proparallel::text FROM pg_proc WHERE proname = 'shard_of'")" = is ] && ok ||
	bad "shard_of is not IMMUTABLE PARALLEL SAFE"
# ---- ids with the characters COPY's text format escapes are kept as they are ---
psql_city -c "UPDATE registry.person SET hh_id = E'H1\\\\a\\tb\\nc\\rd\\\\N' WHERE hh_id = 'H1';
	UPDATE registry.household SET hh_id = E'H1\\\\a\\tb\\nc\\rd\\\\N' WHERE hh_id = 'H1'" > /dev/null || bad "odd id"
run=$(psql_city -Atc "SELECT huimin.run('small', '$config')")
got=$(psql_city -Atc "SELECT count(*) FROM huimin.run_entities WHERE run_id = $run AND id = E'H1\\\\a\\tb\\nc\\rd\\\\N'
	AND kind = 'household' AND household IS NULL")
[ "$got" = 1 ] && ok || bad "an id with \\, tab, newline, CR: $got"
finish
