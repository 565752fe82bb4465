#!/bin/sh
# run-edges.sh -- the loader's and the results writer's exact edges, each
# of which a one-line slip would get wrong in silence:
#   - a value on the last day of its freshness limit is fresh, the day
#     after stale (population run on the sqlite plugin, and facts files);
#   - a fact two sources give, one stale: the fresh value is used, and with
#     no fresh value the fact is missing (stale), never the stale value;
#   - money in yuan from a SQLite REAL (1.15 is 1.1499… in binary) and from
#     CSV text loads as exact fen: 1.15 → 115, 19.99 → 1999, 0.29 → 29;
#   - a run whose last, partial batch of decisions cannot be written
#     leaves no run behind (nor one whose first, full batch fails).
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch/edges"

# city DIR: the databases, files and configuration
city() {
	mkdir -p "$1"
	cp "$here/edges.conf" "$1/"
	cp -r "$here/files" "$1/"
	for db in registry civil social; do
		sqlite3 "$1/$db.db" < "$here/$db.sql"
	done
}

# run_at DAY [NAME]: a population run as of DAY into $work/c/NAME.db
# (NAME defaults to DAY), which must exit 0
run_at() {
	(cd "$work/c" && "$HUIMIN" run "$here/edges.pol" --config edges.conf --out "${2:-$1}.db" \
		--as-of "$1" --no-progress --reasons --store all) > "$work/out" 2> "$work/err"
	st=$?
	[ $st -eq 0 ] || bad "run as of $1: exit $st: $(cat "$work/err")"
}

# decision NAME POLICY PERSON: "status|amount_fen|missing" of run NAME
decision() {
	sqlite3 "$work/c/$1.db" "SELECT status, ifnull(amount_fen, ''), ifnull(missing, '') FROM decisions
		WHERE policy = '$2' AND entity_id = '$3'"
}

# expect_decision NAME POLICY PERSON WANT WHY
expect_decision() {
	got=$(decision "$1" "$2" "$3")
	[ "$got" = "$4" ] && ok || bad "$5: run $1, $2 of $3 is \"$got\", expected \"$4\""
}

city "$work/c"

# ---- freshness on the sqlite plugin ----------------------------------------
# P1's registry row is as of 2024-07-01 with a limit of 31 days: fresh to
# 2024-08-01 inclusive
for day in 2024-07-31 2024-08-01 2024-08-02; do
	run_at $day
done
expect_decision 2024-07-31 alive P1 "eligible||" "the day before the limit"
expect_decision 2024-08-01 alive P1 "eligible||" "on the last day of the limit"
expect_decision 2024-08-02 alive P1 "undetermined||person.alive (stale)" "the day after the limit"
expect_decision 2024-08-02 alive P2 "eligible||" "a fresh value the day after another's limit"

# ---- a fact from two sources, one stale ------------------------------------
# 民政's incomes of P1 and P2 (as of 2024-06-01, limit 31 days) are stale;
# 社保 says 800.00 for P1 and nothing for P2; both say 700.00 for P3
expect_decision 2024-08-01 income P1 "eligible|80000|" "the fresh source's value, not the stale one's"
expect_decision 2024-08-01 income P2 "undetermined||person.income (stale)" "only a stale value"
expect_decision 2024-08-01 income P3 "eligible|70000|" "two fresh sources that agree"
got=$(sqlite3 "$work/c/2024-08-01.db" "SELECT count(*) FROM data_issues WHERE field = 'person.income'")
[ "$got" = 0 ] && ok || bad "a stale value makes a data issue (a conflict?): $got issues for person.income"

# ---- money in yuan ----------------------------------------------------------
for p in "P1 115" "P2 1999" "P3 29" "P4 1250" "P5 700"; do
	set -- $p
	expect_decision 2024-08-01 pay $1 "eligible|$2|" "a SQLite REAL in yuan"
	expect_decision 2024-08-01 fee $1 "eligible|$2|" "CSV text in yuan"
