#!/bin/sh
# run-planted.sh -- the example city of 10,000 households (seed 1) and its
# payment roll: an independent SQL audit (reference.sql) over the results
# of a run and enrolment.db gives the expected counts (golden, which
# `huimin audit` must give too), the deceased persons still paid are
# exactly those the generator planted (planted.json), as are the 高龄津贴
# of the living never enrolled; and planted.json is as reproducible as the
# databases (the city drawn is pinned by reference.expected: planted.json
# draws nothing).
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# expected file.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/audit"
command -v python3 > /dev/null || { echo "SKIP: no python3 for examples/city/generate"; exit 77; }
command -v sqlite3 > /dev/null || { echo "SKIP: no sqlite3"; exit 77; }

city="$work/city"
python3 "$SRCDIR/examples/city/generate" --households 10000 --seed 1 --as-of 2024-08-01 --out "$city" -q \
	> /dev/null 2> "$work/err" || { bad "generate: $(cat "$work/err")"; finish; exit 1; }
"$HUIMIN" run "$SRCDIR/examples/policies" --config "$city/sources.conf" --out "$work/r.db" --no-progress \
	--reasons --store all > /dev/null 2> "$work/err"
st=$?
[ $st -eq 0 ] && ok || bad "run: exit $st: $(cat "$work/err")"

(cd "$city" && sqlite3 "$work/r.db" "ATTACH 'enrolment.db' AS roll; ATTACH 'registry.db' AS reg" \
	".read $here/reference.sql") > "$work/reference.txt" 2> "$work/err"
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/reference.txt" "$here/reference.expected"
	ok
elif [ -s "$work/reference.txt" ] && diff -u "$here/reference.expected" "$work/reference.txt"; then ok
else bad "reference.sql: results differ from tests/audit/reference.expected $(cat "$work/err")"; fi

