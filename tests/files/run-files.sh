#!/bin/sh
# run-files.sh -- the files huimin writes and what it prints about people:
# the results database is created 0600 and refused when --out names a file
# that is not one (checked, and locked, before the load); runs.started is
# when the run started; ID numbers are masked on stderr; a total amount
# beyond the range of money is an error in the run and in report; report
# recovers a database whose run was killed while writing; compile writes
# its module through a new temporary file, never through a planted symlink.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/files"
batch="$SRCDIR/tests/batch"

city() {    # city DIR: the small city of tests/batch, with big.pol's configuration
	small_city "$1"
	cp "$here/files.conf" "$1/"
}
run() {     # run DIR OUT [ARGS...]: small.pol over the city in DIR
	dir=$1 out=$2
	shift 2
	(cd "$dir" && "$HUIMIN" run "$batch/small.pol" --config small.conf --out "$out" --no-progress "$@")
}
mode() { stat -c %a "$1"; }

# ---- the results database is 0600, whatever the umask ----------------------
city "$work/c"
for u in 022 000 077; do
	rm -f "$work/c/r.db"
	(umask $u && run "$work/c" r.db > /dev/null 2> "$work/err")
	st=$?
	[ $st -eq 0 ] && [ "$(mode "$work/c/r.db")" = 600 ] && ok \
		|| bad "umask $u: exit $st, results database mode $(mode "$work/c/r.db" 2>&1): $(cat "$work/err")"
done
# a later run keeps it so
run "$work/c" r.db > /dev/null 2>&1
[ "$(mode "$work/c/r.db")" = 600 ] && ok || bad "second run: mode $(mode "$work/c/r.db")"

# ---- --out on a file that is not a results database: refused, untouched ----
# (before the load: the configuration below names a database that does not
# exist, and the refusal is about --out all the same)
refused() {  # refused FILE MESSAGE
	sum=$(sha256sum "$work/c/$1" | cut -c1-64)
	run "$work/c" "$1" --set source.civil.database=nowhere.db > /dev/null 2> "$work/err"
	st=$?
	if [ $st -eq 2 ] && grep -qF "$2" "$work/err" && ! grep -q nowhere "$work/err" &&
		[ "$(sha256sum "$work/c/$1" | cut -c1-64)" = "$sum" ]; then ok
	else bad "--out $1: exit $st, $(cat "$work/err")"; fi
}
refused registry.db "huimin: registry.db: not a huimin results database (it has other tables: household, person); give --out a new file or a results database of an earlier run"
refused small.conf "huimin: small.conf: not a huimin results database (not an SQLite database)"
sqlite3 "$work/c/half.db" "CREATE TABLE runs(x); CREATE TABLE decision_rows(y)"
refused half.db "huimin: half.db: not a huimin results database (it has 2 of the 4 tables of one)"
mkdir "$work/c/dir.db"
run "$work/c" dir.db > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "huimin: dir.db: is a directory, not a results database" "$work/err" && ok \
	|| bad "--out a directory: exit $st, $(cat "$work/err")"
# an empty file is a new database
: > "$work/c/empty.db"
run "$work/c" empty.db > /dev/null 2> "$work/err" && [ "$(sqlite3 "$work/c/empty.db" "SELECT count(*) FROM runs")" = 1 ] \
	&& ok || bad "--out an empty file: $(cat "$work/err")"
# a run that fails leaves no file it created
run "$work/c" new.db --set source.civil.database=nowhere.db > /dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$work/c/new.db" ] && ok || bad "a failed run left new.db behind"

# ---- a second run to the same database is refused at once -----------------
# (sqlite3 holds the write lock for 4 s, as a run does from its start)
sqlite3 "$work/c/r.db" "BEGIN IMMEDIATE" ".shell sleep 4" "COMMIT" &
holder=$!
sleep 0.5
t0=$(date +%s)
run "$work/c" r.db > /dev/null 2> "$work/err"
st=$?
t1=$(date +%s)
wait $holder
if [ $st -eq 2 ] && [ $((t1 - t0)) -le 3 ] &&
	grep -qF "huimin: r.db: another run is writing to this results database (database is locked)" "$work/err"
then ok; else bad "locked results: exit $st after $((t1 - t0)) s: $(cat "$work/err")"; fi

# ---- runs.started: when the run started, not when writing began ------------
# (the configuration comes through a pipe, 3 s after the run starts)
rm -f "$work/c/s.db"
mkfifo "$work/c/slow.conf"
(sleep 3; cat "$work/c/small.conf" > "$work/c/slow.conf") &
t0=$(date +%s)
(cd "$work/c" && "$HUIMIN" run "$batch/small.pol" --config slow.conf --out s.db --no-progress) > /dev/null 2>&1
wait
late=$(sqlite3 "$work/c/s.db" "SELECT strftime('%s', started) - $t0 FROM runs" 2>&1)
[ "$late" -le 1 ] 2>/dev/null && ok || bad "runs.started is $late s after the run started"

