#!/bin/sh
# run-postgres.sh -- the postgres plugin against a real PostgreSQL server:
# a throwaway cluster from Debian's packages, listening only on a socket in
# a temporary folder, loaded with the small city's civil affairs tables;
# the decisions must be those of the same data on the sqlite plugin.
# Exits 77 (skipped) only when the PostgreSQL server programs are missing.
#
# Env: HUIMIN, SRCDIR.
set -u
here="$SRCDIR/tests/batch"
bindir=$(dirname "$HUIMIN")
HUIMIN_PLUGIN_PATH="$bindir/plugins/.libs${HUIMIN_PLUGIN_PATH:+:$HUIMIN_PLUGIN_PATH}"
export HUIMIN_PLUGIN_PATH
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
	echo "SKIP: no PostgreSQL server programs (apt-get install postgresql)"
	exit 77
fi
work=$(mktemp -d)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	# the server refuses to run as root
	chown postgres "$work"
	as_pg() { runuser -u postgres -- "$@"; }
fi
chmod 700 "$work"
stop() {
	as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate stop > /dev/null 2>&1
	rm -rf "$work"
}
trap stop EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

as_pg "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C > "$work/initdb.log" 2>&1 \
	|| { cat "$work/initdb.log"; echo "FAIL: initdb"; exit 1; }
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
	-o "-k $work -c listen_addresses= -c fsync=off -c log_statement=all -c log_line_prefix='%a: '" \
	start > /dev/null 2>&1 \
	|| { cat "$work/server.log"; echo "FAIL: the server did not start"; exit 1; }
psql="psql -X -q -v ON_ERROR_STOP=1 -h $work -U postgres"
$psql -d postgres -c "CREATE DATABASE city" || { echo "FAIL: createdb"; exit 1; }
# every column text, so that bad values reach the plugin as they are
$psql -d city <<SQL || { echo "FAIL: loading the tables"; exit 1; }
CREATE SCHEMA civil;
CREATE TABLE civil.hh(hh_id text PRIMARY KEY, assets_fen text);
CREATE TABLE civil.income(person_id text PRIMARY KEY, amount_fen text, marital text);
CREATE TABLE civil.contribution(person_id text, month text, amount_fen text);
\copy civil.hh FROM '$here/civil-csv/hh.csv' WITH (FORMAT csv, HEADER true)
\copy civil.income FROM '$here/civil-csv/income.csv' WITH (FORMAT csv, HEADER true)
\copy civil.contribution FROM '$here/civil-csv/contribution.csv' WITH (FORMAT csv, HEADER true)
SQL

mkdir "$work/c"
cp "$here/small.conf" "$work/c/"
sqlite3 "$work/c/registry.db" < "$here/city.sql"
sqlite3 "$work/c/civil.db" < "$here/civil.sql"
sed "/^\[source civil\]/,\$ { s/^plugin = sqlite/plugin = postgres/;
	s|^database = civil.db|connection = host=$work dbname=city user=postgres\nschema = civil| }" \
	"$work/c/small.conf" > "$work/c/pg.conf"
query="SELECT entity_id, policy, status, amount_fen, reason, missing FROM decisions ORDER BY 1, 2"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config small.conf --out lite.db --no-progress --reasons) \
	> /dev/null 2> "$work/err" || bad "sqlite run: $(cat "$work/err")"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config pg.conf --out pg.db --no-progress --reasons) \
	> /dev/null 2> "$work/err"
st=$?
sqlite3 "$work/c/lite.db" "$query" > "$work/lite.dec"
sqlite3 "$work/c/pg.db" "$query" > "$work/pg.dec" 2>&1
if [ $st -eq 0 ] && [ -s "$work/pg.dec" ] && cmp -s "$work/lite.dec" "$work/pg.dec"; then ok
else bad "postgres run: exit $st: $(diff "$work/lite.dec" "$work/pg.dec" | head -5) $(cat "$work/err")"; fi
# what the source was: the server's version, its system identifier and the
# snapshot every table was read in
got=$(sqlite3 "$work/c/pg.db" "SELECT identity FROM run_sources WHERE source = 'civil'" 2>&1)
want="server_version=$($psql -d city -Atc 'SHOW server_version') system_identifier=$($psql -d city -Atc \
	'SELECT system_identifier FROM pg_control_system()') snapshot="
case "$got" in
"$want"[0-9]*:[0-9]*:*) ok ;;
*) bad "postgres identity: \"$got\", expected \"$want…\"" ;;
esac
# a role that may not read the system identifier: said so, and the run
# (its transaction) goes on
$psql -d city -c "CREATE ROLE reader LOGIN; GRANT USAGE ON SCHEMA civil TO reader;
	GRANT SELECT ON ALL TABLES IN SCHEMA civil TO reader;
	REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC" > /dev/null || bad "role reader"
sed "s|^connection = .*|& user=reader|" "$work/c/pg.conf" > "$work/c/reader.conf"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config reader.conf --out reader.db --no-progress --reasons) \
	> /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/c/reader.db" "SELECT identity FROM run_sources WHERE source = 'civil'" 2>&1)
