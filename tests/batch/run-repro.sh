#!/bin/sh
# run-repro.sh -- a population run records what it needs to be reproduced:
#
#   packs       a run from the sources and a run of their compiled pack
#               (through the library, hm_run, which prints nothing) record
#               the same pack hash, the hash of the .hmc file, and identical
#               decisions
#   the record  the configuration file's text, the --set overrides, the
#               huimin version, each source's identity (sqlite: the file,
#               its size, mtime and the SHA-256 of its schema; csv: each
#               file's, with the SHA-256 of its header line; the same under
#               isolate = process); passwords in the configuration blanked
#   decisions   the amount's period, the reason's message with its values
#               filled in, a person's household
#   schema      a results database of an older huimin is migrated (its run
#               kept, the new columns NULL there); one of a newer schema is
#               refused, untouched
#
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"
runpack="$bindir/tests/batch/run_pack"
[ -x "$runpack" ] || { echo "FAIL: $runpack not built"; exit 1; }
pols="$here/small.pol $here/repro.pol"

small_city "$work/c"
cd "$work/c" || exit 99

# ---- the same run from the sources and from the pack ---------------------
# shellcheck disable=SC2086
"$HUIMIN" run $pols --config small.conf --out r.db --no-progress --reasons --set run.threads=2 --set run.store=all \
	> summary 2> err
st=$?
[ $st -eq 0 ] && ok || bad "run from the sources: exit $st: $(cat err)"
# shellcheck disable=SC2086
"$HUIMIN" compile $pols -o repro.hmc 2> err || bad "compile: $(cat err)"
hash="sha256:$(sha256sum repro.hmc | cut -d' ' -f1)"
# (a program linked with libhuimin finds the built-in plugins where they
# are installed: here, the build's, by path)
sq="$bindir/plugins/.libs/sqlite.so"
"$runpack" repro.hmc small.conf r.db --reasons run.threads=2 run.store=all "source.registry.plugin=$sq" \
	"source.civil.plugin=$sq" > out 2> err
st=$?
# hm_run printed nothing: the one line and the counts are run_pack's own
if [ $st -eq 0 ] && [ ! -s err ] && [ "$(head -1 out)" = "run 2 $hash" ]; then ok
else bad "run of the pack: exit $st: $(cat out err)"; fi
got=$(sqlite3 r.db "SELECT group_concat(pack_hash, ' ') FROM runs")
[ "$got" = "$hash $hash" ] && ok || bad "pack hashes: \"$got\", the file's $hash"
dec() {
	sqlite3 r.db "SELECT entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period,
		reason, message, missing FROM decisions WHERE run_id = $1 ORDER BY 2, 4"
}
dec 1 > dec1
dec 2 > dec2
if [ -s dec1 ] && cmp -s dec1 dec2; then ok
else bad "decisions of the sources and of the pack differ: $(diff dec1 dec2 | head -5)"; fi
# the summary's counts (the library's) are the command's
{ tail -n +2 out | while read -r name e n u total period errors; do
	printf '%s %s %s %s\n' "$name" "$e" "$n" "$u"; done; } > counts.lib
tail -n +2 summary | grep -v '^totals:' | awk '{ print $1, $3, $4, $5 }' > counts.cli
cmp -s counts.lib counts.cli && ok || bad "summary counts differ: $(diff counts.lib counts.cli)"
grep -q '^yearly 2 1 1 240000 2 0$' out && ok || bad "summary of yearly (total, period): $(cat out)"

