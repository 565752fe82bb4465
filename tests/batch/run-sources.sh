#!/bin/sh
# run-sources.sh -- what the table plugins (sqlite, csv) refuse before or
# while reading, and what they keep as data issues: a table or column the
# settings name that the source does not have, malformed CSV rows and
# headers, a write to the database while it is read (one snapshot for the
# whole load).  Each case checks the exit status and the message, and that
# a refused run writes no results.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

city() {    # city DIR: the small city, its CSV files and a configuration for them
	small_city "$1"
	cp -r "$here/civil-csv" "$1/civil-csv"
	sed '/^\[source civil\]/,$ { s/^plugin = sqlite/plugin = csv/; s/^database = civil.db/directory = civil-csv/; }' \
		"$1/small.conf" > "$1/csv.conf"
}

# expect NAME STATUS PHRASE CONF -- ARGS...: a run in $work/c with
# configuration CONF and ARGS; its status, that stderr has PHRASE, and
# that a refused run (status 2) left no results database
expect() {
	name=$1 want=$2 phrase=$3 conf=$4
	shift 5
	rm -f "$work/c/e.db"
	(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config "$conf" --out e.db \
		--no-progress "$@") > "$work/out" 2> "$work/err"
	st=$?
	if [ $st -ne "$want" ]; then
		bad "$name: exit $st, expected $want: $(cat "$work/err")"
	elif ! grep -qF -- "$phrase" "$work/err"; then
		bad "$name: no \"$phrase\" in: $(cat "$work/err")"
	elif [ "$want" = 2 ] && [ -e "$work/c/e.db" ]; then
		bad "$name: refused, but wrote e.db"
	else
		ok
	fi
}

# ---- a table or column the source does not have ---------------------------
# (SQLite would read an unknown "column" as the string 'column', and a
# misspelt key column would make every value of its table missing)
city "$work/c"
expect "sqlite: misspelt column" 2 \
	"small.conf:6: source registry (plugin sqlite): setting household.region (--set): table household has no column \`regoin_code\` (did you mean \`region_code\`?)" \
	small.conf -- --set 'source.registry.household.region=household.regoin_code text'
expect "sqlite: misspelt key column" 2 \
	"source civil (plugin sqlite): setting key.income (--set): table income has no column \`persn_id\` (did you mean \`person_id\`?)" \
	small.conf -- --set 'source.civil.key.income=persn_id'
expect "sqlite: column far from any" 2 \
	"setting person.deceased (--set): table person has no column \`xyz\` (it has: person_id, hh_id, birth_date, deceased, marital_code, updated_on)" \
	small.conf -- --set 'source.registry.person.deceased=person.xyz bool'
expect "sqlite: column names ignore case, as in SQL" 0 "results in e.db" \
	small.conf -- --set 'source.civil.key.income=Person_ID'
sed 's/^key.contribution = person_id/key.contribution = persn_id/' "$work/c/small.conf" > "$work/c/typo.conf"
expect "sqlite: misspelt column in the file" 2 \
	"setting key.contribution (line 26): table contribution has no column \`persn_id\` (did you mean \`person_id\`?)" \
	typo.conf --
expect "sqlite: no such table" 2 "setting date.contributions (--set): there is no table \`contributions\`" \
	small.conf -- --set 'source.civil.date.contributions=month'
expect "csv: misspelt column" 2 \
	"source civil (plugin csv): setting key.income (--set): table income has no column \`persn_id\` (did you mean \`person_id\`?)" \
	csv.conf -- --set 'source.civil.key.income=persn_id'
expect "csv: no such file" 2 "setting household.assets (--set): there is no table \`hhh\`" \
	csv.conf -- --set 'source.civil.household.assets=hhh.assets_fen money' --set source.civil.key.hhh=hh_id

# ---- malformed CSV rows: refused as COPY refuses them, or data issues -------
good_income=$(cat "$here/civil-csv/income.csv")
printf 'person_id,amount_fen,marital\nP1,50000,1\nP2,60000\n' > "$work/c/civil-csv/income.csv"
expect "csv: short row" 2 \
	"civil-csv/income.csv:3: missing data for column \`marital\` (the row has 2 fields, the header 3)" csv.conf --
printf 'person_id,amount_fen,marital\nP1,50000,1\nP2,60000,3,9\n' > "$work/c/civil-csv/income.csv"
expect "csv: extra field" 2 \
	"civil-csv/income.csv:3: extra data after the last column (field 4; the header has 3 columns)" csv.conf --
printf 'person_id,amount_fen,amount_fen,marital\nP1,50000,1,1\n' > "$work/c/civil-csv/income.csv"
expect "csv: a column named twice" 2 \
	"civil-csv/income.csv:1: column \`amount_fen\` is named twice in the header (columns 2 and 3)" csv.conf --
