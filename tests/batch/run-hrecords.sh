#!/bin/sh
# run-hrecords.sh -- records of a household (not of a person) read from a
# plugin: a population run decides on the household's rent records, and
# explain lists them.  H1 paid rent 3 times in the last 6 months (and once
# long before), H2 once, H3 never (no row: a known, empty list).
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

cp "$here/hrecords.conf" "$work/"
sqlite3 "$work/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, birth_date TEXT);
INSERT INTO household VALUES ('H1'), ('H2'), ('H3');
INSERT INTO person VALUES ('P1', 'H1', '1980-01-01'), ('P2', 'H2', '1990-01-01'), ('P3', 'H3', '1970-05-05');"
sqlite3 "$work/housing.db" "CREATE TABLE rent(hh_id TEXT, paid_on TEXT, amount_fen INTEGER);
INSERT INTO rent VALUES ('H1', '2024-05-01', 100000), ('H1', '2023-01-01', 999900),
  ('H1', '2024-03-01', 100000), ('H1', '2024-04-01', 100000), ('H2', '2024-07-01', 50000);"

(cd "$work" && "$HUIMIN" run "$here/hrecords.pol" --config hrecords.conf --out r.db --no-progress --store all) \
	> "$work/out" 2>&1
st=$?
[ $st -eq 0 ] && ok || bad "run: exit $st: $(cat "$work/out")"
got=$(sqlite3 "$work/r.db" "SELECT group_concat(entity_id || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
	FROM (SELECT * FROM decisions ORDER BY entity_id)" 2>&1)
want='H1:eligible:30000 H2:not_eligible:- H3:not_eligible:-'
[ "$got" = "$want" ] && ok || bad "decisions: got '$got', want '$want'"

(cd "$work" && "$HUIMIN" explain "$here/hrecords.pol" --config hrecords.conf --household H1) \
	> "$work/explain" 2>&1
st=$?
[ $st -eq 0 ] && grep -q 'household.rent = 4 records' "$work/explain" && ok ||
	bad "explain (exit $st): $(cat "$work/explain")"

# the same household as a facts file (JSON), then with its records left out
cat > "$work/h1.json" <<'JSON'
{"household": {"rent": [{"date": "2024-03-01", "value": "1000.00"}, {"date": "2024-04-01", "value": "1000.00"},
                        {"date": "2024-05-01", "value": "1000.00"}],
               "members": [{"birth_date": "1980-01-01"}]}}
JSON
got=$("$HUIMIN" run "$here/hrecords.pol" --given "$work/h1.json" --as-of 2024-08-01 2>&1)
echo "$got" | grep -q '^租房补贴 .* eligible *300.00' && ok || bad "facts file: $got"
cat > "$work/h0.json" <<'JSON'
{"household": {"members": [{"birth_date": "1980-01-01"}]}}
JSON
got=$("$HUIMIN" run "$here/hrecords.pol" --given "$work/h0.json" --as-of 2024-08-01 2>&1)
echo "$got" | grep -q 'undetermined *missing: household.rent' && ok || bad "facts file, records left out: $got"

finish