# ---- what the run recorded -----------------------------------------------
got=$(sqlite3 r.db "SELECT config_text = CAST(readfile('small.conf') AS TEXT), config_sets, huimin_version
	FROM runs WHERE run_id = 1")
[ "$got" = "1|run.threads=2
run.store=all
|$("$HUIMIN" --version | cut -d' ' -f2)" ] && ok || bad "configuration and version recorded: \"$got\""
# sqlite: the whole path, size, mtime and the SHA-256 of the schema
sqlite_identity() {
	schema=$(sqlite3 "$1" "SELECT group_concat(sql, char(10)) FROM (SELECT sql FROM sqlite_schema
		WHERE sql IS NOT NULL ORDER BY type, name)")
	printf '%s size=%s mtime=%s schema-sha256=%s' "$(pwd -P)/$1" "$(stat -c %s "$1")" \
		"$(date -u -r "$1" +%Y-%m-%dT%H:%M:%SZ)" "$(printf '%s' "$schema" | sha256sum | cut -d' ' -f1)"
}
want="civil|none|$(sqlite_identity civil.db)
registry|none|$(sqlite_identity registry.db)"
got=$(sqlite3 r.db "SELECT source, isolate, identity FROM run_sources WHERE run_id = 1 ORDER BY 1")
[ "$got" = "$want" ] && ok || bad "sqlite identities: \"$got\", expected \"$want\""
got2=$(sqlite3 r.db "SELECT source, isolate, identity FROM run_sources WHERE run_id = 2 ORDER BY 1")
[ "$got2" = "$want" ] && ok || bad "sqlite identities of the pack's run: \"$got2\""
# the same identity from a plugin in its own process
# shellcheck disable=SC2086
"$HUIMIN" run $pols --config small.conf --out iso.db --no-progress \
	--set source.registry.isolate=process > /dev/null 2> err
st=$?
got=$(sqlite3 iso.db "SELECT source, isolate, identity FROM run_sources ORDER BY 1" 2>&1)
[ $st -eq 0 ] && [ "$got" = "civil|none|$(sqlite_identity civil.db)
registry|process|$(sqlite_identity registry.db)" ] && ok || bad "identity under isolate = process: exit $st: \"$got\" $(cat err)"
# csv: each file read, with the SHA-256 of its header line
cp -r "$here/civil-csv" civil-csv
sed '/^\[source civil\]/,$ { s/^plugin = sqlite/plugin = csv/; s/^database = civil.db/directory = civil-csv/; }' \
	small.conf > csv.conf
# shellcheck disable=SC2086
"$HUIMIN" run $pols --config csv.conf --out csv.db --no-progress > /dev/null 2> err
st=$?
got=$(sqlite3 csv.db "SELECT identity FROM run_sources WHERE source = 'civil'" 2>&1)
want=""
for t in hh income contribution; do
	f="$(pwd -P)/civil-csv/$t.csv"
	item="$f size=$(stat -c %s "$f") mtime=$(date -u -r "$f" +%Y-%m-%dT%H:%M:%SZ) header-sha256=$(head -1 "$f" |
		tr -d '\n' | sha256sum | cut -d' ' -f1)"
	case "$got" in *"$item"*) ;; *) want="$want $item" ;; esac
done
[ $st -eq 0 ] && [ -z "$want" ] && ok || bad "csv identity: exit $st: \"$got\" lacks$want $(cat err)"
# a password in the configuration is not recorded
sed 's/^\[source civil\]$/[source civil]\n; connection = host=db password=s3cret\n; or postgresql:\/\/u:s3cret@db\/x/' \
	small.conf > pw.conf
# shellcheck disable=SC2086
"$HUIMIN" run $pols --config pw.conf --out pw.db --no-progress > /dev/null 2> err
got=$(sqlite3 pw.db "SELECT config_text FROM runs" 2>&1)
case "$got" in
*s3cret*) bad "a password recorded: $got" ;;
*"password=******"*"u:******@db"*) ok ;;
*) bad "password line: $(cat err) $got" ;;
esac

