#!/bin/sh
# run-floor.sh -- bench/floor/floor, the example pack in hand-written C,
# decides as huimin does: on the example city of 2,000 households, and on
# a copy whose department tables are spoilt here and there (text in number
# columns, reals, impossible dates, unmapped codes, NULLs, records with no
# value or date, numbers past 32 bits), as of 2024-08-01 and 2025-01-15,
# floor writes the same eligible and undetermined decisions, amount for
# amount, as `huimin run --kleene`.  As of another date than huimin's run
# it must not (the comparison can fail); a missing table or database, a
# bad as-of date and bad usage are refused, with no results file left.
. "$SRCDIR/tests/lib.sh"
floor=$bindir/bench/floor/floor
[ -x "$floor" ] || { echo "FAIL: $floor is not built"; exit 1; }
command -v python3 > /dev/null || { echo "SKIP: no python3 for examples/city/generate"; exit 77; }
cd "$SRCDIR" || exit 99

python3 examples/city/generate --households 2000 --seed 1 --as-of 2024-08-01 --out "$work/city" > /dev/null 2>&1 ||
    { echo "FAIL: generate"; exit 1; }

# the same decisions: eligible and undetermined ones, with their amounts,
# each hospital bill's by its number in the person's list
cat > "$work/same.py" << 'EOF'
import sqlite3, sys
f = sqlite3.connect(sys.argv[1])
h = sqlite3.connect(sys.argv[2])
mine = {(k, e, p, c): (s, a) for k, e, p, s, a, c in
        f.execute("SELECT entity_kind, entity_id, policy, status, amount_fen, coalesce(claim, 0) FROM decisions")}
run = h.execute("SELECT max(run_id) FROM runs").fetchone()[0]
theirs = {(k, e, p, c): (s, a) for k, e, p, s, a, c in
          h.execute("SELECT entity_kind, entity_id, policy, status, amount_fen, coalesce(claim, 0) FROM decisions "
                    "WHERE run_id = ? AND status IN ('eligible', 'undetermined')", (run,))}
diff = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
for k in diff[:5]:
    print("differs: %s %s %s claim %s: floor %s, huimin %s" % (k + (mine.get(k), theirs.get(k))))
print("%d decisions (%d of claims), %d differ" % (len(theirs), sum(1 for k in theirs if k[3]), len(diff)))
sys.exit(1 if diff or len(theirs) < 1000 or not any(k[3] for k in theirs) else 0)
EOF

# spoil a copy of the city: every column the pack reads, in a thirtieth of its rows
# (but the claims of children, edu_claim and infant_claim: the floor reads
# how many children each parent claims from deduction's counts of them)
cp -r "$work/city" "$work/spoilt"
cat > "$work/spoil.py" << 'EOF'
import random, sqlite3, sys
random.seed(7)
odd = [None, 'yes', 'y', '是', '否', 'no', 'true', 'f', 'n/a', ' 1500 ', '+7', '-3', '2.', '1.5',
       1500.0, 1500.5, 2.0, '1990-02-30', '2024-07', '2024-07-15', '2023-02-29', '2024-02-29',
       0, 1, 2, -1, '01', '1', '10', '25', '9', 10, 20, 4, 7, 3, '330100', 330100, '',
       '2024-08-02', '2025-01-01', '2019-01-01', 5000000000, '-3000000000', 2147483648, -2147483647]
