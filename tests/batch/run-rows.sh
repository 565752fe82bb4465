#!/bin/sh
# run-rows.sh -- lists of records with fields read from plugins (sqlite,
# csv): each table row is a record, each column a field.  H1 has a car
# registered in 2021 and a truck with no registration date (so the value
# of those registered since 2020 is unknown), H2 two cars, H3
# no row (a known, empty list); P1 has two deposits, P2 none, and P3 one
# with no bank (missing in that record).
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

cp "$here/rows.conf" "$work/"
sqlite3 "$work/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, birth_date TEXT);
INSERT INTO household VALUES ('H1'), ('H2'), ('H3');
INSERT INTO person VALUES ('P1', 'H1', '1980-01-01'), ('P2', 'H2', '1990-01-01'), ('P3', 'H3', '1970-05-05');"
sqlite3 "$work/vehicles.db" "CREATE TABLE vehicle(hh_id TEXT, kind TEXT, value_fen INTEGER, reg_date TEXT);
INSERT INTO vehicle VALUES ('H1', 'K33', 8000000, '2021-03-01'), ('H1', 'H11', 3000000, NULL),
  ('H2', 'K33', 1000000, '2019-01-01'), ('H2', 'K33', 2000000, '2022-01-01');"
mkdir "$work/banks"
printf 'person_id,bank,balance\nP1,农行,12000.50\nP1,工行,3000\nP3,,100\n' > "$work/banks/deposit.csv"

(cd "$work" && "$HUIMIN" run "$here/rows.pol" --config rows.conf --out r.db --no-progress --store all) \
	> "$work/out" 2>&1
st=$?
[ $st -eq 0 ] && ok || bad "run: exit $st: $(cat "$work/out")"
got=$(sqlite3 "$work/r.db" "SELECT group_concat(policy || ':' || entity_id || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
	FROM (SELECT * FROM decisions ORDER BY policy, entity_id)" 2>&1)
want='存款核查:P1:eligible:1500050 存款核查:P2:eligible:0 存款核查:P3:undetermined:- 车辆核查:H1:undetermined:- 车辆核查:H2:not_eligible:- 车辆核查:H3:eligible:0'
[ "$got" = "$want" ] && ok || bad "decisions: got '$got', want '$want'"

(cd "$work" && "$HUIMIN" explain "$here/rows.pol" --config rows.conf --household H1 --policy 车辆核查) \
	> "$work/explain" 2>&1
st=$?
[ $st -eq 0 ] && grep -q 'record 2 {kind 货车, value 30000.00, registered ?}' "$work/explain" && ok ||
	bad "explain (exit $st): $(cat "$work/explain")"

finish