# ---- ID numbers are masked on stderr ----------------------------------------
# P6 (deceased 7: a data issue) gets an 18-character ID, P5's unknown
# marital code becomes a 15-digit number, H4 (assets "abc") is H0012345
sqlite3 "$work/c/registry.db" "UPDATE person SET person_id = '330102199001010013' WHERE person_id = 'P6';
	UPDATE person SET marital_code = '330102900101001' WHERE person_id = 'P5';
	UPDATE household SET hh_id = 'H0012345' WHERE hh_id = 'H4';
	UPDATE person SET hh_id = 'H0012345' WHERE hh_id = 'H4'"
sqlite3 "$work/c/civil.db" "UPDATE income SET person_id = '330102199001010013' WHERE person_id = 'P6';
	UPDATE contribution SET person_id = '330102199001010013' WHERE person_id = 'P6';
	UPDATE hh SET hh_id = 'H0012345' WHERE hh_id = 'H4'"
rm -f "$work/c/m.db"
run "$work/c" m.db > /dev/null 2> "$work/err"
st=$?
if [ $st -eq 0 ] && grep -qF "registry person 330102********0013: person.deceased: 7 is not a yes/no value" "$work/err" &&
	grep -qF 'registry person **: unknown code "33010*******001" for person.marital' "$work/err" &&
	grep -qF 'civil household H0****45: hh.assets_fen: "abc" is not a whole number of fen' "$work/err" &&
	! grep -q "330102199001010013\|330102900101001" "$work/err" &&
	[ "$(sqlite3 "$work/c/m.db" "SELECT count(*) FROM data_issues WHERE entity_id = '330102199001010013'")" = 2 ]
then ok; else bad "masked IDs: exit $st: $(cat "$work/err")"; fi

# and in error messages (load.c's, here one not found)
(cd "$work/c" && "$HUIMIN" explain "$batch/small.pol" --config small.conf --household 330102199001019999) \
	> /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF 'huimin: no household `330102********9999` in the population' "$work/err" && ok \
	|| bad "masked ID in an error message: exit $st: $(cat "$work/err")"

# ---- a total beyond the range of money ------------------------------------
city "$work/b"
sqlite3 "$work/b/civil.db" "UPDATE hh SET assets_fen = 9223372036854775807 WHERE hh_id IN ('H1', 'H2', 'H3')"
(cd "$work/b" && "$HUIMIN" run "$here/big.pol" --config files.conf --out r.db --no-progress) > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qxF "huimin: policy big: the total amount of its eligible decisions is beyond 92233720368547758.07 (integer overflow); no run recorded" "$work/err" &&
	[ ! -s "$work/out" ] && [ ! -e "$work/b/r.db" ] && ok || bad "overflowing total: exit $st: $(cat "$work/out" "$work/err")"
# two amounts at the edge still add up
sqlite3 "$work/b/civil.db" "UPDATE hh SET assets_fen = 4611686018427387903 WHERE hh_id IN ('H1', 'H2'); UPDATE hh SET assets_fen = 0 WHERE hh_id = 'H3'"
(cd "$work/b" && "$HUIMIN" run "$here/big.pol" --config files.conf --out r.db --no-progress) > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 0 ] && grep -q "^big .* 92233720368547758.06 once  *-$" "$work/out" && ok || bad "total at the edge: exit $st: $(cat "$work/out" "$work/err")"
"$HUIMIN" report "$work/b/r.db" > "$work/out" 2> "$work/err"
grep -qF "amount 92233720368547758.06" "$work/out" && ok || bad "report at the edge: $(cat "$work/out" "$work/err")"
# a results database whose amounts overflow (written by hand): report refuses
sqlite3 "$work/b/r.db" "UPDATE decision_rows SET amount_fen = 9223372036854775807 WHERE amount_fen IS NOT NULL"
for f in text json; do
	"$HUIMIN" report "$work/b/r.db" --format $f > "$work/out" 2> "$work/err"
	st=$?
	[ $st -eq 2 ] && grep -qxF "huimin: $work/b/r.db: run 1, policy big: the total amount of its eligible decisions is beyond 92233720368547758.07 (integer overflow)" "$work/err" \
		&& ok || bad "report --format $f of an overflowing total: exit $st: $(cat "$work/out" "$work/err")"
done