# ---- periods, messages, households ---------------------------------------
got=$(sqlite3 r.db "SELECT DISTINCT policy || ':' || amount_period FROM decisions
	WHERE run_id = 1 AND amount_fen IS NOT NULL ORDER BY 1" | tr '\n' ' ')
[ "$got" = "allowance:month elder:once yearly:year " ] && ok || bad "amount periods: $got"
got=$(sqlite3 r.db "SELECT message FROM decisions WHERE run_id = 1 AND policy = 'yearly' AND entity_id = 'H2'")
[ "$got" = "家庭财产 90000.00 元不超过 30000 元" ] && ok || bad "filled message: \"$got\""
# run --given shows the same message
printf '{"household": {"assets": "90000.00", "members": [{}]}}\n' > h2.json
# shellcheck disable=SC2086
"$HUIMIN" run $pols --given h2.json --as-of 2024-08-01 2> /dev/null | grep -qF "$got" && ok ||
	bad "run --given does not show \"$got\""
# a long message is kept whole (H2's not eligible decision, kept by --keep)
long=$(printf '%05000d' 0 | tr 0 x)
printf 'module tests.long\npolicy long "长" for household {\n  eligible when household.assets <= 30000 "%s {household.assets}"\n}\n' \
	"$long" > long.pol
printf '# audited\nH2\n' > keep.txt
"$HUIMIN" run "$here/small.pol" long.pol --config small.conf --out long.db --no-progress --reasons --keep keep.txt \
	> /dev/null 2> err
got=$(sqlite3 long.db "SELECT length(message), substr(message, 4990) FROM decisions
	WHERE policy = 'long' AND entity_id = 'H2'" 2>&1)
[ "$got" = "5009|xxxxxxxxxxx 90000.00" ] && ok || bad "a long message: \"$got\" $(cat err)"
got=$(sqlite3 r.db "SELECT DISTINCT entity_id || ':' || household_id FROM decisions
	WHERE run_id = 1 AND entity_kind = 'person' ORDER BY 1" | tr '\n' ' ')
want=$(sqlite3 registry.db "SELECT person_id || ':' || hh_id FROM person ORDER BY 1" | tr '\n' ' ')
[ -n "$want" ] && [ "$got" = "$want" ] && ok || bad "person households: \"$got\", registry \"$want\""
[ "$(sqlite3 r.db "SELECT count(*) FROM decisions WHERE entity_kind = 'household' AND household_id IS NOT NULL")" = 0 ] &&
	ok || bad "a household decision with a household_id"

# ---- results databases of other schema versions --------------------------
sqlite3 old.db < "$here/results-v1.sql"
"$HUIMIN" run "$here/small.pol" --config small.conf --out old.db --no-progress --reasons --store all > /dev/null 2> err
st=$?
got=$(sqlite3 old.db "PRAGMA user_version; SELECT run_id || ':' || ifnull(huimin_version, 'null') FROM runs;
	SELECT count(*), count(household_id), count(amount_period) FROM decisions WHERE run_id = 1;
	SELECT count(*) FROM decisions WHERE run_id = 2 AND entity_kind = 'person' AND household_id IS NULL" 2>&1 |
	tr '\n' ' ')
[ $st -eq 0 ] && [ "$got" = "6 1:null 2:$("$HUIMIN" --version | cut -d' ' -f2) 22|0|0 0 " ] && ok ||
	bad "run into a database of schema version 0: exit $st, \"$got\": $(cat err)"
# the old run reads as before
sqlite3 old.db "SELECT entity_id, policy, status, amount_fen, reason, missing FROM decisions WHERE run_id = 1
	ORDER BY 1, 2" > old1
sqlite3 old.db "SELECT entity_id, policy, status, amount_fen, reason, missing FROM decisions WHERE run_id = 2
	ORDER BY 1, 2" > old2
[ -s old1 ] && cmp -s old1 old2 && ok || bad "migrated run 1 and run 2 differ: $(diff old1 old2 | head -5)"
cp r.db new.db
sqlite3 new.db "PRAGMA user_version = 7"
cp new.db new.before
"$HUIMIN" run "$here/small.pol" --config small.conf --out new.db --no-progress > out 2> err
st=$?
[ $st -eq 2 ] && [ "$(cat err)" = "huimin: new.db: a results database of schema version 7, newer than this huimin's (6): give --out a new file, or use the huimin that wrote it" ] &&
	cmp -s new.db new.before && ok || bad "a newer schema: exit $st: $(cat err)"

echo "run-repro: $pass passed, $fail failed"
[ $fail -eq 0 ]
