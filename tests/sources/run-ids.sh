#!/bin/sh
# run-ids.sh -- the population's ids: households and persons listed in any
# order are found by id (the results do not depend on the order the
# source stores them in), an id listed twice is refused, and integer keys
# (sqlite, csv, an isolated plugin, explain and needs of one household)
# decide as the same city with text keys.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

# decisions DB: every decision of the last run, one line each, sorted
decisions() {
	sqlite3 "$1" "SELECT entity_id, policy, status, amount_fen FROM decisions ORDER BY 1, 2" 2>&1
}

# run NAME DIR [ARGS]: a run of the small city in DIR; status in $st
run() {
	rm -f "$2/r.db"
	d=$2
	shift 2
	(cd "$d" && "$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress "$@") \
		> "$work/out" 2> "$work/err"
	st=$?
}

# the small city as it is: the reference
small_city "$work/a"
run ordered "$work/a"
[ $st -eq 0 ] || bad "ordered: exit $st: $(cat "$work/err")"
decisions "$work/a/r.db" > "$work/a.txt"

# the same tables stored in no id order (rowid tables filled backwards
# and shuffled): the same decisions
small_city "$work/b"
sqlite3 "$work/b/registry.db" "
  CREATE TABLE h2 AS SELECT * FROM household ORDER BY hh_id DESC;
  CREATE TABLE p2 AS SELECT * FROM person ORDER BY substr(person_id, -1) % 3, person_id DESC;
  DROP TABLE household; DROP TABLE person;
  ALTER TABLE h2 RENAME TO household; ALTER TABLE p2 RENAME TO person;"
sqlite3 "$work/b/civil.db" "
  CREATE TABLE i2 AS SELECT * FROM income ORDER BY person_id DESC;
  DROP TABLE income; ALTER TABLE i2 RENAME TO income;"
run unordered "$work/b"
decisions "$work/b/r.db" > "$work/b.txt"
if [ $st -ne 0 ]; then
	bad "unordered: exit $st: $(cat "$work/err")"
elif ! cmp -s "$work/a.txt" "$work/b.txt"; then
	bad "unordered: other decisions: $(diff "$work/a.txt" "$work/b.txt")"
elif [ "$(wc -l < "$work/a.txt")" -lt 5 ]; then
	bad "ordered: too few decisions: $(cat "$work/a.txt")"
else
	ok
fi

# dup NAME SQL PHRASE: a registry changed by SQL is refused with PHRASE,
# and no results are written
dup() {
	rm -rf "$work/d"
	small_city "$work/d"
	sqlite3 "$work/d/registry.db" "$2"
	run "$1" "$work/d"
	if [ $st -ne 2 ]; then
		bad "$1: exit $st, expected 2: $(cat "$work/err")"
	elif ! grep -qF -- "$3" "$work/err"; then
		bad "$1: no \"$3\" in: $(cat "$work/err")"
	elif [ -e "$work/d/r.db" ] && [ "$(sqlite3 "$work/d/r.db" 'SELECT count(*) FROM runs')" != 0 ]; then
		bad "$1: refused, but recorded a run"
	else
		ok
	fi
}
nokey="CREATE TABLE h2 AS SELECT * FROM household; CREATE TABLE p2 AS SELECT * FROM person;
  DROP TABLE household; DROP TABLE person;
  ALTER TABLE h2 RENAME TO household; ALTER TABLE p2 RENAME TO person;"
dup household "$nokey INSERT INTO household VALUES ('H2', '330100');" \
	"listing the population failed: household id H2 is listed twice"
dup person "$nokey INSERT INTO person VALUES ('P3','H1','1990-01-01',0,'10','2024-07-20');" \
	"person id P3 is listed twice"

# the small city with integer keys (Hn is n, Pn is 100 + n): the same
# decisions, for the same entities
int_city() {
	small_city "$1"
	sqlite3 "$1/registry.db" < "$SRCDIR/tests/sources/int-registry.sql"
	sqlite3 "$1/civil.db" < "$SRCDIR/tests/sources/int-civil.sql"
}
sqlite3 "$work/a/r.db" "SELECT CASE WHEN entity_id LIKE 'H%' THEN substr(entity_id, 2)
  ELSE 100 + substr(entity_id, 2) END, policy, status, amount_fen FROM decisions" | sort \
	> "$work/a-int.txt"
# same NAME DIR: the run in DIR decided as the text city did
same() {
	decisions "$2/r.db" | sort > "$work/got.txt"
	if [ $st -ne 0 ]; then
		bad "$1: exit $st: $(cat "$work/err")"
	elif ! cmp -s "$work/a-int.txt" "$work/got.txt"; then
		bad "$1: other decisions: $(diff "$work/a-int.txt" "$work/got.txt")"
	else
		ok
	fi
}
int_city "$work/i"
run "integer keys" "$work/i"
same "integer keys" "$work/i"
run "integer keys, isolated plugins" "$work/i" --set source.registry.isolate=process \
	--set source.civil.isolate=process
same "integer keys, isolated plugins" "$work/i"

# civil affairs from CSV files whose keys are written as whole numbers
mkdir "$work/i/civil-csv"
for f in "$here"/civil-csv/*.csv; do
	sed 's/^\(\xef\xbb\xbf\)\{0,1\}H\([0-9]\)/\1\2/; s/^\(\xef\xbb\xbf\)\{0,1\}P\([0-9]\)/\110\2/' "$f" \
		> "$work/i/civil-csv/${f##*/}"
