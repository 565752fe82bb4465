#!/bin/bash
# pg-compare.sh [N] -- huimin inside PostgreSQL (the extension's huimin.run)
# against `huimin run` reading the same tables through the postgres plugin,
# over the example city of N households (default 100000), on the same
# server, in one run; then the city spread over 3 nodes.
#
#   bench/pg-compare.sh 100000
#   BENCH_DATA=/srv/bench HUIMIN=build/release bench/pg-compare.sh 1000000
#
# 1. The city: examples/city/generate --households N --seed 1 in
#    BENCH_DATA/city-N (default bench/data), reused as bench/compare.sh does.
# 2. PostgreSQL: Debian's server copied into BENCH_DATA/pg-N/root with the
#    extension staged into it (make pg-stage), four clusters in
#    BENCH_DATA/pg-N: `whole` (the city, by examples/city/to-postgres) and
#    n0, n1, n2 (a third each, --shards 3 --shard K).  A cluster loaded
#    from the same city is reused (its `loaded` file).  All run with
#    fsync=off and full_page_writes=off: a benchmark's settings, the same
#    for both sides, which run on the same server over the same data;
#    shared_buffers 6GB for the whole city, 2GB a node (WHOLE_BUFFERS,
#    NODE_BUFFERS), room for the tables.
#    Every table is read into the server's buffers (pg_prewarm) before each
#    side runs, so neither side reads cold.
# 3. (a) `huimin run examples/policies --config whole.conf --as-of
#    2024-08-01 --out RUN/plugin.db` (the postgres plugin over the
#    server's socket): its `timings:` line and its wall time.
#    (b) `SELECT huimin.run('examples', CONFIG, '2024-08-01')` in the
#    whole cluster, CONFIG the text of whole.conf (the pack loaded first
#    with huimin.load_pack): psql's \timing of the statement, and the
#    phases when the extension reports them (a NOTICE `timings: …`).
#    The check: the decisions view of plugin.db and huimin.decisions of the
#    run, every column but run_id, row by row.  Any difference: exit 1.
#    ratio = (b) / (a)'s wall.  Both evaluate on THREADS threads (default:
#    the machine's cores).
# 4. (c) huimin.run on n0, n1, n2 one after another (each alone on the
#    machine: per-node households/s) and on all three at once, each in a
#    transaction rolled back, as the cluster coordinators do.  The machine
#    has 2 cores: three nodes at once share them.
# 5. The projection to 50,000,000 households from the per-node throughput:
#    time on the nodes for 1 … 100 nodes, and the coordinator's share:
#    the decisions to carry (bytes per household, measured here) and to
#    write, at the write rate of (a) and of (b): the rows written in their
#    evaluate and write phases together (the write runs alongside the
#    evaluation, which waits when it lags: an upper bound of the write).
#
# WHOLE_ONLY=1: (a) and (b) only, no nodes and no projection (a quicker
# run for work on the extension's own speed).
# REPEAT=K (default 1): after the check, (a) and (b) K-1 times more, in
# turn, each as the first: (a) into a new plugin.db, (b) into emptied
# result tables (the run checked is the first); every pair's ratio and
# their median are printed, the spread showing how noisy the machine is.
# Before each side the server is checkpointed and the system's dirty
# pages written out (sync): neither side pays for the other's writes.
# HUIMIN: the huimin command or a build folder (default build/default,
# built when missing).  The extension and libhuimin are the build folder's.
# Results stay in BENCH_DATA/pg-run-N (plugin.db, what each printed, and
# summary.txt).  Exit status: 0 the decisions agree; 1 they differ or a
# step failed; 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh

N=${1:-100000}
SEED=${SEED:-1}
REPEAT=${REPEAT:-1}
# both sides evaluate on as many threads (huimin run's --threads, the
# extension's huimin.threads)
THREADS=${THREADS:-$(nproc)}
# shared_buffers: room for the whole database, so that its tables, once
# read, stay in the server's buffers (a table larger than a quarter of them
# would be scanned through a small ring, copied from the system's cache on
# every read), as a database server is set up; the same for both sides
WHOLE_BUFFERS=${WHOLE_BUFFERS:-6GB}
NODE_BUFFERS=${NODE_BUFFERS:-2GB}
AS_OF=2024-08-01
case $N in
'' | *[!0-9]* | 0*)
	echo "usage: bench/pg-compare.sh [HOUSEHOLDS]   (a whole number, default 100000)" >&2
	exit 2
	;;
esac
case $REPEAT in
'' | *[!0-9]* | 0*)
	echo "bench/pg-compare.sh: REPEAT=$REPEAT: a whole number above 0" >&2
	exit 2
	;;
esac
data=${BENCH_DATA:-bench/data}
mkdir -p "$data"
data=$(cd "$data" && pwd)
city=$data/city-$N
run=$data/pg-run-$N
pgd=$data/pg-$N

# ---- huimin ------------------------------------------------------------------
if [ -n "${HUIMIN:-}" ] && [ -d "$HUIMIN" ]; then
	[ -f "$HUIMIN/Makefile" ] || hm_die "HUIMIN=$HUIMIN is a folder but not a build folder (no Makefile)"
	hm_log "bringing $HUIMIN up to date"
	make -s -C "$HUIMIN" -j"$HM_JOBS" >&2
	HUIMIN=$HUIMIN/huimin
elif [ -z "${HUIMIN:-}" ]; then
	if [ -f build/default/Makefile ]; then
		hm_log "bringing build/default up to date"
		make -s -C build/default -j"$HM_JOBS" >&2
	else
		hm_install_deps
		hm_build build/default
	fi
	HUIMIN=build/default/huimin
fi
[ -x "$HUIMIN" ] || hm_die "no huimin at $HUIMIN"
HUIMIN=$(cd "$(dirname "$HUIMIN")" && pwd)/$(basename "$HUIMIN")
build=$(dirname "$HUIMIN")