sqlite3 "$work/c/reader.db" "$query" > "$work/reader.dec" 2>&1
case "$got" in
"server_version="*" system_identifier=(not permitted) snapshot="[0-9]*:[0-9]*:*)
	[ $st -eq 0 ] && cmp -s "$work/lite.dec" "$work/reader.dec" && ok ||
		bad "run as reader: exit $st: $(cat "$work/err")" ;;
*) bad "identity as reader: exit $st: \"$got\" $(cat "$work/err")" ;;
esac
# the same data issues
iq="SELECT source, entity_id, field, issue FROM data_issues ORDER BY 2, 3"
[ "$(sqlite3 "$work/c/lite.db" "$iq")" = "$(sqlite3 "$work/c/pg.db" "$iq")" ] && ok \
	|| bad "postgres data issues differ"
"$HUIMIN" plugin-check postgres --config "$work/c/pg.conf" --source civil --sample 2 > "$work/out" 2>&1 \
	&& grep -qF "person.monthly_income = 500.00 (as of 2024-07-31)" "$work/out" && ok \
	|| bad "plugin-check postgres: $(cat "$work/out")"
# a table or column the database does not have: refused before reading,
# naming the setting
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config pg.conf --out e.db --no-progress \
	--set "source.civil.household.assets=nosuch.assets money" --set source.civil.key.nosuch=id) \
	> /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF 'source civil (plugin postgres): setting household.assets (--set): there is no table `nosuch`' "$work/err" \
	&& [ ! -e "$work/c/e.db" ] && ok || bad "missing table: exit $st: $(cat "$work/err")"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config pg.conf --out e.db --no-progress \
	--set "source.civil.person.monthly_income=income.amount_fn money per month") > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF 'setting person.monthly_income (--set): table income has no column `amount_fn` (did you mean `amount_fen`?)' "$work/err" \
	&& [ ! -e "$work/c/e.db" ] && ok || bad "misspelt column: exit $st: $(cat "$work/err")"
# every table in one snapshot: in the server's log of this connection, the
# transaction begins before the first SELECT and commits after the last
sed "s|^connection = .*|& application_name=snapshot|" "$work/c/pg.conf" > "$work/c/snap.conf"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config snap.conf --out snap.db --no-progress) \
	> /dev/null 2> "$work/err" || bad "snapshot run: $(cat "$work/err")"
