#!/bin/sh
# run-audit.sh -- `huimin audit` on the example city of 10,000 households
# (seed 1) and its payment roll (source enrolment): the text output
# (golden audit.expected), the categories equal to the independent SQL
# audit (reference.expected) and to the problems the generator planted
# whose facts still decide them (planted.json's "clean"), JSON, CSV with
# and without the byte-order mark, an HTML page, the list of findings (ids whole only in
# a file made 0600, masked on the terminal), the tables of the results
# database, the roll's own problems and the usage errors.
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# expected file.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/audit"
command -v python3 > /dev/null || { echo "SKIP: no python3 for examples/city/generate"; exit 77; }
command -v sqlite3 > /dev/null || { echo "SKIP: no sqlite3"; exit 77; }

# usage
"$HUIMIN" audit --help > "$work/help" 2>&1 && grep -q '^usage: huimin audit' "$work/help" && ok ||
	bad "audit --help: $(head -3 "$work/help")"
for args in "$SRCDIR/examples/policies" "--config x.conf" \
	"$SRCDIR/examples/policies --config x.conf --format xml" \
	"$SRCDIR/examples/policies --config x.conf --bom"; do
	# shellcheck disable=SC2086
	"$HUIMIN" audit $args > /dev/null 2> "$work/err"
	st=$?
	[ $st -eq 2 ] && [ -s "$work/err" ] && ok || bad "audit $args: exit $st (want 2): $(cat "$work/err")"
done

city="$work/city"
python3 "$SRCDIR/examples/city/generate" --households 10000 --seed 1 --as-of 2024-08-01 --out "$city" -q \
	> /dev/null 2> "$work/err" || { bad "generate: $(cat "$work/err")"; finish; exit 1; }
pack="$SRCDIR/examples/policies"

# policies without a roll: refused before anything is read
small_city "$work/small"
"$HUIMIN" audit "$SRCDIR/tests/batch/small.pol" --config "$work/small/small.conf" > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -q 'declare no payment roll' "$work/err" && ok || bad "no roll: exit $st: $(cat "$work/err")"

# the text, golden; the run and the findings in the results database
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --out "$work/a.db" --no-progress > "$work/audit.txt" 2> "$work/err"
st=$?
[ $st -eq 0 ] && ok || bad "audit: exit $st: $(cat "$work/err")"
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/audit.txt" "$here/audit.expected"
	ok