printf '%s\n' "$good_income" > "$work/c/civil-csv/income.csv"
printf 'hh_id,assets_fen\nH1\nH2,9000000\nH3,0\n' > "$work/c/civil-csv/hh.csv"
expect "csv: on_bad_row = refuse" 2 "civil-csv/hh.csv:2: missing data for column \`assets_fen\`" \
	csv.conf -- --set source.civil.on_bad_row=refuse
expect "csv: on_bad_row = nonsense" 2 "on_bad_row = skip: expected \`refuse\` (the default) or \`issue\`" \
	csv.conf -- --set source.civil.on_bad_row=skip
expect "csv: on_bad_row = issue" 0 "results in e.db" csv.conf -- --set source.civil.on_bad_row=issue
got=$(sqlite3 "$work/c/e.db" "SELECT entity_id, field, issue, detail FROM data_issues WHERE source = 'civil'
	AND entity_id = 'H1'" 2>&1)
[ "$got" = "H1|household.assets|bad_value|./civil-csv/hh.csv:2: missing data for column \`assets_fen\` (the row has 1 field, the header 2)" ] \
	&& ok || bad "csv: on_bad_row = issue: data issue $got"
got=$(sqlite3 "$work/c/e.db" "SELECT status FROM decisions WHERE policy = 'allowance' AND entity_id = 'H1'" 2>&1)
[ "$got" = undetermined ] && ok || bad "csv: on_bad_row = issue: H1's allowance is $got, not undetermined"
cp "$here/civil-csv/hh.csv" "$work/c/civil-csv/hh.csv"

# ---- text that is not UTF-8 is unusable, whichever plugin gave it ----------
# (it made explain's JSON drop keys and `needs --format json` fail)
sed '/^\[source civil\]/,$d' "$work/c/small.conf" > "$work/c/text.conf"
sqlite3 "$work/c/registry.db" "UPDATE household SET region_code = X'C328' WHERE hh_id = 'H1';
	UPDATE household SET region_code = '3301' || X'00' || '00' WHERE hh_id = 'H2';
	UPDATE person SET marital_code = '一二三四五六七八九十一二三四' WHERE person_id = 'P5'"
rm -f "$work/c/t.db"
(cd "$work/c" && "$HUIMIN" run "$here/text.pol" --config text.conf --out t.db --no-progress --store all) > /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/c/t.db" "SELECT entity_id, status FROM decisions ORDER BY 1; SELECT source, entity_id, field, issue,
	detail FROM data_issues ORDER BY 2" 2>&1)
want="H1|undetermined
H2|undetermined
H3|not_eligible
H4|undetermined
registry|H1|household.region|bad_value|household.region: text is not valid UTF-8 at byte 1 of 2
registry|H2|household.region|bad_value|household.region: text holds a NUL byte at byte 5 of 7"
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "text not UTF-8: exit $st: $got $(cat "$work/err")"
# a code: the same; and a detail cut at its limit keeps whole characters
printf 'person_id,amount_fen,marital\nP1,50000,\377\nP2,60000,3\nP3,200000,2\nP4,0,4\nP5,0,1\nP6,0,1\n' \
	> "$work/c/civil-csv/income.csv"
expect "csv: code not UTF-8" 0 "results in e.db" csv.conf --
got=$(sqlite3 "$work/c/e.db" "SELECT entity_id, issue, detail FROM data_issues WHERE field = 'person.marital'
	AND entity_id IN ('P1', 'P5') ORDER BY 1" 2>&1)
want="P1|bad_value|person.marital: text is not valid UTF-8 at byte 1 of 1
P5|unknown_code|unknown code \"一二三四五六七八九十一二三\" for person.marital (code set marital)"
[ "$got" = "$want" ] && ok || bad "csv: code not UTF-8: $got"
cp "$here/civil-csv/income.csv" "$work/c/civil-csv/income.csv"
rm "$work/c/registry.db"
sqlite3 "$work/c/registry.db" < "$here/city.sql"

# ---- a value as of a date after the run's is not fresh --------------------
# P1 (born 1940) has person.deceased fresh within 31 days, as of a day
# after the run's as-of date: not known to hold on that date
sqlite3 "$work/c/registry.db" "UPDATE person SET updated_on = '2024-08-02' WHERE person_id = 'P1'"
expect "future as-of" 0 "results in e.db" small.conf --
got=$(sqlite3 "$work/c/e.db" "SELECT status FROM decisions WHERE policy = 'elder' AND entity_id = 'P1';
	SELECT source, field, issue, detail FROM data_issues WHERE entity_id = 'P1' AND field = 'person.deceased'" 2>&1)
want="undetermined
registry|person.deceased|bad_value|person.deceased: as of 2024-08-02, after the run's as-of date 2024-08-01"
[ "$got" = "$want" ] && ok || bad "future as-of: $got"
expect "as-of on the run's date" 0 "results in e.db" small.conf -- --as-of 2024-08-02
got=$(sqlite3 "$work/c/e.db" "SELECT status FROM decisions WHERE policy = 'elder' AND entity_id = 'P1'" 2>&1)
[ "$got" = eligible ] && ok || bad "as-of on the run's date: elder for P1 is $got"
sqlite3 "$work/c/registry.db" "UPDATE person SET updated_on = '2024-07-20' WHERE person_id = 'P1'"

# ---- an extern function's error is said as such ----------------------------
xplug="$bindir/tests/batch/.libs/extern_plugin.so"
{ cat "$work/c/small.conf"; printf '\n[source ext]\nplugin = %s\n' "$xplug"; } > "$work/c/ext.conf"
rm -f "$work/c/x.db"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" "$here/extern_error.pol" --config ext.conf --out x.db \
	--no-progress --reasons) > /dev/null 2> "$work/err"
st=$?
got=$(sqlite3 "$work/c/x.db" "SELECT DISTINCT status, reason FROM decisions WHERE policy = 'ext_error'" 2>&1)
want="undetermined|extern function 户籍年限 (source ext, plugin $xplug) returned an error, which left it undetermined"
[ $st -eq 0 ] && [ "$got" = "$want" ] && ok || bad "extern error: exit $st: $got $(cat "$work/err")"
(cd "$work/c" && "$HUIMIN" explain "$here/small.pol" "$here/extern_error.pol" --config ext.conf --household H1 \
	--policy ext_error) > "$work/out" 2>&1
grep -qF "undetermined: extern function 户籍年限 (source ext) returned an error in ext_error" "$work/out" && ok \
	|| bad "extern error in explain: $(cat "$work/out")"

# ---- configuration lines of any length -------------------------------------
long=$(printf './%.0s' $(seq 150))
{ printf '; %s\n' "$(printf 'a long comment %.0s' $(seq 30))"
  sed "s|^database = registry.db|database = ${long}registry.db   ; inline comment|" "$work/c/small.conf"; } > "$work/c/long.conf"
expect "a 300-byte line" 0 "results in e.db" long.conf -- --store all
got=$(sqlite3 "$work/c/e.db" "SELECT count(*) FROM decisions" 2>&1)
[ "$got" = 22 ] && ok || bad "a 300-byte line: $got decisions"
# a long continuation line (indented: the value of the key above, as inih reads a short one)
sed "s|^database = registry.db|database = nothing.db\n    ${long}registry.db|" "$work/c/small.conf" > "$work/c/cont.conf"
expect "a 300-byte continuation line" 0 "results in e.db" cont.conf --
{ cat "$work/c/small.conf"; printf '%s = 1\n' "$(printf 'k%.0s' $(seq 300))"; } > "$work/c/longkey.conf"
expect "a 300-byte key" 2 "longkey.conf:32: a key of more than 196 bytes: use a shorter key" longkey.conf --

# ---- one snapshot: a write between two table reads is not seen -------------
# A household and its person are written together while the population is
# read (after the household table, before the person table): a load in one
# snapshot sees neither; one reading each table on its own would see the
# person without its household.  In WAL mode the writer does not wait.
shim=${HM_TEST_SHIM:-$bindir/tests/batch/.libs/snapshot_shim.so}
sqlite3 "$work/c/registry.db" "PRAGMA journal_mode = WAL" > /dev/null
rm -f "$work/c/s.db"
(cd "$work/c" && HM_TEST_WRITER="sqlite3 registry.db \"BEGIN; INSERT INTO household VALUES ('H9', '330100');
	INSERT INTO person VALUES ('P9', 'H9', '1940-01-01', 0, '20', '2024-07-20'); COMMIT\"" \
	LD_PRELOAD="$shim" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	"$HUIMIN" run "$here/small.pol" --config small.conf --out s.db --no-progress) > /dev/null 2> "$work/err"
st=$?
written=$(sqlite3 "$work/c/registry.db" "SELECT count(*) FROM person WHERE person_id = 'P9'")
got=$(sqlite3 "$work/c/s.db" "SELECT households || ' ' || persons FROM runs" 2>&1)
if [ $st -eq 0 ] && [ "$written" = 1 ] && [ "$got" = "4 6" ] && ! grep -q "not listed" "$work/err"; then ok
else bad "snapshot: exit $st, writer wrote $written, run saw $got: $(cat "$work/err")"; fi

finish