# ---- compile: a planted temporary file is not followed -----------------------
mkdir "$work/m"
echo "not to be overwritten" > "$work/m/victim"
ln -s "$work/m/victim" "$work/m/pack.hmc.tmp"
(umask 022 && "$HUIMIN" compile "$batch/small.pol" -o "$work/m/pack.hmc") 2> "$work/err"
st=$?
if [ $st -eq 0 ] && [ "$(cat "$work/m/victim")" = "not to be overwritten" ] &&
	"$HUIMIN" disasm "$work/m/pack.hmc" > /dev/null 2>&1 && [ "$(mode "$work/m/pack.hmc")" = 644 ] &&
	[ "$(ls "$work/m" | tr '\n' ' ')" = "pack.hmc pack.hmc.tmp victim " ]
then ok; else bad "compile over a planted symlink: exit $st, victim now $(wc -c < "$work/m/victim") bytes, files: $(ls "$work/m" | tr "\n" " ") $(cat "$work/err")"; fi
# a missing folder: the message
"$HUIMIN" compile "$batch/small.pol" -o "$work/nowhere/pack.hmc" 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "$work/nowhere/pack.hmc: cannot write: No such file or directory" "$work/err" && ok \
	|| bad "compile into a missing folder: exit $st: $(cat "$work/err")"

# ---- report after a run killed while writing ----------------------------------
big="$work/big"
city "$big"
sqlite3 "$big/registry.db" "
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000)
	INSERT INTO household SELECT printf('X%07d', i), '330100' FROM n;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450000)
	INSERT INTO person SELECT printf('Y%07d', i), printf('X%07d', (i + 2) / 3),
		printf('19%02d-01-01', 20 + i % 80), 0, '20', '2024-07-20' FROM n;"
sqlite3 "$big/civil.db" "
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450000)
	INSERT INTO income SELECT printf('Y%07d', i), (i % 20) * 10000, '1' FROM n;"
run "$big" r.db > /dev/null 2>&1 || bad "kill test: the first run failed"
"$HUIMIN" report "$big/r.db" > "$work/before" 2>&1
(cd "$big" && exec "$HUIMIN" run "$batch/small.pol" --config small.conf --out r.db --no-progress) \
	> /dev/null 2>&1 &
pid=$!
# wait until the second run is writing (its rollback journal has pages), then kill it
i=0
while [ $i -lt 600 ] && [ ! -s "$big/r.db-journal" ] && kill -0 $pid 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
if [ -s "$big/r.db-journal" ]; then
	sleep 0.3
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	[ -s "$big/r.db-journal" ] || echo "note: the run finished writing before it was killed"
	"$HUIMIN" report "$big/r.db" > "$work/after" 2> "$work/err"
	st=$?
	[ $st -eq 0 ] && cmp -s "$work/before" "$work/after" && ok \
		|| bad "report after a killed run: exit $st: $(cat "$work/err")"
	[ "$(sqlite3 "$big/r.db" "SELECT count(*) FROM runs")" = 1 ] && ok || bad "kill test: a partial run is recorded"
else
	wait $pid
	bad "kill test: the second run never started writing (or finished before it could be killed)"
fi

# the same, deterministic: sqlite3 killed in the middle of a transaction
# whose pages it had already written to the database (a small cache spills
# them), which leaves a hot journal; a read-only connection cannot roll it
# back ("attempt to write a readonly database")
hot() {      # hot DB: DB with a hot journal
	sqlite3 "$1" "PRAGMA cache_size = 2; BEGIN; UPDATE decision_rows SET status = 3, amount_fen = 1;
		CREATE TABLE pad(x);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
		INSERT INTO pad SELECT zeroblob(1000) FROM n;" '.shell kill -9 $PPID' 2> /dev/null
}
cp "$work/c/r.db" "$work/h.db"
"$HUIMIN" report "$work/h.db" > "$work/before" 2>&1
hot "$work/h.db"
if [ -s "$work/h.db-journal" ]; then
	"$HUIMIN" report "$work/h.db" > "$work/after" 2> "$work/err"
	st=$?
	[ $st -eq 0 ] && cmp -s "$work/before" "$work/after" && [ ! -e "$work/h.db-journal" ] && ok \
		|| bad "report with a hot journal: exit $st: $(cat "$work/err")"
else
	bad "hot journal test: sqlite3 left no journal"
fi
# one who may not write the database is told how to recover it
if [ "$(id -u)" != 0 ]; then
	mkdir "$work/ro"
	cp "$work/c/r.db" "$work/ro/h.db"
	hot "$work/ro/h.db"
	chmod 0444 "$work/ro/h.db"
	chmod 0555 "$work/ro"
	"$HUIMIN" report "$work/ro/h.db" > /dev/null 2> "$work/err"
	st=$?
	chmod 0755 "$work/ro"
	[ $st -eq 2 ] && grep -qF "a run was interrupted while writing it, and its journal $work/ro/h.db-journal must be rolled back" "$work/err" \
		&& ok || bad "report of a hot journal it cannot roll back: exit $st: $(cat "$work/err")"
fi

finish
