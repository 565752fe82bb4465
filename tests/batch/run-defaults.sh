#!/bin/sh
# run-defaults.sh -- declared defaults read through the sqlite and csv
# plugins: P1 declared a loan and owns, P2 has a row with NULLs, P3 has no
# row (both take 0 and tenant), P4's income is not known (no default:
# undetermined).  explain says which values were assumed.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

cp "$here/defaults.conf" "$work/"
sqlite3 "$work/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, income_fen INTEGER);
INSERT INTO household VALUES ('H1'), ('H2'), ('H3'), ('H4');
INSERT INTO person VALUES ('P1', 'H1', 900000), ('P2', 'H2', 900000), ('P3', 'H3', 900000), ('P4', 'H4', NULL);"
sqlite3 "$work/tax.db" "CREATE TABLE deduction(person_id TEXT PRIMARY KEY, loan_fen INTEGER, tenure TEXT);
INSERT INTO deduction VALUES ('P1', 100000, '1'), ('P2', NULL, NULL);"

want='P1:应税:eligible:300000 P1:租房:not_eligible:- P2:应税:eligible:400000 P2:租房:eligible:- P3:应税:eligible:400000 P3:租房:eligible:- P4:应税:undetermined:- P4:租房:eligible:-'
decisions() {
	sqlite3 "$1" "SELECT group_concat(entity_id || ':' || policy || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
		FROM (SELECT * FROM decisions ORDER BY entity_id, policy)" 2>&1
}
(cd "$work" && "$HUIMIN" run "$here/defaults.pol" --config defaults.conf --out r.db --no-progress --store all) \
	> "$work/out" 2>&1
st=$?
[ $st -eq 0 ] && ok || bad "run: exit $st: $(cat "$work/out")"
got=$(decisions "$work/r.db")
[ "$got" = "$want" ] && ok || bad "sqlite decisions: got '$got', want '$want'"

(cd "$work" && "$HUIMIN" explain "$here/defaults.pol" --config defaults.conf --person P3 --policy 应税) \
	> "$work/explain" 2>&1
st=$?
[ $st -eq 0 ] && grep -q '(person.loan) of .* = 0.00 .*(assumed by the source.s rule)' "$work/explain" &&
	! grep -q '(person.income) of .*assumed' "$work/explain" && ok || bad "explain (exit $st): $(cat "$work/explain")"
(cd "$work" && "$HUIMIN" explain "$here/defaults.pol" --config defaults.conf --person P1 --policy 应税) \
	> "$work/explain1" 2>&1
! grep -q 'assumed' "$work/explain1" && ok || bad "explain P1 shows an assumed value: $(cat "$work/explain1")"

# the same tax data as CSV files
mkdir "$work/tax-csv"
printf 'person_id,loan_fen,tenure\nP1,100000,1\nP2,,\n' > "$work/tax-csv/deduction.csv"
sed '/^\[source tax\]/,$ { s/^plugin = sqlite/plugin = csv/; s/^database = tax.db/directory = tax-csv/; }' \
	"$work/defaults.conf" > "$work/csv.conf"
(cd "$work" && "$HUIMIN" run "$here/defaults.pol" --config csv.conf --out csv.db --no-progress --store all) \
	> "$work/out" 2>&1
st=$?
got=$(decisions "$work/csv.db")
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "csv: exit $st, got '$got', want '$want': $(cat "$work/out")"

# the tax bureau not configured at all: nothing was asked of it, so its
# defaults cannot stand in for its facts; the run is refused, nothing written
sed '/^\[source tax\]/,$d' "$work/defaults.conf" > "$work/notax.conf"
(cd "$work" && "$HUIMIN" run "$here/defaults.pol" --config notax.conf --out notax.db --no-progress --store all) \
	> "$work/out" 2>&1
st=$?
[ $st -eq 2 ] && grep -q 'no source provides person.loan, which 应税 reads: add \[source tax\]' "$work/out" &&
	[ ! -e "$work/notax.db" ] && ok || bad "source not configured: exit $st: $(cat "$work/out")"

finish
