#!/bin/sh
# run-store.sh -- what a population run stores: by default the eligible and
# undetermined decisions, the count of the not eligible ones by policy and
# reason, and the entities those decisions concern; --store all (or
# `store = all` in [run]) every decision; --keep FILE (or `keep = FILE`)
# every decision of the ids listed.  `huimin report` says the same of a
# default run and of a --store all run of the same city.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

small_city "$work/c"
cd "$work/c" || exit 99
run() { "$HUIMIN" run "$here/small.pol" --config small.conf --no-progress "$@" > /dev/null 2> err; }

# ---- the same report from either store -------------------------------------
for reasons in --reasons ""; do
	rm -f a.db d.db
	# shellcheck disable=SC2086
	run --out d.db $reasons || bad "default run $reasons: $(cat err)"
	# shellcheck disable=SC2086
	run --out a.db $reasons --store all || bad "--store all run $reasons: $(cat err)"
	for fmt in text json; do
		"$HUIMIN" report d.db --format $fmt > d.rep 2> err || bad "report of the default run: $(cat err)"
		"$HUIMIN" report a.db --format $fmt > a.rep 2> err || bad "report of the --store all run: $(cat err)"
		if [ -s d.rep ] && cmp -s d.rep a.rep; then ok
		else bad "report $fmt $reasons: the default run's differs: $(diff a.rep d.rep | head -5)"; fi
	done
	"$HUIMIN" report d.db --policy elder > d.rep 2> err
	"$HUIMIN" report a.db --policy elder > a.rep 2> err
	[ -s d.rep ] && cmp -s d.rep a.rep && ok || bad "report --policy $reasons: $(diff a.rep d.rep | head -5)"
done
# (the report of the small city has not eligible decisions to count)
grep -qE '^  not eligible +[1-9]' a.rep || bad "the small city has no not eligible decision"
# the same on the example city and its policies, whose decisions fail for
# many reasons
if python3 "$SRCDIR/examples/city/generate" --households 300 --seed 3 --as-of 2024-08-01 --out "$work/city" \
	> /dev/null 2> err; then
	for store in answers all; do
		rm -f "city-$store.db"
		"$HUIMIN" run "$SRCDIR/examples/policies" --config "$work/city/sources.conf" --out "city-$store.db" \
			--as-of 2024-08-01 --no-progress --reasons --store $store > /dev/null 2> err ||
			bad "example city, --store $store: $(cat err)"
		"$HUIMIN" report "city-$store.db" > "city-$store.rep" 2> err || bad "report: $(cat err)"
	done
	if [ "$(grep -c 'not met' city-all.rep)" -gt 10 ] && cmp -s city-answers.rep city-all.rep; then ok
	else bad "example city: the reports differ: $(diff city-all.rep city-answers.rep | head -5)"; fi
	[ "$(stat -c %s city-answers.db)" -lt "$(stat -c %s city-all.db)" ] && ok ||
		bad "example city: the default store is not smaller"
else
	bad "examples/city/generate: $(cat err)"
fi

# ---- what each stores --------------------------------------------------------
rm -f a.db d.db
run --out d.db --reasons && run --out a.db --reasons --store all || bad "runs: $(cat err)"
q() { sqlite3 "$1" "$2" 2>&1 | tr '\n' ' '; }
[ "$(q d.db "SELECT store FROM runs")" = "answers " ] && [ "$(q a.db "SELECT store FROM runs")" = "all " ] &&
	ok || bad "runs.store: $(q d.db "SELECT store FROM runs") / $(q a.db "SELECT store FROM runs")"
[ "$(q d.db "SELECT count(*) FROM decisions WHERE status = 'not_eligible'")" = "0 " ] && ok ||
	bad "the default run stored not eligible decisions"
answers="SELECT entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period, reason,
	message, missing FROM decisions WHERE status <> 'not_eligible' ORDER BY 2, 4"