# planted.json against the independent query
got=$(python3 -c '
import json, sys
planted = json.load(open(sys.argv[1]))
found = {}
for line in open(sys.argv[2], encoding="utf-8"):
    kind, policy, n = line.strip().split("|")
    found.setdefault(kind, {})[policy] = int(n)
print(planted["deceased_paid"] == found["deceased_paid"], sum(planted["deceased_paid"].values()))
print(planted["not_enrolled"]["gaoling"] == found["eligible_not_paid"]["gaoling"])
' "$city/planted.json" "$work/reference.txt" 2>&1 | tr '\n' ' ')
[ "$got" = "True 29 True " ] && ok || bad "planted.json and the reference audit differ: $got"

# planted_items.csv entity by entity against the run: no planted item is
# decided against what was planted (a household not enrolled is eligible
# or undetermined, one paid wrongly not eligible or undetermined), and the
# items decided as planted are exactly what the reference audit counts
# (the others are undetermined: their recorded data hides the truth)
(cd "$city" && sqlite3 "$work/r.db" "CREATE TEMP TABLE items (kind, policy, entity_id)" ".mode csv" \
	".import --skip 1 planted_items.csv items" ".mode list" "
	CREATE TEMP VIEW judged AS
	SELECT i.kind, i.policy, d.status,
	       CASE i.kind WHEN 'not_enrolled' THEN 'eligible' ELSE 'not_eligible' END AS planted,
	       CASE i.kind WHEN 'not_enrolled' THEN 'eligible_not_paid' WHEN 'deceased_paid' THEN 'deceased_paid'
	            ELSE 'paid_not_eligible' END AS category
	  FROM items i LEFT JOIN decisions d ON d.policy = i.policy AND CAST(d.entity_id AS TEXT) = i.entity_id;
	SELECT 'against', count(*) FROM judged WHERE status IS NULL OR status NOT IN (planted, 'undetermined');
	SELECT category, policy, count(*) FROM judged WHERE status = planted GROUP BY 1, 2 ORDER BY 1, 2") \
	> "$work/items.txt" 2> "$work/err"
{ echo "against|0"; grep -E "^($(cut -d'|' -f1 "$work/items.txt" | grep -v against | sort -u | paste -sd'|'))\|" \
	"$work/reference.txt" | while IFS='|' read -r c pol n; do
		grep -q "^$c|$pol|" "$work/items.txt" && echo "$c|$pol|$n"
	done; } > "$work/items.want"
[ -s "$work/items.txt" ] && diff -u "$work/items.want" "$work/items.txt" && ok ||
	bad "planted_items.csv against the run and the reference audit: $(cat "$work/err")"

# the payment roll is a source (enrolment, marked `roll` in sources.pol)
# served by the sqlite plugin: what the policies read of it is the table
"$HUIMIN" run "$SRCDIR"/examples/policies/*.pol "$here/roll_probe.pol" --config "$city/sources.conf" \
	--out "$work/probe.db" --no-progress --format json > "$work/probe.json" 2> "$work/err"
st=$?
got=$(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["policies"]:
    if p["policy"].startswith("roll_"):
        print(p["eligible"], p["amount"], p["period"])
' "$work/probe.json" 2>&1 | tr '\n' ';')
want=$(sqlite3 "$city/enrolment.db" "SELECT count(DISTINCT entity_id) || ' ' || printf('%d.%02d', sum(monthly_amount_fen) / 100,
	sum(monthly_amount_fen) % 100) || ' month' FROM enrolment GROUP BY length(entity_id) = 18 ORDER BY length(entity_id) = 18" | tr '\n' ';')
[ $st -eq 0 ] && [ -n "$got" ] && [ "$got" = "$want" ] && ok || bad "the roll as a source: exit $st, got $got, want $want: $(cat "$work/err")"

# the population loaded with its payment roll and regions, as audit and
# diff load it (load_open_for, batch/regions.h): households per county
# and city, named from the region table, and the roll's payments per
# policy, equal what the databases hold
roll_regions="$bindir/tests/audit/roll_regions"
"$HUIMIN" compile "$SRCDIR/examples/policies" -o "$work/pack.hmc" 2> "$work/err" &&
	"$roll_regions" "$work/pack.hmc" "$city/sources.conf" "$bindir/plugins/.libs" > "$work/regions.txt" 2> "$work/err"
st=$?
(cd "$city" && sqlite3 registry.db "ATTACH 'civil_affairs.db' AS ca; ATTACH 'enrolment.db' AS roll;
	SELECT 'county', substr(township_code, 1, 6), (SELECT name FROM ca.region WHERE region_code = substr(township_code, 1, 6)),
	       count(*) FROM household WHERE township_code IS NOT NULL GROUP BY 2 ORDER BY 2;
	SELECT 'city', substr(township_code, 1, 4) || '00',
	       ifnull((SELECT name FROM ca.region WHERE region_code = substr(township_code, 1, 4) || '00'
	               AND from_date <= '2024-08-01' ORDER BY from_date DESC LIMIT 1), '-'),
	       count(*) FROM household WHERE township_code IS NOT NULL GROUP BY 2 ORDER BY 2;
	SELECT 'region unknown', count(*) FROM household WHERE township_code IS NULL;
	SELECT 'region bad', 0;
	SELECT 'roll', policy, count(*), sum(monthly_amount_fen), 'month' FROM roll.enrolment
	 WHERE entity_id IN (SELECT hh_id FROM household UNION ALL SELECT person_id FROM person) GROUP BY policy ORDER BY policy" |
	tr '|' ' ') > "$work/regions.want"
[ $st -eq 0 ] && [ -s "$work/regions.want" ] && diff -u "$work/regions.want" "$work/regions.txt" && ok ||
	bad "roll and regions as loaded (exit $st) differ from the databases: $(cat "$work/err")"

# the same arguments, the same city and the same planted.json
python3 "$SRCDIR/examples/city/generate" --households 200 --seed 5 --as-of 2024-08-01 --out "$work/a" -q \
	> /dev/null 2>&1 && python3 "$SRCDIR/examples/city/generate" --households 200 --seed 5 --as-of 2024-08-01 \
	--out "$work/b" -q > /dev/null 2>&1 &&
	for f in registry civil_affairs enrolment planted.json planted_items.csv; do
		case $f in *.json | *.csv) n=$f ;; *) n=$f.db ;; esac
		cmp -s "$work/a/$n" "$work/b/$n" || echo "$n"
	done > "$work/differ" && [ ! -s "$work/differ" ] && ok || bad "generate is not deterministic: $(cat "$work/differ")"
finish
