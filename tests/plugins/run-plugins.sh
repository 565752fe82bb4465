#!/bin/sh
# run-plugins.sh -- plugins that misbehave, and where plugins are loaded from.
#
#   isolation   with `isolate = process` a plugin that exits, crashes or
#               hangs (past `timeout`) in fetch or close is an error naming
#               the plugin file and its source, exit 2, and no run is
#               recorded; an isolated run gives what an in-process one
#               gives.  In huimin's process: exit() in a plugin is exit 2
#               with the plugin's name, and a crash in close() leaves no
#               run behind.
#   loading     relative paths from the configuration's folder (--set: the
#               working directory), never a dlopen search, files or folders
#               others can write refused, built-ins never taken from
#               HUIMIN_PLUGIN_PATH, the file loaded shown by plugin-check
#               and recorded in run_sources.
#
# Uses tests/plugins/rogue_plugin.c (built by `make check`).
# Env: HUIMIN (the command), SRCDIR (source tree).
set -u
: "${HUIMIN:?HUIMIN must name the huimin command}" "${SRCDIR:?SRCDIR must name the source tree}"
here="$SRCDIR/tests/plugins"
pol="$here/rogue.pol"
bindir=$(cd "$(dirname "$HUIMIN")" && pwd -P)
rogue="$bindir/tests/plugins/.libs/rogue_plugin.so"
[ -f "$rogue" ] || { echo "FAIL: $rogue not built"; exit 1; }
unset HUIMIN_PLUGIN_PATH
work=$(cd "$(mktemp -d)" && pwd -P)
trap 'chmod -R u+rwX "$work" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# conf DIR MISBEHAVE [EXTRA LINES]: DIR/r.conf over the rogue plugin in DIR
# (by its absolute path)
conf() {
	mkdir -p "$1"
	[ -f "$1/rogue_plugin.so" ] || cp "$rogue" "$1/"
	printf '[run]\npopulation = rogue\nas_of = 2024-08-01\n\n[source rogue]\nplugin = %s\nmisbehave = %s\n%s' \
		"$1/rogue_plugin.so" "$2" "${3:-}" > "$1/r.conf"
}

# runs DB: the number of runs recorded in DB (0 when there is none)
runs() {
	if [ -s "$1" ]; then
		sqlite3 "$1" "SELECT count(*) FROM runs" 2>/dev/null || echo 0
	else
		echo 0
	fi
}

# fails NAME WANT-IN-STDERR -- ARGS: huimin run exits 2 within 30 s, says
# WANT, and records no run
fails() {
	name=$1 want=$2
	shift 3
	rm -f "$work/o.db"
	timeout 30 "$HUIMIN" run "$pol" --no-progress --out "$work/o.db" "$@" > "$work/out" 2> "$work/err"
	st=$?
	if [ $st -eq 2 ] && grep -qF -- "$want" "$work/err" && [ "$(runs "$work/o.db")" = 0 ]; then
		ok
	else
		bad "$name: exit $st, $(runs "$work/o.db") runs recorded: $(cat "$work/err")"
	fi
}

# ---- isolated: each misbehaviour is an error naming the plugin and source --
d="$work/iso"
for m in exit-in-fetch crash-in-fetch hang-in-fetch exit-in-close crash-in-close; do
	conf "$d" $m 'isolate = process
timeout = 2s
'
	case $m in
	exit-*) how="exited with status" ;;
	crash-*) how="was killed by signal" ;;
	hang-*) how="did not answer within 2s (timeout)" ;;
	esac
	case $m in
	*-fetch) doing="while fetching household facts" ;;
	*-close) doing="while closing the source" ;;
	esac
	# under a sanitizer a crash may end as an exit: the file and source count
	case $m in crash-*) how="" ;; esac
	fails "isolated $m" "r.conf:5: source rogue (plugin $d/rogue_plugin.so)" -- --config "$d/r.conf"
	grep -qF "the process of plugin $d/rogue_plugin.so (isolate = process) $how" "$work/err" &&
		grep -qF "$doing" "$work/err" && ok || bad "isolated $m: message: $(cat "$work/err")"
done
# the hang was stopped at its timeout, not at the test's 30 s
conf "$d" hang-in-fetch 'isolate = process
timeout = 1s
'
start=$(date +%s)
fails "isolated hang, 1s" "did not answer within 1s (timeout) while fetching household facts" -- --config "$d/r.conf"
[ $(($(date +%s) - start)) -le 10 ] && ok || bad "isolated hang took $(($(date +%s) - start)) s"