[ -n "$(q a.db "$answers")" ] && [ "$(q d.db "$answers")" = "$(q a.db "$answers")" ] && ok ||
	bad "the eligible and undetermined decisions differ"
# the counts are those of every not eligible decision, by policy and reason
counts="SELECT p.name, ifnull(r.text, '-'), n.count FROM run_not_eligible n
	JOIN run_policies p USING (run_id, policy) LEFT JOIN run_reasons r USING (run_id, reason) ORDER BY 1, 2"
rows="SELECT policy, ifnull(reason, '-'), count(*) FROM decisions WHERE status = 'not_eligible'
	GROUP BY 1, 2 ORDER BY 1, 2"
[ -n "$(q a.db "$rows")" ] && [ "$(q d.db "$counts")" = "$(q a.db "$rows")" ] && ok ||
	bad "run_not_eligible: \"$(q d.db "$counts")\", the decisions: \"$(q a.db "$rows")\""
# only entities with a stored decision (or a data issue, or a stored
# member: a person's household); every person with its household
unused="SELECT count(*) FROM run_entities e WHERE NOT EXISTS (SELECT 1 FROM decision_rows d WHERE d.entity = e.entity)
	AND NOT EXISTS (SELECT 1 FROM run_entities m JOIN decision_rows d ON d.entity = m.entity
	                WHERE m.household = e.entity)
	AND NOT EXISTS (SELECT 1 FROM data_issues i WHERE i.entity_kind = e.kind AND i.entity_id = e.id)"
[ "$(q d.db "$unused")" = "0 " ] && ok || bad "entities without a decision stored: $(q d.db "$unused")"
# a policy most persons are not eligible for: their rows, and those of
# their households when no member is stored, are left out
printf 'module tests.store\nsource registry "公安户籍" {\n  person.birth_date : date\n}\npolicy old "高龄" for person {\n  eligible when age(person.birth_date) >= 80 "年满 80 周岁"\n}\n' \
	> old.pol