done
got=$(sqlite3 "$work/c/civil.db" "SELECT group_concat(typeof(yuan), ' ') FROM pay")
[ "$got" = "real real real real real" ] && ok || bad "the pay column holds $got: the test does not test REAL cells"
# three decimals are not an amount in yuan: a data issue, not a rounded amount
sqlite3 "$work/c/civil.db" "UPDATE pay SET yuan = 1.005 WHERE person_id = 'P1'"
printf 'person_id,yuan\nP1,1.005\nP2,19.99\nP3,0.29\nP4,12.5\nP5,7\n' > "$work/c/files/fee.csv"
run_at 2024-08-01 decimals
expect_decision decimals pay P1 "undetermined||person.pay (unusable value)" "a REAL with three decimals"
expect_decision decimals fee P1 "undetermined||person.fee (unusable value)" "CSV text with three decimals"
got=$(sqlite3 "$work/c/decimals.db" "SELECT count(*) FROM data_issues WHERE entity_id = 'P1'
	AND field IN ('person.pay', 'person.fee') AND detail LIKE '%not an amount in yuan with at most two decimals%'")
[ "$got" = 2 ] && ok || bad "three decimals in yuan: $got data issues, expected 2"

# ---- facts files: the same limit on its last day ----------------------------
given_at() {   # DAY AS-OF-OF-VALUE WANT, in JSON and in the `given` notation
	printf '{"household": {"members": [{"alive": {"value": true, "as_of": "%s"}}]}}\n' "$2" > "$work/g.json"
	printf 'given household { members [ { alive true as of %s } ] }\n' "$2" > "$work/g.given"
	given_file "$1" "$2" "$3" g.json
	given_file "$1" "$2" "$3" g.given
}
given_file() {   # DAY AS-OF-OF-VALUE WANT FILE
	"$HUIMIN" run "$here/edges.pol" --given "$work/$4" --as-of "$1" --format json > "$work/out" 2> "$work/err"
	st=$?
	got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(x["status"] for x in d["decisions"] if x["policy"] == "alive"))' "$work/out" 2>&1)
	[ $st -eq 0 ] && [ "$got" = "$3" ] && ok || bad "facts file $4 as of $1, value as of $2: exit $st, alive is \"$got\", expected \"$3\": $(cat "$work/err")"
}
given_at 2024-07-31 2024-07-01 eligible
given_at 2024-08-01 2024-07-01 eligible
given_at 2024-08-02 2024-07-01 undetermined

# ---- a failed last batch leaves no run -------------------------------------
# 1030 persons more: 1035 persons, 4 policies, 4140 decisions, written in
# batches of 4096: a full one, then 44 rows written at the commit
sqlite3 "$work/c/registry.db" "
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1030)
	INSERT INTO person SELECT printf('Q%04d', i), 'H2', 1, '2024-07-20' FROM n;"
run_at 2024-08-01 batches
db="$work/c/batches.db"
# the entity of the last decision row written, and of the first
last=$(sqlite3 "$db" "SELECT e.id FROM decision_rows d JOIN run_entities e ON e.entity = d.entity
	ORDER BY d.rowid DESC LIMIT 1")
first=$(sqlite3 "$db" "SELECT e.id FROM decision_rows d JOIN run_entities e ON e.entity = d.entity
	ORDER BY d.rowid LIMIT 1")
rows=$(sqlite3 "$db" "SELECT count(*) FROM decision_rows")
[ "$rows" -gt 4096 ] && [ $((rows % 4096)) -ne 0 ] && ok \
	|| bad "$rows decisions: the run does not end with a partial batch after a full one"
for who in "$last" "$first"; do
	before=$(sqlite3 "$db" "SELECT count(*) FROM runs; SELECT count(*) FROM decision_rows;
		SELECT count(*) FROM run_entities; SELECT count(*) FROM data_issues" | tr '\n' ' ')
	sqlite3 "$db" "DROP TRIGGER IF EXISTS refuse;
		CREATE TRIGGER refuse BEFORE INSERT ON decision_rows
		WHEN (SELECT id FROM run_entities WHERE entity = NEW.entity) = '$who'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
	(cd "$work/c" && "$HUIMIN" run "$here/edges.pol" --config edges.conf --out batches.db \
		--as-of 2024-08-01 --no-progress --reasons --store all) > "$work/out" 2> "$work/err"
	st=$?
	after=$(sqlite3 "$db" "SELECT count(*) FROM runs; SELECT count(*) FROM decision_rows;
		SELECT count(*) FROM run_entities; SELECT count(*) FROM data_issues" | tr '\n' ' ')
	if [ $st -eq 2 ] && grep -qF "batches.db: saving the decisions: refused by the test" "$work/err" &&
		[ "$before" = "$after" ]; then ok
	else bad "a run refused writing $who's decision: exit $st, tables ($before) → ($after): $(cat "$work/err")"; fi
done

finish