# plugin-check runs the plugin as the source says
conf "$d" crash-in-fetch 'isolate = process
'
(cd "$d" && "$HUIMIN" plugin-check ./rogue_plugin.so --config r.conf --source rogue) > "$work/out" 2>&1
st=$?
[ $st -eq 2 ] && grep -qF "runs: in a process of its own (isolate = process)" "$work/out" &&
	grep -qF "the process of plugin $d/rogue_plugin.so (isolate = process)" "$work/out" && ok ||
	bad "plugin-check of an isolated crash: exit $st: $(cat "$work/out")"

# a well-behaved plugin gives the same decisions and issues either way
dump() {
	sqlite3 "$1" "SELECT entity_kind, entity_id, policy, status, amount_fen FROM decisions ORDER BY 1, 2, 3;
		SELECT source, entity_kind, entity_id, field, issue, detail FROM data_issues ORDER BY 1, 2, 3, 4"
}
conf "$work/same" none
conf "$work/same-iso" none 'isolate = process
'
"$HUIMIN" run "$pol" --config "$work/same/r.conf" --out "$work/same/o.db" --no-progress > "$work/same/out" 2>&1
st1=$?
"$HUIMIN" run "$pol" --config "$work/same-iso/r.conf" --out "$work/same-iso/o.db" --no-progress \
	> "$work/same-iso/out" 2>&1
st2=$?
if [ $st1 -eq 0 ] && [ $st2 -eq 0 ] && [ -n "$(dump "$work/same/o.db")" ] &&
	[ "$(dump "$work/same/o.db")" = "$(dump "$work/same-iso/o.db")" ]; then ok
else bad "isolated and in-process runs differ: exit $st1, $st2: $(cat "$work/same/out" "$work/same-iso/out")"; fi
# H3's unknown code, P3a's bad record, text and records all came through
[ "$(sqlite3 "$work/same-iso/o.db" "SELECT count(*) FROM data_issues")" = 2 ] &&
	[ "$(sqlite3 "$work/same-iso/o.db" "SELECT status FROM decisions WHERE entity_id = 'P3b'")" = eligible ] &&
	ok || bad "isolated run: $(dump "$work/same-iso/o.db")"

# the host's own settings, checked
conf "$d" none 'isolate = thread
'
fails "isolate = thread" "isolate = thread: expected \`process\`" -- --config "$d/r.conf"
conf "$d" none 'timeout = 5s
'
fails "timeout in-process" "timeout = 5s needs isolate = process" -- --config "$d/r.conf"
conf "$d" none 'isolate = process
timeout = 5
'
fails "timeout without unit" "timeout = 5: expected a duration such as 30s" -- --config "$d/r.conf"

# extern functions are called in huimin's process: an isolated source
# cannot provide them
d="$work/ext"
mkdir -p "$d"
cp "$SRCDIR/tests/batch/small.conf" "$d/"
sqlite3 "$d/registry.db" < "$SRCDIR/tests/batch/city.sql"
sqlite3 "$d/civil.db" < "$SRCDIR/tests/batch/civil.sql"
# the small city's two sqlite sources (population, codes of two
# departments, a conflict, records) isolated give what they give in-process
sed 's/^\(\[source .*\]\)$/\1\nisolate = process\ntimeout = 1m/' "$d/small.conf" > "$d/iso.conf"
(cd "$d" && "$HUIMIN" run "$SRCDIR/tests/batch/small.pol" --config small.conf --out a.db --no-progress --threads 2) \
	> /dev/null 2>&1
st1=$?
(cd "$d" && "$HUIMIN" run "$SRCDIR/tests/batch/small.pol" --config iso.conf --out b.db --no-progress --threads 2) \
	> /dev/null 2> "$work/err"
st2=$?
if [ $st1 -eq 0 ] && [ $st2 -eq 0 ] && [ "$(grep -c '^isolate = process' "$d/iso.conf")" = 2 ] &&
	[ -n "$(dump "$d/a.db")" ] && [ "$(dump "$d/a.db")" = "$(dump "$d/b.db")" ]; then ok
else bad "small city isolated: exit $st1, $st2: $(cat "$work/err")"; fi
xplug="$bindir/tests/batch/.libs/extern_plugin.so"
printf '\n[source ext]\nplugin = %s\nisolate = process\n' "$xplug" >> "$d/small.conf"
(cd "$d" && "$HUIMIN" run "$SRCDIR/tests/batch/small.pol" "$SRCDIR/tests/batch/externs.pol" --config small.conf \
	--out x.db --no-progress) > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "extern function 户籍年限: plugin $xplug runs in a process of its own (isolate = process)" "$work/err" &&
	[ "$(runs "$d/x.db")" = 0 ] && ok || bad "extern from an isolated source: exit $st: $(cat "$work/err")"