# ---- the city ------------------------------------------------------------------
stamp="households=$N seed=$SEED as_of=$AS_OF"
# a city of the same arguments, but made by an older generator, has other
# tables or settings: compare with a small one made now
fresh() {
	local small f
	small=$(mktemp -d)
	python3 examples/city/generate --households 20 --seed "$SEED" --as-of "$AS_OF" --out "$small/c" >/dev/null 2>&1 &&
		cmp -s "$small/c/sources.conf" "$city/sources.conf" || { rm -rf "$small"; return 1; }
	for f in "$small"/c/*.db; do
		[ "$(sqlite3 "$f" "SELECT sql FROM sqlite_master ORDER BY name")" = \
			"$(sqlite3 "$city/$(basename "$f")" "SELECT sql FROM sqlite_master ORDER BY name" 2>/dev/null)" ] ||
			{ rm -rf "$small"; return 1; }
	done
	rm -rf "$small"
}
if [ "$(cat "$city/city.txt" 2>/dev/null)" = "$stamp" ] && [ -f "$city/sources.conf" ] && fresh; then
	hm_log "reusing the city in $city ($stamp)"
else
	hm_log "generating the example city in $city ($stamp)"
	python3 examples/city/generate --households "$N" --seed "$SEED" --as-of "$AS_OF" --out "$city" >&2
fi
mkdir -p "$run"
rm -f "$run"/*.db "$run"/*.csv "$run"/*.tsv "$run"/*.out "$run"/*.err

# ---- the servers ------------------------------------------------------------------
pg_sys=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pg_sys" ] && [ -x "$pg_sys/initdb" ] || hm_die "no PostgreSQL server programs (apt-get install postgresql)"
pg_major=$(basename "$(dirname "$pg_sys")")
root=$pgd/root
hm_log "staging PostgreSQL $pg_major with the extension in $root"
rm -rf "$root"
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
cp -al "/usr/lib/postgresql/$pg_major" "$root/usr/lib/postgresql/" 2>/dev/null ||
	cp -a "/usr/lib/postgresql/$pg_major" "$root/usr/lib/postgresql/"
cp -a "/usr/share/postgresql/$pg_major" "$root/usr/share/postgresql/"
make -s -C "$build" pg-stage DESTDIR="$root" >"$run/pg-stage.out" 2>&1 ||
	{ cat "$run/pg-stage.out" >&2; hm_die "make pg-stage failed"; }
pg_bin=$root/usr/lib/postgresql/$pg_major/bin
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	as_pg() { runuser -u postgres -- "$@"; }
fi
# NAME SHARED_BUFFERS: start cluster NAME (initialised when new)
started=()
start() {
	local d=$pgd/$1
	# a server left running by an interrupted run is stopped first
	if [ -f "$d/data/postmaster.pid" ]; then
		as_pg "$pg_bin/pg_ctl" -D "$d/data" -m fast stop >/dev/null 2>&1 || true
	fi
	if [ ! -f "$d/data/PG_VERSION" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		[ "$(id -u)" = 0 ] && chown postgres "$d"
		chmod 700 "$d"
		as_pg "$pg_bin/initdb" -D "$d/data" -U postgres --auth=trust -E UTF8 --locale=C >"$d/initdb.log" 2>&1 ||
			{ cat "$d/initdb.log" >&2; hm_die "initdb $1 failed"; }
	fi
	as_pg env LD_LIBRARY_PATH="$build/.libs" "$pg_bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w \
		-o "-k $d -c listen_addresses= -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
		-c shared_buffers=$2 -c max_wal_size=16GB -c maintenance_work_mem=512MB \
		-c max_prepared_transactions=10" start >/dev/null 2>&1 ||
		{ tail -20 "$d/server.log" >&2; hm_die "cluster $1 did not start"; }
	started+=("$1")
}
stop_all() {
	local n
	for n in "${started[@]}"; do
		as_pg "$pg_bin/pg_ctl" -D "$pgd/$n/data" -m fast stop >/dev/null 2>&1 || true
	done
}
trap stop_all EXIT
trap 'exit 1' INT TERM
conn() { echo "host=$pgd/$1 dbname=city user=postgres"; }
psql_on() {
	local n=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$pgd/$n" -U postgres -d city "$@"
}
[ "$(id -u)" = 0 ] && { chown postgres "$pgd"; chmod 711 "$data" "$pgd"; }

# NAME SHARED_BUFFERS [--shards 3 --shard K]: the cluster loaded with the
# city (or a shard)
load() {
	local name=$1 buffers=$2 want
	shift 2
	# a city generated again is loaded again
	want="$stamp $(stat -c %Y "$city/city.txt") $*"
	start "$name" "$buffers"
	if [ "$(cat "$pgd/$name/loaded" 2>/dev/null)" != "$want" ]; then
		hm_log "loading $name: examples/city/to-postgres --city $city $*"
		psql -X -q -h "$pgd/$name" -U postgres -d postgres -c "DROP DATABASE IF EXISTS city" -c "CREATE DATABASE city"
		rm -f "$pgd/$name/loaded"
		local t
		t=$(date +%s.%N)
		examples/city/to-postgres --city "$city" --db "$(conn "$name")" --conf "$pgd/$name.conf" "$@" >/dev/null
		echo "$name: loaded in $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" \
			>"$run/load-$name.txt"
		echo "$want" >"$pgd/$name/loaded"
	else
		hm_log "reusing $name ($want)"
	fi
	# the extension as the build has it now, no runs of before
	psql_on "$name" -c "DROP EXTENSION IF EXISTS huimin CASCADE" -c "CREATE EXTENSION huimin CASCADE" \
		2>"$run/ext-$name.err" || { cat "$run/ext-$name.err" >&2; hm_die "CREATE EXTENSION huimin on $name failed"; }
}
# warm: read every table of the sources once
# every table's heap into the server's buffers (a count(*) may read an
# index only and leave the heap to whichever side reads it first)
warm() {
	psql_on "$1" -At -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
		-c "SELECT pg_prewarm(format('%I.%I', schemaname, tablename)::regclass) FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'huimin')" >/dev/null
}

# to-postgres writes the configuration only after a load; a reused cluster
# gets it from the city's sources.conf the same way
conf_for() {
	local name=$1
	[ -f "$pgd/$name.conf" ] && return 0
	sed "/^plugin *= *sqlite/ s/.*/plugin   = postgres/
	     s|^database *= *.*|connection = $(conn "$name")\nschema   = SOURCE|" "$city/sources.conf" |
		awk '/^\[source /{ s = $2; sub(/\]$/, "", s) } { sub(/= SOURCE$/, "= " s); print }' >"$pgd/$name.conf"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
load whole "$WHOLE_BUFFERS"
conf_for whole
"$HUIMIN" compile examples/policies -o "$run/examples.hmc" >/dev/null
# NAME: the pack loaded into cluster NAME as `examples` (too long for an argument)
load_pack() {
	printf '%s\n' "\\set pack \`base64 -w0 '$run/examples.hmc'\`" \
		"SELECT huimin.load_pack('examples', decode(:'pack', 'base64'));" | psql_on "$1" >/dev/null
}
now() { date +%s.%N; }
wall() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# psql's "Time: 1234.567 ms …" of its last statement, in seconds
stmt_time() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$1" | tail -n1 | awk '{ printf "%.3f", $1 / 1000 }'; }
# busy core-seconds of the whole machine so far (/proc/stat: user, nice,
# system, irq, softirq, steal; not idle or iowait): a side's CPU work, every
# process's (huimin's, the server's backends', its background writers')
hz=$(getconf CLK_TCK)
cpu_now() { awk -v hz="$hz" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat; }
cpu_since() { awk -v a="$1" -v b="$(cpu_now)" 'BEGIN { printf "%.1f", b - a }'; }
phases() {
	sed -n 's/.*load \([0-9.]*\) s, evaluate \([0-9.]*\) s, write \([0-9.]*\) s, total \([0-9.]*\) s.*/\1 \2 \3 \4/p' "$1" |
		tail -n1
}

# ---- (a) the postgres plugin ----------------------------------------------------------------
# settle: the server's dirty buffers written and the system's written to
# disk, so that neither side pays for what the one before it wrote
settle() {
	psql_on whole -c CHECKPOINT >/dev/null
	sync
}
# side_a OUT: huimin run into OUT; awall and its phases (al ae aw at)
side_a() {
	rm -f "$1"
	settle
	warm whole
	hm_log "(a) huimin run examples/policies --config $pgd/whole.conf --as-of $AS_OF --out $1 --threads $THREADS"
	local t c
	c=$(cpu_now)
	t=$(now)
	"$HUIMIN" run examples/policies --config "$pgd/whole.conf" --as-of "$AS_OF" --out "$1" --no-progress \
		--threads "$THREADS" \
		>"$run/plugin.out" 2>"$run/plugin.err" || { tail -5 "$run/plugin.err" >&2; hm_die "(a) failed"; }
	awall=$(wall "$t")
	acpu=$(cpu_since "$c")
	read -r al ae aw at <<<"$(phases "$run/plugin.err")"
}
side_a "$run/plugin.db"

# ---- (b) inside the database -------------------------------------------------------------------
# side_b: huimin.run in the whole cluster; btime, run_id and its phases (bl be bw bt)
side_b() {
	settle
	warm whole
	hm_log "(b) SELECT huimin.run('examples', <whole.conf>, '$AS_OF') in the whole cluster"
	local c
	c=$(cpu_now)
	psql_on whole -At -v conf="$conf_text" -v as_of="$AS_OF" -v threads="$THREADS" >"$run/indb.out" 2>"$run/indb.err" <<'SQL' ||
SET client_min_messages = notice;
SET huimin.timings = on;
SET huimin.threads = :threads;
\timing on
SELECT huimin.run('examples', :'conf', :'as_of');
SQL
		{ cat "$run/indb.err" >&2; hm_die "(b) failed"; }
	btime=$(stmt_time "$run/indb.out")
	bcpu=$(cpu_since "$c")
	run_id=$(sed -n '/^[0-9][0-9]*$/p' "$run/indb.out" | tail -n1)
	local bp
	bp=$(phases "$run/indb.err")
	read -r bl be bw bt <<<"${bp:-- - - -}"
}
load_pack whole
conf_text=$(cat "$pgd/whole.conf")
side_b

# ---- the check ---------------------------------------------------------------------------------
hm_log "the check: plugin.db's decisions against huimin.decisions of run $run_id"
cols="entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period, reason, message, missing, claim"
# both as tab-separated text, NULL as \N (COPY's text format; a value
# with a tab, a line break or a backslash would differ, never agree falsely)
# (persons' ids: readable by their owner only, as results are)
(
	umask 077
	sqlite3 -list -separator "$(printf '\t')" -nullvalue '\N' "$run/plugin.db" "SELECT $cols FROM decisions" |
		LC_ALL=C sort -S 25% >"$run/plugin.tsv"
	psql_on whole -c "\\copy (SELECT $cols FROM huimin.decisions WHERE run_id = $run_id) TO STDOUT" |
		LC_ALL=C sort -S 25% >"$run/indb.tsv"
)
same=1
if [ ! -s "$run/plugin.tsv" ] || ! cmp -s "$run/plugin.tsv" "$run/indb.tsv"; then
	same=0
	echo "DIFFERENT: $(diff "$run/plugin.tsv" "$run/indb.tsv" | grep -c '^[<>]') lines differ" \
		"($run/plugin.tsv, $run/indb.tsv)" >&2
fi
decisions=$(wc -l <"$run/plugin.tsv")
bytes=$(wc -c <"$run/plugin.tsv")
counts_a=$(sqlite3 "$run/plugin.db" "SELECT households, persons FROM runs")
counts_b=$(psql_on whole -At -F'|' -c "SELECT households, persons FROM huimin.runs WHERE run_id = $run_id")
[ "$counts_a" = "$counts_b" ] || { same=0; echo "DIFFERENT: runs counts $counts_a (a), $counts_b (b)" >&2; }

# ---- the repeats ------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.001; printf "%.2f", a / b }'; }
pairs=("$awall $btime $acpu $bcpu")
first_a="$al $ae $aw $at $awall $acpu" first_b="$bl $be $bw $bt $btime $bcpu"
for ((r = 2; r <= REPEAT; r++)); do
	side_a "$run/plugin-again.db"
	psql_on whole -c "TRUNCATE huimin.runs, huimin.run_policies, huimin.run_reasons, huimin.run_entities,
		huimin.decision_rows, huimin.data_issues, huimin.run_sources, huimin.run_not_eligible,
		huimin.run_not_applicable" >/dev/null
	side_b
	pairs+=("$awall $btime $acpu $bcpu")
done
rm -f "$run/plugin-again.db"
# the figures below are the first pair's, whose decisions were checked
read -r al ae aw at awall acpu <<<"$first_a"
read -r bl be bw bt btime bcpu <<<"$first_b"

# ---- (a') the plugin's decisions copied into PostgreSQL -----------------------------------------
# (b) leaves its decisions in the database, (a) in a SQLite file: what (a)
# takes to put its entities and decisions into tables made LIKE the
# extension's (their keys and indexes with them), by COPY from sqlite3's CSV,
# committed.  Not part of the ratio, which is the plugin's run as it is.
psql_on whole -c "DROP SCHEMA IF EXISTS copied CASCADE" -c "CREATE SCHEMA copied" \
	-c "CREATE TABLE copied.run_entities (LIKE huimin.run_entities INCLUDING ALL)" \
	-c "CREATE TABLE copied.decision_rows (LIKE huimin.decision_rows INCLUDING ALL)" 2>/dev/null
settle
hm_log "(a') plugin.db's run_entities and decision_rows copied into PostgreSQL"
c=$(cpu_now)
t=$(now)
{
	echo "BEGIN;"
	echo "COPY copied.run_entities (entity, run_id, kind, id, household) FROM STDIN (FORMAT csv);"
	sqlite3 -csv "$run/plugin.db" "SELECT entity, run_id, kind, id, household FROM run_entities"
	echo '\.'
	echo "COPY copied.decision_rows (run_id, entity, policy, status, amount_fen, reason, missing, message, claim)" \
		"FROM STDIN (FORMAT csv);"
	sqlite3 -csv "$run/plugin.db" \
		"SELECT run_id, entity, policy, status, amount_fen, reason, missing, message, claim FROM decision_rows"
	echo '\.'
	echo "COMMIT;"
} | psql_on whole >/dev/null || hm_die "(a') the copy failed"
cwall_copy=$(wall "$t")
ccpu_copy=$(cpu_since "$c")
copied=$(psql_on whole -At -c "SELECT (SELECT count(*) FROM copied.decision_rows) = $decisions" -c "DROP SCHEMA copied CASCADE")
[ "$copied" = t ] || hm_die "(a') the copy holds another number of decisions than $decisions"

# ---- (c) three nodes ------------------------------------------------------------------------------
nodes=1
[ "${WHOLE_ONLY:-0}" = 1 ] && nodes=0
declare -a nt nh
[ $nodes = 1 ] && for k in 0 1 2; do
	load "n$k" "$NODE_BUFFERS" --shards 3 --shard "$k"
	conf_for "n$k"
	load_pack "n$k"
done
node_run() { # K: huimin.run on node K in a transaction rolled back; psql's output in RUN/nodeK.out
	psql_on "n$1" -At -v conf="$(cat "$pgd/n$1.conf")" -v as_of="$AS_OF" -v threads="$THREADS" >"$run/node$1$2.out" 2>"$run/node$1$2.err" <<'SQL'
SET client_min_messages = notice;
SET huimin.timings = on;
SET huimin.threads = :threads;
BEGIN;
\timing on
SELECT huimin.run('examples', :'conf', :'as_of');
\timing off
SELECT households FROM huimin.runs ORDER BY run_id DESC LIMIT 1;
ROLLBACK;
SQL
}
[ $nodes = 1 ] && for k in 0 1 2; do
	warm "n$k"
	hm_log "(c) node $k alone"
	node_run "$k" "" || { cat "$run/node$k.err" >&2; hm_die "(c) node $k failed"; }
	nt[k]=$(stmt_time "$run/node$k.out")
	nh[k]=$(sed -n '/^[0-9][0-9]*$/p' "$run/node$k.out" | tail -n1)
done
if [ $nodes = 1 ]; then
	hm_log "(c) the three nodes at once"
	t=$(now)
	pids=()
	for k in 0 1 2; do
		node_run "$k" "-all" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || hm_die "(c) a node failed when all ran at once"; done
	cwall=$(wall "$t")
fi

# ---- the figures -------------------------------------------------------------------------------
{
	echo "city: $stamp ($city); PostgreSQL $pg_major, fsync=off full_page_writes=off synchronous_commit=off" \
		"shared_buffers=$WHOLE_BUFFERS (whole), $NODE_BUFFERS (nodes)" \
		"(both sides, same server); $(nproc) cores, $THREADS threads"
	echo "load average at the start: $load0; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	cat "$run"/load-*.txt 2>/dev/null || true
	printf '%-34s %9s %9s %9s %9s %9s %9s\n' "" load evaluate write total wall "cpu s"
	printf '%-34s %9s %9s %9s %9s %9s %9s\n' "(a) huimin run, postgres plugin" "$al" "$ae" "$aw" "$at" "$awall" "$acpu"
	printf '%-34s %9s %9s %9s %9s %9s %9s\n' "(b) SELECT huimin.run(…)" "$bl" "$be" "$bw" "$bt" "$btime" "$bcpu"
	echo "ratio in-DB / plugin = $(ratio "$btime" "$awall") (statement time / the command's wall time)"
	# the machine's busy core-seconds over each side: the work done, every
	# process's; divided by the cores, the least wall time that work allows
	echo "cpu: (a) $acpu s, (b) $bcpu s busy (all processes); ratio of the work $(ratio "$bcpu" "$acpu");" \
		"on $(nproc) cores at best (a) $(ratio "$acpu" "$(nproc)") s, (b) $(ratio "$bcpu" "$(nproc)") s;" \
		"cores busy (a) $(ratio "$acpu" "$awall"), (b) $(ratio "$bcpu" "$btime")"
	if [ "$REPEAT" -gt 1 ]; then
		for ((r = 0; r < REPEAT; r++)); do
			read -r x y cx cy <<<"${pairs[r]}"
			echo "  pair $((r + 1)): plugin $x s (cpu $cx s), in-DB $y s (cpu $cy s), ratio $(ratio "$y" "$x")"
		done | tee "$run/pairs.txt"
		echo "  median of the $REPEAT ratios: $(sed 's/.*ratio //' "$run/pairs.txt" | sort -n |
			awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
	fi
	echo "(a') plugin.db's entities and decisions copied into PostgreSQL: $cwall_copy s (cpu $ccpu_copy s);" \
		"(a) + (a') $(awk -v a="$awall" -v b="$cwall_copy" 'BEGIN { printf "%.3f", a + b }') s;" \
		"in-DB / that = $(ratio "$btime" "$(awk -v a="$awall" -v b="$cwall_copy" 'BEGIN { print a + b }')")"
	echo "decisions: $decisions ($bytes bytes as text, $((bytes / N)) bytes a household);" \
		"$([ $same = 1 ] && echo "the same in both, row by row" || echo DIFFERENT)"
	[ $nodes = 1 ] || exit 0
	tot=0
	for k in 0 1 2; do
		echo "(c) node $k alone: ${nh[k]} households in ${nt[k]} s = $(awk -v h="${nh[k]}" -v t="${nt[k]}" \
			'BEGIN { printf "%.0f", h / t }') households/s$(p=$(phases "$run/node$k.err"); [ -n "$p" ] && echo " (load evaluate write total: $p)")"
		tot=$((tot + nh[k]))
	done
	echo "(c) the three at once (on $(nproc) cores): $tot households in $cwall s (wall) = $(awk -v h="$tot" -v t="$cwall" \
		'BEGIN { printf "%.0f", h / t }') households/s"
	# the projection: per node as measured alone (a node = this machine)
	awk -v h0="${nh[0]}" -v h1="${nh[1]}" -v h2="${nh[2]}" -v t0="${nt[0]}" -v t1="${nt[1]}" -v t2="${nt[2]}" \
		-v bph="$((bytes / N))" -v aw="$(awk -v e="$ae" -v w="$aw" 'BEGIN { print e + w }')" \
		-v bw="$(awk -v e="$be" -v w="$bw" 'BEGIN { print e + w }')" -v n="$N" 'BEGIN {
		tp = (h0 + h1 + h2) / (t0 + t1 + t2)
		W = 50000000
		wr = (aw > 0) ? n / aw : 0
		printf "50,000,000 households at %.0f households/s a node (the mean of (c) alone):\n", tp
		wp = (bw > 0) ? n / bw : 0
		printf "  %6s %14s %16s %18s %18s\n", "nodes", "on the nodes", "decisions to", "coordinator", "coordinator"
		printf "  %6s %14s %16s %18s %18s\n", "", "", "carry (1 Gbit/s)", "write, SQLite", "write, PostgreSQL"
		printf "  %6s %14s %16s %18s %18s\n", "", "", "", "(as (a))", "(as (b))"
		split("1 3 10 30 50 100", ks, " ")
		for (i = 1; i <= 6; i++) {
			k = ks[i]
			printf "  %6d %12.0f s %14.0f s %16.0f s %16.0f s\n", k, W / k / tp, W * bph / 125e6, (wr > 0) ? W / wr : -1,
				(wp > 0) ? W / wp : -1
		}
		printf "  decisions to carry: %.1f GB in all (%d bytes a household as text)\n", W * bph / 1e9, bph
	}'
} | tee "$run/summary.txt"
[ $same = 1 ]
