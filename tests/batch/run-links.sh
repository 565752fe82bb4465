#!/bin/sh
# run-links.sh -- links to other persons read from plugins: a spouse and a
# household's head by id (sqlite), a child's claims naming the claiming
# parent (csv).  H1: P1 and P2 spouses, their child P3 claimed 50/50.  H2:
# P4's spouse is P1, of another household; P5's an id nobody has; P6's
# empty (missing, no issue); the head's id nobody has; P5's claim names
# P1 (not a member).  H3: P8 claimed 100% by P7.  A link to no member of
# the household is a data issue with the id masked, and the link missing.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

cp "$here/links.conf" "$work/"
sqlite3 "$work/registry.db" "CREATE TABLE household(hh_id TEXT PRIMARY KEY, head_id TEXT);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, spouse_id TEXT, wage_fen INTEGER);
INSERT INTO household VALUES ('H1', 'P1'), ('H2', '330102198001010013'), ('H3', NULL);
INSERT INTO person VALUES ('P1', 'H1', 'P2', 800000), ('P2', 'H1', 'P1', 300000), ('P3', 'H1', NULL, NULL),
  ('P4', 'H2', 'P1', 100000), ('P5', 'H2', '330102198001010013', 100000), ('P6', 'H2', '', NULL),
  ('P7', 'H3', NULL, 500000), ('P8', 'H3', NULL, NULL);"
mkdir "$work/tax"
printf 'child_id,claimant_id,share\nP3,P1,0.5\nP3,P2,0.5\nP6,P4,1\nP5,P1,1\nP8,P7,1\n' > "$work/tax/claim.csv"

(cd "$work" && "$HUIMIN" run "$here/links.pol" --config links.conf --out r.db --no-progress --store all) \
	> "$work/out" 2>&1
st=$?
[ $st -eq 0 ] && ok || bad "run: exit $st: $(cat "$work/out")"
got=$(sqlite3 "$work/r.db" "SELECT group_concat(policy || ':' || entity_id || ':' || status || ':' || ifnull(amount_fen, '-'), ' ')
	FROM (SELECT * FROM decisions ORDER BY policy, entity_id)" 2>&1)
want='子女教育:P1:eligible:100000 子女教育:P2:eligible:100000 子女教育:P3:not_eligible:- 子女教育:P4:undetermined:- 子女教育:P5:undetermined:- 子女教育:P6:undetermined:- 子女教育:P7:eligible:200000 子女教育:P8:not_eligible:- 户主工资:H1:eligible:800000 户主工资:H2:undetermined:- 户主工资:H3:undetermined:- 配偶工资:P1:eligible:300000 配偶工资:P2:not_eligible:- 配偶工资:P3:undetermined:- 配偶工资:P4:undetermined:- 配偶工资:P5:undetermined:- 配偶工资:P6:undetermined:- 配偶工资:P7:undetermined:- 配偶工资:P8:undetermined:-'
[ "$got" = "$want" ] && ok || bad "decisions: got '$got', want '$want'"
got=$(sqlite3 "$work/r.db" "SELECT group_concat(entity_id || ':' || field || ':' || detail, ' | ')
	FROM (SELECT * FROM data_issues ORDER BY entity_id, field)" 2>&1)
want='H2:household.head:household.head: no person has the id 330102********0013 | P4:person.spouse:person.spouse: ** is not a member of this household | P5:person.claims.claimant:person.claims.claimant: ** is not a member of this household | P5:person.spouse:person.spouse: no person has the id 330102********0013'
[ "$got" = "$want" ] && ok || bad "issues: got '$got', want '$want'"
# the full id never reaches the terminal
grep -q '330102198001010013' "$work/out" && bad "an id printed whole: $(cat "$work/out")" || ok

# explain names the linked member by its (masked) id
(cd "$work" && "$HUIMIN" explain "$here/links.pol" --config links.conf --household H1 --policy 配偶工资) \
	> "$work/explain" 2>&1
st=$?
[ $st -eq 0 ] && grep -q 'person.spouse) of member 1 (\*\*) = member 2 (\*\*)' "$work/explain" &&
	grep -q 'if member 2 (\*\*): eligible' "$work/explain" && ok ||
	bad "explain (exit $st): $(cat "$work/explain")"
# one household alone: the same decisions and issues as in the whole run
(cd "$work" && "$HUIMIN" explain "$here/links.pol" --config links.conf --household H2 --policy 配偶工资) \
	> "$work/explain2" 2>&1
st=$?
[ $st -eq 0 ] && ! grep -q '330102198001010013' "$work/explain2" && ok ||
	bad "explain H2 (exit $st): $(cat "$work/explain2")"

# `records of person` is refused with the form to use
sed 's/^person.spouse = person.spouse_id person$/person.spouse = person.spouse_id records of person/' \
	"$work/links.conf" > "$work/bad.conf"
(cd "$work" && "$HUIMIN" run "$here/links.pol" --config bad.conf --out b.db --no-progress) > "$work/bad" 2>&1
st=$?
[ $st -eq 2 ] && grep -q 'a link is one person' "$work/bad" && ok || bad "records of person (exit $st): $(cat "$work/bad")"

finish