sed '/^\[source civil\]/,$d' small.conf > registry.conf
rm -f o.db
"$HUIMIN" run old.pol --config registry.conf --out o.db --no-progress > /dev/null 2> err || bad "old.pol: $(cat err)"
got=$(q o.db "SELECT e.kind || ':' || e.id || ':' || ifnull(h.id, '-') FROM run_entities e
	LEFT JOIN run_entities h ON h.entity = e.household ORDER BY e.entity")
want=$(q o.db "SELECT DISTINCT 'household:' || household_id || ':-' FROM decisions ORDER BY 1;
	SELECT 'person:' || entity_id || ':' || household_id FROM decisions ORDER BY 1")
[ "$got" = "$want" ] && [ "$(q o.db "SELECT count(*) < 10 FROM run_entities")" = "1 " ] && ok ||
	bad "entities stored: \"$got\", the decisions': \"$want\""
[ "$(q d.db "SELECT count(*) FROM run_entities WHERE kind = 'person' AND household IS NULL")" = "0 " ] && ok ||
	bad "a person without its household"
issues="SELECT count(*) FROM data_issues i WHERE NOT EXISTS (SELECT 1 FROM run_entities e
	WHERE e.kind = i.entity_kind AND e.id = i.entity_id)"
[ "$(q d.db "$issues")" = "0 " ] && ok || bad "an entity a data issue names is not stored"
[ "$(stat -c %a d.db)" = 600 ] && ok || bad "mode of d.db: $(stat -c %a d.db)"

# ---- --keep: every decision of the ids listed ------------------------------------
# P3 and H2 have not eligible decisions (small.expected); Z9 is no one
printf '# audited\n\n  P3  \nH2\r\nZ9\n' > keep.txt
rm -f k.db
run --out k.db --reasons --keep keep.txt || bad "--keep: $(cat err)"
kept="SELECT entity_id, policy, status, reason FROM decisions WHERE entity_id IN ('P3', 'H2') ORDER BY 1, 2"
[ -n "$(q a.db "$kept")" ] && [ "$(q k.db "$kept")" = "$(q a.db "$kept")" ] && ok ||
	bad "--keep: \"$(q k.db "$kept")\", every decision: \"$(q a.db "$kept")\""
[ "$(q k.db "SELECT count(*) FROM decisions WHERE status = 'not_eligible' AND entity_id NOT IN ('P3', 'H2')")" = "0 " ] &&
	ok || bad "--keep kept others' not eligible decisions"
"$HUIMIN" report k.db > k.rep 2> err && "$HUIMIN" report a.db > a.rep && cmp -s k.rep a.rep && ok ||
	bad "report of a run with --keep: $(diff a.rep k.rep | head -5) $(cat err)"
# in the configuration, relative to its folder
mkdir -p sub
printf 'P3\n' > sub/keep.txt
sed 's|^population = registry|population = registry\nkeep = keep.txt|; s|= registry.db|= ../registry.db|; s|= civil.db|= ../civil.db|' \
	small.conf > sub/keep.conf
rm -f k2.db
"$HUIMIN" run "$here/small.pol" --config sub/keep.conf --out k2.db --no-progress > /dev/null 2> err ||
	bad "keep = in [run]: $(cat err)"
[ "$(q k2.db "SELECT group_concat(DISTINCT entity_id) FROM decisions WHERE status = 'not_eligible'")" = "P3 " ] &&
	ok || bad "keep = in [run]: $(q k2.db "SELECT entity_id, policy FROM decisions WHERE status = 'not_eligible'") $(cat err)"
# a file that cannot be read: refused before anything is written
rm -f n.db
"$HUIMIN" run "$here/small.pol" --config small.conf --out n.db --no-progress --keep nosuch.txt > out 2> err
st=$?
[ $st -eq 2 ] && [ "$(cat err)" = "huimin: nosuch.txt: cannot read the ids to keep: No such file or directory" ] &&
	[ ! -e n.db ] && [ ! -s out ] && ok || bad "--keep nosuch.txt: exit $st: $(cat err)"

# ---- store = all in [run]; bad values --------------------------------------------
sed 's|^population = registry|population = registry\nstore = all|' small.conf > all.conf
rm -f c.db
"$HUIMIN" run "$here/small.pol" --config all.conf --out c.db --no-progress > /dev/null 2> err || bad "store = all: $(cat err)"
[ "$(q c.db "SELECT store, (SELECT count(*) FROM decisions) FROM runs")" = "all|22 " ] && ok ||
	bad "store = all in [run]: $(q c.db "SELECT store, (SELECT count(*) FROM decisions) FROM runs")"
# --store answers overrides the file's
rm -f c.db
"$HUIMIN" run "$here/small.pol" --config all.conf --out c.db --no-progress --store answers > /dev/null 2> err
[ "$(q c.db "SELECT store FROM runs")" = "answers " ] && ok || bad "--store answers over store = all: $(cat err)"
sed 's|^population = registry|population = registry\nstore = some|' small.conf > badstore.conf
"$HUIMIN" run "$here/small.pol" --config badstore.conf --out n.db --no-progress > out 2> err
st=$?
[ $st -eq 2 ] && [ "$(cat err)" = "huimin: badstore.conf:4: store = some: expected \`answers\` (the default) or \`all\`" ] &&
	[ ! -e n.db ] && ok || bad "store = some: exit $st: $(cat err)"
"$HUIMIN" run "$here/small.pol" --config small.conf --out n.db --store every > out 2> err
st=$?
[ $st -eq 2 ] && grep -qxF "huimin: run: --store every: expected \`answers\` (the default) or \`all\`" err &&
	[ ! -e n.db ] && ok || bad "--store every: exit $st: $(cat err)"
"$HUIMIN" run "$here/small.pol" --given /dev/null --store all > out 2> err
st=$?
[ $st -eq 2 ] && grep -qxF "huimin: run: --store goes with --config (population runs)" err && ok ||
	bad "--store with --given: exit $st: $(cat err)"

# ---- an older database: run_entities.id takes integers as they are; migrated to schema 6 ----
sqlite3 old.db < "$here/results-v1.sql"
run --out old.db || bad "run into a schema 0 database: $(cat err)"
[ "$(q old.db "PRAGMA user_version; SELECT type FROM pragma_table_info('run_entities') WHERE name = 'id';
	SELECT count(*) FROM run_entities WHERE run_id = 1; SELECT count(*) FROM run_not_eligible")" = "6  10 4 " ] && ok ||
	bad "migrated: $(q old.db "PRAGMA user_version; SELECT type FROM pragma_table_info('run_entities') WHERE name = 'id';
	SELECT count(*) FROM run_entities WHERE run_id = 1; SELECT count(*) FROM run_not_eligible")"
# (its run 1 did not record the period of its amounts)
"$HUIMIN" report old.db --run 1 > o1.rep 2> err && cmp -s o1.rep "$here/report-v1.expected" && ok ||
	bad "report of the migrated run 1: $(diff "$here/report-v1.expected" o1.rep | head -5) $(cat err)"

# ---- not applicable: stored as the not eligible are, counted apart -------------
rm -f na.db nd.db
"$HUIMIN" run "$here/small.pol" "$here/applies.pol" --config small.conf --no-progress --out na.db --store all \
	> na.out 2> err || bad "run with a \`for person where\` policy: $(cat err)"
"$HUIMIN" run "$here/small.pol" "$here/applies.pol" --config small.conf --no-progress --out nd.db \
	> nd.out 2> err || bad "default run with a \`for person where\` policy: $(cat err)"
rows=$(q na.db "SELECT count(*) FROM decisions WHERE policy = 'older' AND status = 'not_applicable'")
counted=$(q na.db "SELECT count FROM run_not_applicable JOIN run_policies USING (run_id, policy) WHERE name = 'older'")
rows=${rows% } counted=${counted% }
[ "$rows" -gt 0 ] && [ "$rows" = "$counted" ] && ok || bad "not applicable: $rows rows, $counted counted"
[ "$(q nd.db "SELECT count(*) FROM decision_rows WHERE status = 4")" = "0 " ] &&
	[ "$(q nd.db "SELECT count FROM run_not_applicable")" = "$counted " ] && ok ||
	bad "default store: not applicable rows kept, or not counted"
head -1 na.out | grep -q 'not applicable' && grep -qE "^older +person +[0-9]+ +[0-9]+ +$counted " na.out && ok ||
	bad "run output without the not applicable column: $(cat na.out)"
"$HUIMIN" report na.db > na.rep 2> err && "$HUIMIN" report nd.db > nd.rep 2>> err &&
	grep -qE "^  not applicable +$counted\$" na.rep && cmp -s na.rep nd.rep && ok ||
	bad "report of not applicable: $(cat err) $(diff na.rep nd.rep | head -5)"
"$HUIMIN" report nd.db --format json | grep -q "\"not_applicable\": $counted" && ok || bad "report JSON: not_applicable"

# ---- two policies of one name in two modules: named with their modules --------
"$HUIMIN" run "$here/small.pol" "$here/twin.pol" --config small.conf --no-progress --out tw.db \
	> tw.out 2> err || bad "run with two policies named elder: $(cat err)"
[ "$(q tw.db "SELECT group_concat(name, ',') FROM (SELECT name FROM run_policies ORDER BY name)")" = \
	"allowance,contributor,married_bonus,tests.batch.elder,tests.batch_twin.elder " ] && grep -q '^tests.batch_twin.elder ' tw.out &&
	"$HUIMIN" report tw.db --policy tests.batch_twin.elder > tw.rep 2> err && grep -qF 'policy tests.batch_twin.elder' tw.rep &&
	ok || bad "two policies named elder: $(q tw.db "SELECT name FROM run_policies") $(cat tw.out err)"

finish
