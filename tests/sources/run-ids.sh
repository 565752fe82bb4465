#!/bin/sh
# run-ids.sh -- the population's ids: households and persons listed in any
# order are found by id (the results do not depend on the order the
# source stores them in), and an id listed twice is refused.
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
	(cd "$2" && "$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress) \
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

finish