done
sed -i '/^\[source civil\]/,$ { s/^plugin = sqlite/plugin = csv/; s/^database = civil.db/directory = civil-csv/; }' \
	"$work/i/small.conf"
run "integer keys, csv" "$work/i"
same "integer keys, csv" "$work/i"
run "integer keys, csv, isolated" "$work/i" --set source.civil.isolate=process
same "integer keys, csv, isolated" "$work/i"

# one household of an integer-keyed population: explain and needs find it
# by its id and name it and its members by theirs
(cd "$work/i" && "$HUIMIN" needs "$here/small.pol" --config small.conf --person 105 --format json) \
	> "$work/out" 2> "$work/err"
st=$?
if [ $st -ne 0 ]; then
	bad "needs --person 105: exit $st: $(cat "$work/err")"
elif ! grep -q '"105"' "$work/out" || ! grep -q '"104"' "$work/out" || ! grep -q '"3"' "$work/out"; then
	bad "needs --person 105: ids missing: $(cat "$work/out")"
else
	ok
fi
(cd "$work/i" && "$HUIMIN" explain "$here/small.pol" --config small.conf --household 3 --policy allowance \
	--format json) > "$work/out" 2> "$work/err"
st=$?
if [ $st -ne 0 ]; then
	bad "explain --household 3: exit $st: $(cat "$work/err")"
elif ! grep -q '"3"' "$work/out" || ! grep -q 'undetermined' "$work/out"; then
	bad "explain --household 3: $(head -c 600 "$work/out")"
else
	ok
fi
(cd "$work/i" && "$HUIMIN" explain "$here/small.pol" --config small.conf --household 03 --policy allowance) \
	> "$work/out" 2> "$work/err"
st=$?
if [ $st -ne 2 ] || ! grep -qF 'no household `03` in the population (source registry)' "$work/err"; then
	bad "explain --household 03: exit $st: $(cat "$work/err")"
else
	ok
fi

# one text key among integers: every id is text, and none is lost
int_city "$work/m"
sqlite3 "$work/m/registry.db" "CREATE TABLE h3 AS SELECT * FROM household; DROP TABLE household;
  ALTER TABLE h3 RENAME TO household;
  CREATE TABLE p3 AS SELECT * FROM person; DROP TABLE person; ALTER TABLE p3 RENAME TO person;
  INSERT INTO household VALUES ('H9', '330100');
  INSERT INTO person VALUES ('P9', 'H9', '1930-01-01', 0, '20', '2024-07-20');"
run "integer and text keys" "$work/m"
n=$(sqlite3 "$work/m/r.db" "SELECT count(DISTINCT entity_id) FROM decisions WHERE entity_id IN ('1', '106', 'H9', 'P9')")
if [ $st -ne 0 ]; then
	bad "integer and text keys: exit $st: $(cat "$work/err")"
elif [ "$n" != 4 ]; then
	bad "integer and text keys: $n of the 4 entities decided"
else
	ok
fi

finish