# ---- in huimin's process: never a silent exit, never a run disowned ------
d="$work/inproc"
conf "$d" exit-in-fetch
fails "in-process exit in fetch" \
	"source rogue (plugin $d/rogue_plugin.so) ended the process (exit) in its fetch()" -- --config "$d/r.conf"
conf "$d" exit-in-close
fails "in-process exit in close" \
	"source rogue (plugin $d/rogue_plugin.so) ended the process (exit) in its close()" -- --config "$d/r.conf"
# exit() from an extern function, while the plugin is open
conf "$d" none
fails "in-process exit in an extern function" \
	"the process was ended (exit) while source plugins were open (source rogue, plugin $d/rogue_plugin.so)" \
	-- "$here/rogue_leave.pol" --config "$d/r.conf"
# a crash in close() comes before the results are written: no run behind a
# failed exit status
conf "$d" crash-in-close
rm -f "$work/o.db"
"$HUIMIN" run "$pol" --config "$d/r.conf" --out "$work/o.db" --no-progress > /dev/null 2>&1
st=$?
[ $st -ne 0 ] && [ "$(runs "$work/o.db")" = 0 ] && ok ||
	bad "in-process crash in close: exit $st with $(runs "$work/o.db") runs recorded"

# ---- where plugins come from ----------------------------------------------
# relative to the configuration's folder, whatever the working directory
d="$work/rel"
conf "$d" none
sed -i 's|^plugin = .*|plugin = ./rogue_plugin.so|' "$d/r.conf"
mkdir -p "$work/elsewhere"
(cd "$work/elsewhere" && "$HUIMIN" run "$pol" --config ../rel/r.conf --out o.db --no-progress) > /dev/null 2> "$work/err"
st=$?
[ $st -eq 0 ] && ok || bad "plugin = ./x.so from another folder: exit $st: $(cat "$work/err")"
# the run records the file each source's plugin was loaded from
got=$(sqlite3 "$work/elsewhere/o.db" "SELECT source, plugin, isolate FROM run_sources" 2>&1)
[ "$got" = "rogue|$d/rogue_plugin.so|none" ] && ok || bad "run_sources: $got"
got=$(sqlite3 "$work/same-iso/o.db" "SELECT source, plugin, isolate FROM run_sources" 2>&1)
[ "$got" = "rogue|$work/same-iso/rogue_plugin.so|process" ] && ok || bad "run_sources, isolated: $got"
# --set on the command line: relative to the working directory
cp "$rogue" "$work/elsewhere/"
rm -f "$d/rogue_plugin.so"
(cd "$work/elsewhere" && "$HUIMIN" run "$pol" --config ../rel/r.conf --set source.rogue.plugin=./rogue_plugin.so \
	--out o2.db --no-progress) > /dev/null 2> "$work/err"
st=$?
[ $st -eq 0 ] && [ "$(sqlite3 "$work/elsewhere/o2.db" "SELECT plugin FROM run_sources")" = "$work/elsewhere/rogue_plugin.so" ] &&
	ok || bad "--set plugin=./x.so: exit $st: $(cat "$work/err")"
# `plugin = x.so` is a file in the configuration's folder, never one dlopen
# finds on the library path
sed -i 's|^plugin = .*|plugin = rogue_plugin.so|' "$d/r.conf"
(cd "$work/elsewhere" && LD_LIBRARY_PATH="$work/elsewhere" "$HUIMIN" run "$pol" --config ../rel/r.conf \
	--out o3.db --no-progress) > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "plugin ../rel/rogue_plugin.so: no such file" "$work/err" && ok ||
	bad "plugin = x.so on the library path: exit $st: $(cat "$work/err")"

# files and folders others can change are refused
d="$work/perm"
conf "$d" none
chmod 666 "$d/rogue_plugin.so"
fails "world-writable plugin" \
	"plugin $d/rogue_plugin.so: refused: it is writable by others (mode 0666)" -- --config "$d/r.conf"
chmod 664 "$d/rogue_plugin.so"
fails "group-writable plugin" \
	"plugin $d/rogue_plugin.so: refused: it is writable by its group (mode 0664)" -- --config "$d/r.conf"
