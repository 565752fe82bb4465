#!/bin/bash
# compare.sh [N] -- huimin, the same rules written in plain SQL on SQLite
# (bench/sql/pack.sql) and a hand-written C evaluator of them (the floor,
# bench/floor/floor.c), over the example city of N households (default
# 100000), in one run.
#
#   bench/compare.sh 100000
#   HUIMIN=build/release bench/compare.sh 1000000
#
# 1. The city: examples/city/generate --households N --seed 1 writes it to
#    bench/data/city-N (kept and reused while its city.txt says the same N,
#    seed and as-of date and its tables are the ones pack.sql reads;
#    bench/data is not under version control, and
#    BENCH_DATA=DIR puts the cities and results in DIR instead).
# 2. huimin: `huimin run examples/policies --config CITY/sources.conf
#    --as-of 2024-08-01 --kleene --out R.db`, timed by huimin itself (its
#    stderr lines `timings: load L s, evaluate E s, write W s, total T s`
#    and `peak memory: M MiB`).  pack.sql and the floor decide by Kleene's
#    rules, as SQL does, so this is the run compared with them.  huimin's
#    default also settles the decisions that come out the same whatever the
#    value of a yes/no or code fact not known (docs/language.md): that run
#    is timed too, and the line `settling: …` gives its evaluate time and how
#    many decisions it settled.
# 3. SQL: bench/sql/run_sql.py attaches the department databases where they
#    are (nothing copied), sets up the parameters (load), runs pack.sql's
#    evaluation into a results database holding only the eligible and
#    undetermined decisions (evaluate), and commits it (write); peak memory
#    is the process's maximum resident size.
# 4. The floor: bench/floor/floor.c, built here with
#    `cc -O2 -o RUN/floor bench/floor/floor.c -lsqlite3` and run as
#    `floor CITY AS_OF RUN/floor.db`; it prints its own
#    `floor: load L s, evaluate E s, write W s, total T s, peak memory M MiB`.
#    While bench/floor/floor.c does not exist the floor is skipped (said so).
# 5. The check: the same eligible and undetermined decisions, status and
#    amount, for every household, person and hospital bill (claim) and
#    policy (an entity and policy absent is not eligible), and the same
#    counts per policy
#    (bench/sql/compare_results.py).  Any difference: exit 1.
# 6. For each of huimin, sql and floor: load, evaluate, write, wall (the
#    process's elapsed time, measured here) and peak memory; then the lines
#      eval ratio sql/huimin = X; wall ratio sql/huimin = Y
#      eval ratio huimin/floor = X; wall ratio huimin/floor = Y
#    and the size of huimin's results database against the eligible and
#    undetermined decisions written as CSV (RUN/decisions.csv).
#
# HUIMIN names the huimin to use: the command itself, or a build folder
# holding it (brought up to date with make).  Without it, build/default is
# used, and configured and built (scripts/lib.sh) when it has no huimin.
# The results of the last comparison stay in bench/data/run-N/ (huimin.db,
# sql.db, floor.db, and what each printed).  SEED (default 1) picks another
# city.
#
# Exit status: 0 every decision agrees; 1 a difference, or a side failed;
# 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh

N=${1:-100000}
SEED=${SEED:-1}
AS_OF=2024-08-01
case $N in
'' | *[!0-9]* | 0*)
	echo "usage: bench/compare.sh [HOUSEHOLDS]   (a whole number, default 100000)" >&2
	exit 2
	;;
esac
data=${BENCH_DATA:-bench/data}
city=$data/city-$N
run=$data/run-$N

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

# ---- the city ----------------------------------------------------------------
stamp="households=$N seed=$SEED as_of=$AS_OF"
if [ "$(cat "$city/city.txt" 2>/dev/null)" = "$stamp" ] && [ -f "$city/sources.conf" ] &&
	python3 bench/sql/run_sql.py --check "$city"; then
	hm_log "reusing the city in $city ($stamp)"
else
	hm_log "generating the example city in $city ($stamp)"
	python3 examples/city/generate --households "$N" --seed "$SEED" --as-of "$AS_OF" --out "$city" >&2
fi
mkdir -p "$run"
rm -f "$run/huimin.db" "$run/huimin-settled.db" "$run/sql.db" "$run/floor.db" "$run/floor" "$run/decisions.csv"

now() { date +%s.%N; }
# wall START: seconds since START, 3 decimals
wall() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# ---- huimin run ----------------------------------------------------------------
hm_log "huimin run examples/policies --config $city/sources.conf --as-of $AS_OF --kleene --out $run/huimin.db"
huimin_ok=1
t=$(now)
"$HUIMIN" run examples/policies --config "$city/sources.conf" --as-of "$AS_OF" --kleene \
	--out "$run/huimin.db" --no-progress >"$run/huimin.out" 2>"$run/huimin.err" || huimin_ok=0
hwall=$(wall "$t")
if [ $huimin_ok = 1 ] && ! grep -q '^timings: ' "$run/huimin.err"; then
	huimin_ok=0
	echo "huimin printed no \`timings:\` line" >>"$run/huimin.err"
fi
if [ $huimin_ok = 1 ]; then
	hm_log "huimin run … (settling, the default) --out $run/huimin-settled.db"
	"$HUIMIN" run examples/policies --config "$city/sources.conf" --as-of "$AS_OF" \
		--out "$run/huimin-settled.db" --no-progress >"$run/huimin-settled.out" 2>"$run/huimin-settled.err" ||
		huimin_ok=0
	grep -q '^timings: ' "$run/huimin-settled.err" || huimin_ok=0
