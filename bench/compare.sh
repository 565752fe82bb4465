#!/bin/bash
# compare.sh [N] -- huimin against the same rules written in plain SQL on
# SQLite (bench/sql/pack.sql), over the example city of N households
# (default 100000), in one run.
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
#    and `peak memory: M MiB`).  pack.sql decides by Kleene's rules, as
#    SQL does, so this is the run compared with it.  huimin's default
#    also settles the decisions that come out the same whatever the value
#    of a yes/no or code fact not known (docs/language.md): that run is
#    timed too, and the line `settling: …` gives its evaluate time and how
#    many decisions it settled.
# 3. SQL: bench/sql/run_sql.py loads the department tables into an
#    in-memory SQLite database (load), runs pack.sql up to the table
#    sql_decisions (evaluate) and writes that table to a file (write);
#    peak memory is the process's maximum resident size.
# 4. The check: for every policy the same number of eligible, not eligible
#    and undetermined decisions and the same total amount, and the same
#    decision for every household and person (bench/sql/compare_results.py).
#    Any difference: exit 1.
# 5. The timings of both; the last line is
#      eval ratio sql/huimin = X; total ratio sql/huimin = Y
#    (SQL evaluate ÷ huimin evaluate, SQL total ÷ huimin total).
#
# HUIMIN names the huimin to use: the command itself, or a build folder
# holding it (brought up to date with make).  Without it, build/default is
# used, and configured and built (scripts/lib.sh) when it has no huimin.
# The results of the last comparison stay in bench/data/run-N/ (huimin.db,
# sql.db, and what each side printed).  SEED (default 1) picks another city.
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
rm -f "$run/huimin.db" "$run/sql.db"

# ---- huimin run ----------------------------------------------------------------
hm_log "huimin run examples/policies --config $city/sources.conf --as-of $AS_OF --kleene --out $run/huimin.db"
huimin_ok=1
"$HUIMIN" run examples/policies --config "$city/sources.conf" --as-of "$AS_OF" --kleene \
	--out "$run/huimin.db" --no-progress >"$run/huimin.out" 2>"$run/huimin.err" || huimin_ok=0
if [ $huimin_ok = 1 ] && ! grep -q '^timings: ' "$run/huimin.err"; then
	huimin_ok=0
	echo "huimin printed no \`timings:\` line" >>"$run/huimin.err"
fi
rm -f "$run/huimin-settled.db"
if [ $huimin_ok = 1 ]; then
	hm_log "huimin run … (settling, the default) --out $run/huimin-settled.db"
	"$HUIMIN" run examples/policies --config "$city/sources.conf" --as-of "$AS_OF" \
		--out "$run/huimin-settled.db" --no-progress >"$run/huimin-settled.out" 2>"$run/huimin-settled.err" ||
		huimin_ok=0
	grep -q '^timings: ' "$run/huimin-settled.err" || huimin_ok=0
fi

# ---- the same rules in SQL ------------------------------------------------------------
hm_log "bench/sql/pack.sql over the same city (bench/sql/run_sql.py)"
python3 bench/sql/run_sql.py "$city" "$run/sql.db" "$AS_OF" >"$run/sql.out"

# "...: load L s, evaluate E s, write W s, total T s" -> "L E W T"
phases() {
	sed -n 's/.*load \([0-9.]*\) s, evaluate \([0-9.]*\) s, write \([0-9.]*\) s, total \([0-9.]*\) s.*/\1 \2 \3 \4/p' "$1" | head -n1
}
read -r sl se sw st <<<"$(phases "$run/sql.out")"
sm=$(sed -n 's/.*peak memory \([0-9]*\) MiB.*/\1/p' "$run/sql.out")

if [ $huimin_ok = 0 ]; then
	echo
	printf '%-8s %10s %10s %10s %10s %12s\n' "" load evaluate write total "peak memory"
	printf '%-8s %10s %10s %10s %10s %12s\n' sql "$sl" "$se" "$sw" "$st" "$sm MiB"
	echo
	echo "huimin run --config failed; its messages ($run/huimin.err, $run/huimin-settled.err):" >&2
	sed 's/^/  /' "$run/huimin.err" "$run/huimin-settled.err" 2>/dev/null >&2 || true
	hm_die "no comparison: huimin run failed (the SQL side ran: $run/sql.db)"
fi

# ---- the same decisions? ------------------------------------------------------------
echo
grep '^huimin: run ' "$run/huimin.err" || true
same=1
python3 bench/sql/compare_results.py "$run/huimin.db" "$run/sql.db" || same=0

# ---- timings ------------------------------------------------------------------------------
read -r hl he hw ht <<<"$(phases "$run/huimin.err")"
hm=$(sed -n 's/^peak memory: \([0-9]*\) MiB.*/\1/p' "$run/huimin.err")
echo
echo "city: $stamp ($city); results in $run"
printf '%-8s %10s %10s %10s %10s %12s\n' "" load evaluate write total "peak memory"
printf '%-8s %10s %10s %10s %10s %12s\n' huimin "$hl" "$he" "$hw" "$ht" "$hm MiB"
printf '%-8s %10s %10s %10s %10s %12s\n' sql "$sl" "$se" "$sw" "$st" "$sm MiB"
# settling: its evaluate time, and the decisions it took out of undetermined
read -r _ hse _ _ <<<"$(phases "$run/huimin-settled.err")"
undet() { python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM decisions WHERE status = ?", ("undetermined",)).fetchone()[0])' "$1"; }
settled=$(($(undet "$run/huimin.db") - $(undet "$run/huimin-settled.db")))
echo "settling: huimin's default run evaluates in $hse s and decides $settled more decisions (undetermined under Kleene's rules alone)"
if [ $same = 0 ]; then
	hm_die "huimin and SQL disagree (above)"
fi
awk -v he="$he" -v ht="$ht" -v se="$se" -v st="$st" 'BEGIN {
	if (he <= 0) he = 0.001
	if (ht <= 0) ht = 0.001
	printf "eval ratio sql/huimin = %.2f; total ratio sql/huimin = %.2f\n", se / he, st / ht
}'
