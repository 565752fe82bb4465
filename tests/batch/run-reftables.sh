#!/bin/sh
# run-reftables.sh -- a reference table read once from a source (sqlite,
# csv): the row of each household's region in force at the as-of date;
# a region the table does not have leaves the decision undetermined; a
# row whose value has the wrong type, whose date cannot be read, or two
# rows of one region and date refuse the run (exit 2, nothing written).
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

cp "$here/reftables.conf" "$work/"
sqlite3 "$work/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY, region_code TEXT);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, birth_date TEXT);
INSERT INTO household VALUES ('H1', '330102'), ('H2', '330203'), ('H3', '339999'), ('H4', NULL);
INSERT INTO person VALUES ('P1', 'H1', '1980-01-01'), ('P2', 'H1', '1982-01-01'), ('P3', 'H2', '1990-01-01'),
  ('P4', 'H3', '1970-05-05'), ('P5', 'H4', '1970-05-05');"
civil() {
	rm -f "$work/civil.db"
	sqlite3 "$work/civil.db" "CREATE TABLE income(hh_id TEXT PRIMARY KEY, income_fen INTEGER);
INSERT INTO income VALUES ('H1', 200000), ('H2', 50000), ('H3', 0), ('H4', 0);
CREATE TABLE regions(code TEXT, from_date TEXT, name TEXT, line);
$1"
}
run() {
	rm -f "$work/r.db"
	(cd "$work" && "$HUIMIN" run "$here/reftables.pol" --config "${2:-reftables.conf}" --out r.db --no-progress) \
		> "$work/out" 2>&1
	st=$?
	[ "$st" -eq "$1" ] || bad "run: exit $st, want $1: $(cat "$work/out")"
}
decisions() {
	sqlite3 "$work/r.db" "SELECT group_concat(entity_id || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
		FROM (SELECT * FROM decisions ORDER BY entity_id)" 2>&1
}
want='H1:eligible:49000 H2:eligible:72000 H3:undetermined:- H4:undetermined:-'

civil "INSERT INTO regions VALUES ('330102', '2023-07-01', '西湖区', 1160), ('330102', '2024-07-01', '西湖区', 1245),
  ('330203', '2024-07-01', '海曙区', '1220.00'), ('330203', '2025-01-01', '海曙区', 1300);"
run 0 && ok
got=$(decisions)
[ "$got" = "$want" ] && ok || bad "sqlite decisions: got '$got', want '$want'"

# the key the table does not have is a data issue naming it
got=$(sqlite3 "$work/r.db" "SELECT source || '|' || entity_id || '|' || field || '|' || issue || '|' || detail FROM data_issues")
want_issue='civil|H3|household.region|bad_value|"339999" is not a key of table `region` (source civil)'
[ "$got" = "$want_issue" ] && ok || bad "data issues: got '$got', want '$want_issue'"
# the run records the table's content with its source, and a changed row changes it
id1=$(sqlite3 "$work/r.db" "SELECT identity FROM run_sources WHERE source = 'civil'")
case "$id1" in *"; table region: 4 rows, content "*) ok ;; *) bad "identity: $id1" ;; esac
sqlite3 "$work/civil.db" "UPDATE regions SET line = 1250 WHERE code = '330102' AND from_date = '2024-07-01'"
run 0
id2=$(sqlite3 "$work/r.db" "SELECT identity FROM run_sources WHERE source = 'civil'")
[ "${id1##*content }" != "${id2##*content }" ] && ok || bad "the table's content is the same after a change: $id2"

# the same table in CSV
mkdir -p "$work/civil-csv"
printf 'hh_id,income_fen\nH1,200000\nH2,50000\nH3,0\nH4,0\n' > "$work/civil-csv/income.csv"
printf 'code,from_date,name,line\n330102,2023-07-01,西湖区,1160\n330102,2024-07-01,西湖区,1245\n330203,2024-07-01,海曙区,1220.00\n330203,2025-01-01,海曙区,1300\n' \
	> "$work/civil-csv/regions.csv"
sed -e 's/^plugin = sqlite$/&/' "$work/reftables.conf" | awk '
	/^\[source civil\]/ { civil = 1 }
	civil && /^plugin = / { print "plugin = csv"; next }
	civil && /^database = / { print "directory = civil-csv"; next }
	{ print }' > "$work/csv.conf"
run 0 csv.conf && ok
got=$(decisions)
[ "$got" = "$want" ] && ok || bad "csv decisions: got '$got', want '$want'"

# each bad row refuses the run, naming the source, the table and the row
refused() {
	civil "$1"
	run 2
	grep -q "$2" "$work/out" && ok || bad "want '$2' in: $(cat "$work/out")"
	[ ! -e "$work/r.db" ] && ok || bad "a refused run wrote r.db"
}
refused "INSERT INTO regions VALUES ('330102', '2024-07-01', '西湖区', 'abc');" \
	'source civil, table `region`, row 1: dibao_line "abc" in column line is not an amount in yuan'
refused "INSERT INTO regions VALUES ('330102', '2024-07-01', '西湖区', 1245), ('330102', '2024-13-01', '西湖区', 1300);" \
	'source civil, table `region`, row 2: the date it is in force from, "2024-13-01" in column from_date, cannot be read'
refused "INSERT INTO regions VALUES ('330102', '2024-07-01', '西湖区', 1245), ('330102', '2024-07-01', '西湖区', 1300);" \
	'table `region` of source `civil` has two rows for key "330102" from 2024-07-01 (rows 1 and 2)'
refused "INSERT INTO regions VALUES (NULL, '2024-07-01', '西湖区', 1245);" \
	'source civil, table `region`, row 1: no key in column code'

# an attribute the settings do not map
civil ""
grep -v '^table.region.name' "$work/reftables.conf" > "$work/unmapped.conf"
run 2 unmapped.conf
grep -q 'attribute `name` of table `region` is not mapped: add table.region.name = TABLE.COLUMN' "$work/out" && ok ||
	bad "unmapped: $(cat "$work/out")"

finish