fi
if [ $huimin_ok = 0 ]; then
	echo "huimin run --config failed; its messages ($run/huimin.err, $run/huimin-settled.err):" >&2
	sed 's/^/  /' "$run/huimin.err" "$run/huimin-settled.err" 2>/dev/null >&2 || true
	hm_die "no comparison: huimin run failed"
fi

# ---- the same rules in SQL ------------------------------------------------------------
hm_log "bench/sql/pack.sql over the same city's databases (bench/sql/run_sql.py)"
t=$(now)
python3 bench/sql/run_sql.py "$city" "$run/sql.db" "$AS_OF" >"$run/sql.out" 2>"$run/sql.err" || {
	sed 's/^/  /' "$run/sql.err" >&2
	hm_die "no comparison: bench/sql/run_sql.py failed"
}
swall=$(wall "$t")

# ---- the floor: hand-written C ------------------------------------------------------
results=("huimin=$run/huimin.db" "sql=$run/sql.db")
if [ -f bench/floor/floor.c ]; then
	hm_log "cc -O2 -o $run/floor bench/floor/floor.c -lsqlite3"
	cc -O2 -o "$run/floor" bench/floor/floor.c -lsqlite3 2>"$run/floor.err" || {
		sed 's/^/  /' "$run/floor.err" >&2
		hm_die "no comparison: bench/floor/floor.c does not build"
	}
	hm_log "$run/floor $city $AS_OF $run/floor.db"
	t=$(now)
	"$run/floor" "$city" "$AS_OF" "$run/floor.db" >"$run/floor.out" 2>"$run/floor.err" || {
		sed 's/^/  /' "$run/floor.err" >&2
		hm_die "no comparison: the floor failed ($run/floor.err)"
	}
	fwall=$(wall "$t")
	grep -q '^floor: load ' "$run/floor.out" || hm_die "the floor printed no \`floor: load …\` line ($run/floor.out)"
	results+=("floor=$run/floor.db")
else
	hm_log "floor: bench/floor/floor.c does not exist yet: the floor is skipped"
fi

# ---- the same decisions? ------------------------------------------------------------
echo
grep '^huimin: run ' "$run/huimin.err" || true
same=1
python3 bench/sql/compare_results.py "${results[@]}" || same=0

# ---- timings ------------------------------------------------------------------------------
# "...: load L s, evaluate E s, write W s, total T s" -> "L E W T"
phases() {
	sed -n 's/.*load \([0-9.]*\) s, evaluate \([0-9.]*\) s, write \([0-9.]*\) s, total \([0-9.]*\) s.*/\1 \2 \3 \4/p' "$1" | head -n1
}
peak() { sed -n 's/.*peak memory:\{0,1\} \([0-9]*\) MiB.*/\1/p' "$1" | head -n1; }
read -r hl he hw _ <<<"$(phases "$run/huimin.err")"
hm=$(peak "$run/huimin.err")
read -r sl se sw _ <<<"$(phases "$run/sql.out")"
sm=$(peak "$run/sql.out")
echo
echo "city: $stamp ($city); results in $run"
printf '%-8s %9s %9s %9s %9s %10s\n' "" load evaluate write wall "peak MiB"
printf '%-8s %9s %9s %9s %9s %10s\n' huimin "$hl" "$he" "$hw" "$hwall" "$hm"
printf '%-8s %9s %9s %9s %9s %10s\n' sql "$sl" "$se" "$sw" "$swall" "$sm"
if [ -f "$run/floor.db" ]; then
	read -r fl fe fw _ <<<"$(phases "$run/floor.out")"
	fm=$(peak "$run/floor.out")
	printf '%-8s %9s %9s %9s %9s %10s\n' floor "$fl" "$fe" "$fw" "$fwall" "$fm"
fi
# settling: its evaluate time, and the decisions it took out of undetermined
read -r _ hse _ _ <<<"$(phases "$run/huimin-settled.err")"
undet() { python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM decisions WHERE status = ? AND run_id = (SELECT max(run_id) FROM runs)",
                 ("undetermined",)).fetchone()[0])' "$1"; }
settled=$(($(undet "$run/huimin.db") - $(undet "$run/huimin-settled.db")))
echo "settling: huimin's default run evaluates in $hse s and decides $settled more decisions (undetermined under Kleene's rules alone)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.001; printf "%.2f", a / b }'; }
echo "eval ratio sql/huimin = $(ratio "$se" "$he"); wall ratio sql/huimin = $(ratio "$swall" "$hwall")"
if [ -f "$run/floor.db" ]; then
	echo "eval ratio huimin/floor = $(ratio "$he" "$fe"); wall ratio huimin/floor = $(ratio "$hwall" "$fwall")"
fi
# the results database against the answers themselves
python3 - "$run/huimin.db" "$run/decisions.csv" <<'PY'
import csv, os, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["entity_kind", "entity_id", "policy", "status", "amount_fen"])
    w.writerows(db.execute("SELECT entity_kind, entity_id, policy, status, amount_fen FROM decisions "
                           "WHERE status IN ('eligible', 'undetermined') "
                           "AND run_id = (SELECT max(run_id) FROM runs)"))
h, c = os.path.getsize(sys.argv[1]), os.path.getsize(sys.argv[2])
print("results: huimin's database %.1f MB; its eligible and undetermined decisions as CSV %.1f MB (%.2fx)"
      % (h / 1e6, c / 1e6, h / max(c, 1)))
PY
if [ $same = 0 ]; then
	hm_die "the results disagree (above)"
fi