plan = {
    'registry': {'household': ['region_code'],
                 'person': ['birth_date', 'deceased', 'marital_code', 'relation_code', 'local_hukou',
                            'residence_years', 'updated_on']},
    'civil_affairs': {'household_check': ['assets_fen', 'checked_on'], 'marriage': ['marital_code'],
                      'assistance': ['supporter_able'], 'schooling': ['stage_code']},
    'social_security': {'income': ['amount_fen'], 'employment': ['hard_to_employ', 'flexible_employed'],
                        'contribution': ['month', 'amount_fen']},
    'housing': {'property': ['other_housing']},
    'medical_insurance': {'selfpay': ['amount_fen'], 'bill': ['settled_on', 'amount_fen'],
                          'hbill': ['in_scope_fen', 'level_code']},
    'disability_federation': {'certificate': ['grade', 'kind_code']},
    'tax': {'annual_return': ['wage_fen', 'social_insurance_fen'],
            'deduction': ['housing_loan', 'renting', 'city_tier',
                          'supports_elderly', 'only_child', 'elderly_share_fen']},
}
for src, tables in plan.items():
    db = sqlite3.connect('%s/%s.db' % (sys.argv[1], src))
    for t, cols in tables.items():
        rows = [r[0] for r in db.execute('SELECT rowid FROM %s ORDER BY rowid' % t)]
        for c in cols:
            for r in random.sample(rows, max(1, len(rows) // 30)):
                db.execute('UPDATE OR IGNORE %s SET %s = ? WHERE rowid = ?' % (t, c), (random.choice(odd), r))
    # sums of records past 32 bits
    if src == 'social_security':
        db.execute("UPDATE contribution SET amount_fen = 1500000000 WHERE person_id IN (SELECT person_id "
                   "FROM contribution JOIN employment USING (person_id) WHERE hard_to_employ = 1 "
                   "AND flexible_employed = 1 GROUP BY person_id HAVING count(*) >= 6 ORDER BY person_id LIMIT 40)")
    if src == 'medical_insurance':
        db.execute("UPDATE bill SET amount_fen = 1500000000 WHERE person_id IN (SELECT person_id "
                   "FROM bill GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id LIMIT 40)")
    if src == 'registry':   # fresher rows: fewer decisions undetermined for want of them
        db.execute("UPDATE person SET updated_on = '2024-07-30' WHERE typeof(updated_on) = 'text' "
                   "AND updated_on < '2024-07-01' AND rowid % 3 = 0")
    db.commit()
EOF
python3 "$work/spoil.py" "$work/spoilt" || { echo "FAIL: spoiling the city"; exit 1; }

agree() {   # CITY AS_OF: floor and huimin agree
	rm -f "$work/h.db"
	if ! "$HUIMIN" run examples/policies --config "$work/$1/sources.conf" --as-of "$2" --kleene \
	        --no-progress --out "$work/h.db" > /dev/null 2> "$work/h.err"; then
		bad "huimin on $1 as of $2"; cat "$work/h.err"; return
	fi
	if ! "$floor" "$work/$1" "$2" "$work/f.db" > "$work/f.out" 2>&1 ||
	   ! grep -q '^floor: load [0-9.]* s, evaluate [0-9.]* s, write [0-9.]* s, total [0-9.]* s, peak memory [0-9]* MiB$' "$work/f.out"; then
		bad "floor on $1 as of $2"; cat "$work/f.out"; return
	fi
	if python3 "$work/same.py" "$work/f.db" "$work/h.db" > "$work/same.out"; then
		ok
	else
		bad "floor decides otherwise than huimin on $1 as of $2:"; cat "$work/same.out"
	fi
}
agree city 2024-08-01
agree spoilt 2024-08-01
agree spoilt 2025-01-15

# the comparison can fail: floor as of another date than huimin's run
"$floor" "$work/spoilt" 2024-06-30 "$work/f.db" > /dev/null 2>&1
python3 "$work/same.py" "$work/f.db" "$work/h.db" > "$work/same.out"
if grep -q '^differs: ' "$work/same.out"; then ok
else bad "decisions as of 2024-06-30 agree with huimin's as of 2025-01-15"; fi

refused() {     # WHAT STATUS MESSAGE -- floor ARGS...
	what=$1 want=$2 msg=$3
	shift 3
	rm -f "$work/r.db" "$work/r.db.tmp"
	"$floor" "$@" > "$work/r.out" 2> "$work/r.err"
	st=$?
	if [ $st -ne "$want" ]; then bad "$what: exit $st, not $want"; cat "$work/r.err"
	elif ! grep -qF -- "$msg" "$work/r.err"; then bad "$what: no \"$msg\" in:"; cat "$work/r.err"
	elif [ -s "$work/r.out" ] || [ -e "$work/r.db" ] || [ -e "$work/r.db.tmp" ]; then bad "$what: output left"
	else ok; fi
}
sqlite3_drop() {    # DB SQL
	python3 -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute(sys.argv[2]); d.commit()' "$@"
}
cp -r "$work/city" "$work/broken"
sqlite3_drop "$work/broken/tax.db" "DROP TABLE deduction"
refused "a missing table" 1 "floor: $work/broken/tax.db: no such table: deduction" "$work/broken" 2024-08-01 "$work/r.db"
rm "$work/broken/tax.db"
refused "a missing database" 1 "floor: $work/broken/tax.db: cannot read it" "$work/broken" 2024-08-01 "$work/r.db"
echo "not a database" > "$work/broken/housing.db"
cp "$work/city/tax.db" "$work/broken/"
refused "a file that is not a database" 1 "housing.db: file is not a database" "$work/broken" 2024-08-01 "$work/r.db"
refused "a bad as-of date" 2 'the as-of date "2024-02-30" is not a date' "$work/city" 2024-02-30 "$work/r.db"
refused "bad usage" 2 "usage: floor CITY_DIR AS_OF OUT_DB" "$work/city" 2024-08-01

finish