grep '^snapshot: LOG:  statement: ' "$work/server.log" | sed 's/^snapshot: LOG:  statement: //' > "$work/stmts"
order=$(awk '/BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY/ && !b { b = NR }
	/^SELECT/ { if (!f) f = NR; l = NR } /^COMMIT$/ { c = NR }
	END { print (b && f > b && c > l) ? "one snapshot" : "begin " b ", selects " f "-" l ", commit " c }' "$work/stmts")
[ "$order" = "one snapshot" ] && [ "$(grep -c '^SELECT' "$work/stmts")" -ge 3 ] && ok \
	|| bad "snapshot: $order: $(cat "$work/stmts")"
# the snapshot recorded is that transaction's
order=$(awk '/BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY/ && !b { b = NR }
	/pg_current_snapshot/ { p = NR } /^COMMIT$/ { c = NR }
	END { print (b && p > b && c > p) ? "in the snapshot" : "begin " b ", snapshot " p ", commit " c }' "$work/stmts")
[ "$order" = "in the snapshot" ] && ok || bad "identity's snapshot: $order"
# a list of records with fields (rows.pol): the vehicles table in the
# server, the same decisions as from sqlite (run-rows.sh)
$psql -d city <<SQL || bad "loading the vehicles"
CREATE TABLE civil.vehicle(hh_id text, kind text, value_fen text, reg_date text);
INSERT INTO civil.vehicle VALUES ('H1', 'K33', '8000000', '2021-03-01'), ('H1', 'H11', '3000000', NULL),
  ('H2', 'K33', '1000000', '2019-01-01'), ('H2', 'K33', '2000000', '2022-01-01');
SQL
mkdir "$work/r" "$work/r/banks"
sqlite3 "$work/r/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, birth_date TEXT);
INSERT INTO household VALUES ('H1'), ('H2'), ('H3');
INSERT INTO person VALUES ('P1', 'H1', '1980-01-01'), ('P2', 'H2', '1990-01-01'), ('P3', 'H3', '1970-05-05');"
printf 'person_id,bank,balance\nP1,农行,12000.50\n' > "$work/r/banks/deposit.csv"
sed "/^\[source vehicles\]/,/^\[/ { s/^plugin = sqlite/plugin = postgres/;
	s|^database = vehicles.db|connection = host=$work dbname=city user=postgres\nschema = civil| }" \
	"$here/rows.conf" > "$work/r/rows.conf"
(cd "$work/r" && "$HUIMIN" run "$here/rows.pol" --config rows.conf --out r.db --no-progress --store all) > /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/r/r.db" "SELECT group_concat(entity_id || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
	FROM (SELECT * FROM decisions WHERE policy = '车辆核查' ORDER BY entity_id)" 2>&1)
[ $st -eq 0 ] && [ "$got" = "H1:undetermined:- H2:not_eligible:- H3:eligible:0" ] && ok \
	|| bad "postgres list of records: exit $st: $got $(cat "$work/err")"
# links to other persons (links.pol): the claims table in the server, the
# same decisions and data issues as from csv (run-links.sh)
$psql -d city <<SQL || bad "loading the claims"
CREATE TABLE civil.claim(child_id text, claimant_id text, share text);
INSERT INTO civil.claim VALUES ('P3', 'P1', '0.5'), ('P3', 'P2', '0.5'), ('P6', 'P4', '1'), ('P5', 'P1', '1'),
  ('P8', 'P7', '1');
SQL
mkdir "$work/l"
sqlite3 "$work/l/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY, head_id TEXT);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, spouse_id TEXT, wage_fen INTEGER);
INSERT INTO household VALUES ('H1', 'P1'), ('H2', '330102198001010013'), ('H3', NULL);
INSERT INTO person VALUES ('P1', 'H1', 'P2', 800000), ('P2', 'H1', 'P1', 300000), ('P3', 'H1', NULL, NULL),
  ('P4', 'H2', 'P1', 100000), ('P5', 'H2', '330102198001010013', 100000), ('P6', 'H2', '', NULL),
  ('P7', 'H3', NULL, 500000), ('P8', 'H3', NULL, NULL);"
sed "/^\[source tax\]/,/^\[/ { s/^plugin = csv/plugin = postgres/;
	s|^directory = tax|connection = host=$work dbname=city user=postgres\nschema = civil| }" \
	"$here/links.conf" > "$work/l/links.conf"
(cd "$work/l" && "$HUIMIN" run "$here/links.pol" --config links.conf --out l.db --no-progress --store all) \
	> /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/l/l.db" "SELECT group_concat(entity_id || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
	FROM (SELECT * FROM decisions WHERE policy = '子女教育' ORDER BY entity_id)" 2>&1)
want='P1:eligible:100000 P2:eligible:100000 P3:not_eligible:- P4:undetermined:- P5:undetermined:- P6:undetermined:- P7:eligible:200000 P8:not_eligible:-'
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "postgres links: exit $st: $got $(cat "$work/err")"
got=$(sqlite3 "$work/l/l.db" "SELECT detail FROM data_issues WHERE source = 'tax'" 2>&1)
[ "$got" = "person.claims.claimant: ** is not a member of this household" ] && ok || bad "postgres links' issue: $got"
# a reference table (reftables.pol): the regions' standards in the server,
# the same decisions as from sqlite (run-reftables.sh); a bad row refuses
$psql -d city <<SQL || bad "loading the regions"
CREATE TABLE civil.income2(hh_id text, income_fen text);
INSERT INTO civil.income2 VALUES ('H1', '200000'), ('H2', '50000'), ('H3', '0');
CREATE TABLE civil.regions(code text, from_date text, name text, line text);
INSERT INTO civil.regions VALUES ('330102', '2023-07-01', '西湖区', '1160'), ('330102', '2024-07-01', '西湖区', '1245'),
  ('330203', '2024-07-01', '海曙区', '1220.00');
SQL
mkdir "$work/t"
sqlite3 "$work/t/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY, region_code TEXT);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, birth_date TEXT);
INSERT INTO household VALUES ('H1', '330102'), ('H2', '330203'), ('H3', '339999');
INSERT INTO person VALUES ('P1', 'H1', '1980-01-01'), ('P2', 'H1', '1982-01-01'), ('P3', 'H2', '1990-01-01'),
  ('P4', 'H3', '1970-05-05');"
sed "/^\[source civil\]/,\$ { s/^plugin = sqlite/plugin = postgres/;
	s|^database = civil.db|connection = host=$work dbname=city user=postgres\nschema = civil|;
	s/^key.income = /key.income2 = /; s/= income.income_fen/= income2.income_fen/ }" \
	"$here/reftables.conf" > "$work/t/reftables.conf"
(cd "$work/t" && "$HUIMIN" run "$here/reftables.pol" --config reftables.conf --out r.db --no-progress) > /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/t/r.db" "SELECT group_concat(entity_id || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
	FROM (SELECT * FROM decisions ORDER BY entity_id)" 2>&1)
[ $st -eq 0 ] && [ "$got" = "H1:eligible:49000 H2:eligible:72000 H3:undetermined:-" ] && ok \
	|| bad "postgres reference table: exit $st: $got $(cat "$work/err")"
$psql -d city -c "INSERT INTO civil.regions VALUES ('330203', '2025-01-01', '海曙区', 'abc')" || bad "a bad row"
(cd "$work/t" && "$HUIMIN" run "$here/reftables.pol" --config reftables.conf --out e.db --no-progress) > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -q 'source civil, table `region`, row [0-9]*: dibao_line "abc" in column line' "$work/err" && ok \
	|| bad "postgres bad row: exit $st: $(cat "$work/err")"
# the server gone: a clear failure, not a crash
as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate stop > /dev/null 2>&1
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config pg.conf --out e.db --no-progress) \
	> /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "source civil (plugin postgres): cannot connect" "$work/err" && ok \
	|| bad "server down: exit $st: $(cat "$work/err")"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