elif diff -u "$here/audit.expected" "$work/audit.txt"; then ok
else bad "audit: the text differs from tests/audit/audit.expected"; fi
got=$(sqlite3 "$work/a.db" "PRAGMA user_version; SELECT count(*) FROM audit_runs; SELECT payments FROM audit_runs;
	SELECT count(*) FROM audit_findings WHERE audit_id = 1; SELECT store FROM runs" | tr '\n' ' ')
[ "$got" = "7 1 3491 1167 answers " ] && ok || bad "results database: $got"
perm=$(stat -c %a "$work/a.db")
[ "$perm" = 600 ] && ok || bad "results database mode $perm"

# regions: each finding's township, county and city follow from the
# registry's township code; the names are the region table's; a level's
# counts add up to the total less the households without a township
(cd "$city" && sqlite3 "$work/a.db" "ATTACH 'registry.db' AS reg;
SELECT count(*) FROM audit_findings f JOIN reg.household h ON h.hh_id = f.household_id
 WHERE f.township IS NOT h.township_code OR f.county IS NOT substr(h.township_code, 1, 6)
    OR f.city IS NOT substr(h.township_code, 1, 4) || '00';
SELECT count(*) FROM audit_findings WHERE township IS NULL;
SELECT name FROM audit_regions WHERE level = 'county' AND code = '330102';
SELECT level, count(DISTINCT code) FROM audit_regions GROUP BY level ORDER BY level") > "$work/regions" 2>&1
got=$(tr '\n' ' ' < "$work/regions")
[ "$got" = "0 1 上城区 city|8 county|29 township|116 " ] && grep -q '^by county (区县):' "$work/audit.txt" && ok ||
	bad "regions: $got"

# the categories: the independent SQL audit of the same run, and the
# problems planted whose facts decide them
(cd "$city" && sqlite3 "$work/a.db" "ATTACH 'enrolment.db' AS roll; ATTACH 'registry.db' AS reg" \
	".read $here/reference.sql") > "$work/reference.txt" 2> "$work/err"
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --format json > "$work/audit.json" 2> "$work/err"
st=$?
got=$(python3 -c '
import json, sys
audit = json.load(open(sys.argv[1]))
found = {}
for row in audit["policies"]:
    found.setdefault(row["category"], {})[row["policy"]] = row["count"]
ref = {}
for line in open(sys.argv[2], encoding="utf-8"):
    kind, policy, n = line.strip().split("|")
    ref.setdefault({"deceased_paid": "paid_deceased"}.get(kind, kind), {})[policy] = int(n)
clean = json.load(open(sys.argv[3]))["clean"]
out = []
for kind in ("eligible_not_paid", "paid_not_eligible", "paid_undetermined", "paid_different_amount", "paid_deceased"):
    if found.get(kind, {}) != ref.get(kind, {}):
        out.append("%s: audit %s, reference.sql %s" % (kind, found.get(kind), ref.get(kind)))
n = 0
for kind, pols in clean.items():
    kind = {"deceased_paid": "paid_deceased"}.get(kind, kind)
    for policy, count in pols.items():
        n += 1
        if found.get(kind, {}).get(policy) != count:
            out.append("%s %s: audit %s, planted %d" % (kind, policy, found.get(kind, {}).get(policy), count))
h = audit["audit"]
if (h["payments"], h["roll_source"], h["roll_period"]) != (3491, "enrolment", "month"):
    out.append("head %s" % h)
print("; ".join(out) if out else "same %d" % n)
' "$work/audit.json" "$work/reference.txt" "$city/planted.json" 2>&1)
[ $st -eq 0 ] && [ "$got" = "same 9" ] && ok || bad "audit, reference.sql and planted.json differ: exit $st: $got"

# CSV: with the byte-order mark only when asked; amounts to the fen
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --format csv --bom > "$work/bom.csv" 2> "$work/err" &&
	[ "$(head -c 3 "$work/bom.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] &&
	grep -q '^policy,,,eligible_not_paid,dibao,,54,191361.21,2296334.52' "$work/bom.csv" && ok ||
	bad "csv --bom: $(head -c 200 "$work/bom.csv") $(cat "$work/err")"
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --format csv > "$work/plain.csv" 2> "$work/err" &&
	head -1 "$work/plain.csv" | grep -q '^level,region,region_name,category,policy,reason,count' &&
	[ "$(tail -c +4 "$work/bom.csv" | cmp - "$work/plain.csv" && echo same)" = same ] && ok ||
	bad "csv: $(head -2 "$work/plain.csv") $(cat "$work/err")"

# HTML: one page that opens offline, with its charts
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --format html > "$work/a.html" 2> "$work/err"
st=$?
[ $st -eq 0 ] && head -1 "$work/a.html" | grep -q '^<!DOCTYPE html>' && [ "$(grep -c '<svg' "$work/a.html")" = 2 ] &&
	grep -q '<h3>eligible, not paid (漏保)</h3>' "$work/a.html" &&
	python3 "$SRCDIR/tests/batch/wellformed.py" "$work/a.html" && ok || bad "html: exit $st: $(cat "$work/err")"
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --format html --list - > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--format html --list - is not refused"

# the list: whole ids in a new file of mode 0600 (never over an existing
# one), masked after the summary
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --format csv --list "$work/list.csv" > /dev/null \
	2> "$work/err"
st=$?
perm=$(stat -c %a "$work/list.csv" 2> /dev/null)
rows=$(($(wc -l < "$work/list.csv") - 1))
ids=$(grep -c '^paid_deceased,[a-z_]*,person,[0-9]\{17\}[0-9X],' "$work/list.csv")
[ $st -eq 0 ] && [ "$perm" = 600 ] && [ "$rows" = 1167 ] && [ "$ids" = 29 ] && ok ||
	bad "--list: exit $st, mode $perm, $rows rows, $ids whole ids: $(cat "$work/err")"
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --list "$work/list.csv" > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -q 'it exists' "$work/err" && ok || bad "--list over a file: exit $st: $(cat "$work/err")"
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --list - > "$work/masked.txt" 2> "$work/err"
st=$?
[ $st -eq 0 ] && grep -q '^paid_deceased gaoling person [0-9]\{6\}\*\{8\}[0-9]\{3\}[0-9X] ' "$work/masked.txt" &&
	! grep -q '[0-9]\{17\}[0-9X]' "$work/masked.txt" && ok || bad "--list -: exit $st, ids not masked"

# the roll's own problems: a policy not in the pack, a household policy
# paid to a person, a payment without its amount, another amount
cp "$city/enrolment.db" "$work/enrolment.db"
sqlite3 "$city/enrolment.db" "
INSERT INTO enrolment SELECT 'nosuch', entity_id, 1000, since FROM enrolment WHERE policy = 'gaoling' LIMIT 2;
INSERT INTO enrolment SELECT 'dibao', entity_id, 1000, since FROM enrolment WHERE policy = 'gaoling' LIMIT 1;
INSERT INTO enrolment SELECT 'tekun', entity_id, NULL, since FROM enrolment WHERE policy = 'dibao' LIMIT 1;
UPDATE enrolment SET monthly_amount_fen = monthly_amount_fen + 1 WHERE rowid IN (
  SELECT rowid FROM enrolment WHERE policy = 'canji_huli' ORDER BY entity_id LIMIT 3)" 2> "$work/err"
# shellcheck disable=SC2086
"$HUIMIN" audit $pack --config "$city/sources.conf" --no-progress --format json > "$work/issues.json" 2> "$work/err"
st=$?
got=$(python3 -c '
import json, sys
for row in json.load(open(sys.argv[1]))["categories"]:
    if row["category"].startswith("roll_") or row["category"] == "paid_different_amount":
        print(row["category"], row["count"], row["amount_per_month"])
' "$work/issues.json" 2>&1 | tr '\n' ';')
[ $st -eq 0 ] && [ "$got" = "paid_different_amount 3 0.03;roll_unknown_policy 2 20.00;roll_wrong_entity 1 10.00;roll_incomplete 1 None;" ] &&
	ok || bad "the roll's problems: exit $st: $got $(cat "$work/err")"
cp "$work/enrolment.db" "$city/enrolment.db"
finish