"$HUIMIN" plugin-check "$d/rogue_plugin.so" > "$work/out" 2>&1
st=$?
[ $st -eq 2 ] && grep -qF "refused: it is writable by its group" "$work/out" && ok ||
	bad "plugin-check of a group-writable plugin: exit $st: $(cat "$work/out")"
chmod 755 "$d/rogue_plugin.so"
chmod 777 "$d"
fails "plugin in a world-writable folder" \
	"plugin $d/rogue_plugin.so: refused: its folder $d is writable by others (mode 0777)" -- --config "$d/r.conf"
chmod 755 "$d"
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	chown nobody "$d/rogue_plugin.so"
	fails "plugin of another user" \
		"plugin $d/rogue_plugin.so: refused: it belongs to uid $(id -u nobody), neither root nor the user running huimin" \
		-- --config "$d/r.conf"
	chown 0 "$d/rogue_plugin.so"
	chown nobody "$d"
	fails "plugin in another user's folder" "refused: its folder $d belongs to uid $(id -u nobody)" -- --config "$d/r.conf"
	chown 0 "$d"
else
	echo "note: not root: the other-owner cases are not tried"
fi
# a link to a plugin: the file it leads to is loaded, checked and recorded
ln -s "$d/rogue_plugin.so" "$work/link.so"
"$HUIMIN" plugin-check "$work/link.so" > "$work/out" 2>&1 && grep -qF "file: $d/rogue_plugin.so" "$work/out" &&
	ok || bad "plugin-check through a link: $(cat "$work/out")"

# plugin-check says which file it loaded, as an absolute path
(cd "$d" && "$HUIMIN" plugin-check ./rogue_plugin.so) > "$work/out" 2>&1 &&
	grep -qF "file: $d/rogue_plugin.so" "$work/out" && ok || bad "plugin-check file: $(cat "$work/out")"

# HUIMIN_PLUGIN_PATH finds other plugins by name, but never shadows a built-in
mkdir -p "$work/path"
cp "$rogue" "$work/path/sqlite.so"
cp "$rogue" "$work/path/mine.so"
HUIMIN_PLUGIN_PATH="$work/path" "$HUIMIN" plugin-check sqlite > "$work/out" 2>&1
st=$?
[ $st -eq 0 ] && grep -q "^plugin sqlite" "$work/out" && ! grep -qF "$work/path" "$work/out" && ok ||
	bad "HUIMIN_PLUGIN_PATH shadows the built-in sqlite: exit $st: $(cat "$work/out")"
HUIMIN_PLUGIN_PATH="$work/path" "$HUIMIN" plugin-check mine > "$work/out" 2>&1 &&
	grep -qF "file: $work/path/mine.so" "$work/out" && ok || bad "HUIMIN_PLUGIN_PATH plugin: $(cat "$work/out")"

"$HUIMIN" plugin-check sqlite > "$work/out" 2>&1 &&
	grep -qF "says what the source is (identity): yes" "$work/out" &&
	grep -qF "reads reference tables (reftable): yes" "$work/out" && ok || bad "plugin-check sqlite: $(cat "$work/out")"
# a plugin built for ABI 1.1 (no identity entry point; where it would be,
# no function) loads, in huimin's process and in its own, runs as the new
# build does, and its source is recorded as "(not reported)"
old="$bindir/tests/plugins/.libs/old_abi_plugin.so"
for iso in none process; do
	d="$work/old-$iso"
	mkdir -p "$d"
	cp "$old" "$d/rogue_plugin.so"
	conf "$d" none "isolate = $iso
"
	"$HUIMIN" run "$pol" --config "$d/r.conf" --out "$d/o.db" --no-progress > "$d/out" 2>&1
	st=$?
	got=$(sqlite3 "$d/o.db" "SELECT isolate || ': ' || identity FROM run_sources" 2>&1)
	if [ $st -eq 0 ] && [ "$got" = "$iso: (not reported)" ] && [ "$(dump "$d/o.db")" = "$(dump "$work/same/o.db")" ]
	then ok
	else bad "ABI 1.1 plugin, isolate = $iso: exit $st, identity \"$got\": $(cat "$d/out")"; fi
done
"$HUIMIN" plugin-check "$work/old-none/rogue_plugin.so" > "$work/out" 2>&1 &&
	grep -qF "ABI: 1.1 (this huimin: 1.6)" "$work/out" &&
	grep -qF "says what the source is (identity): no" "$work/out" && ok || bad "plugin-check of an ABI 1.1 plugin: $(cat "$work/out")"

echo "run-plugins: $pass passed, $fail failed"
[ $fail -eq 0 ]
