#!/bin/bash
# compare.sh [N] -- huimin against the same rules written as plain SQL on
# SQLite, over the example city of N households (default 100000), in one run.
#
# The rules: examples/policies/dibao.pol, tekun.pol and gaoling.pol (低保,
# 特困 which excludes it, 高龄津贴), and bench/sql/pack.sql, their SQL.
# Both must give the same decision for every household and person; the
# script fails otherwise.  Timed phases:
#   huimin: load (plugins to facts in memory), evaluate, write (results.db)
#   SQL:    load (department tables copied into memory and indexed),
#           evaluate (pack.sql), write (the decisions to a file)
# The last line: eval ratio sql/huimin = X; total ratio sql/huimin = Y
#
# The city is generated under bench/data/city-N (reused when it exists with
# the same N).  HUIMIN names the command (default build/default/huimin,
# built with scripts/lib.sh when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
N=${1:-100000}
AS_OF=2024-08-01
city=bench/data/city-$N
HUIMIN=${HUIMIN:-build/default/huimin}
if [ ! -x "$HUIMIN" ]; then
	hm_install_deps
	hm_build build/default
	HUIMIN=build/default/huimin
fi
if ! grep -qx "households=$N seed=1 as_of=$AS_OF" "$city/city.txt" 2>/dev/null; then
	hm_log "generating the example city of $N households in $city"
	python3 examples/city/generate --households "$N" --seed 1 --as-of "$AS_OF" --out "$city"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
policies="examples/policies/dibao.pol examples/policies/tekun.pol examples/policies/gaoling.pol"

hm_log "huimin run $policies --config $city/sources.conf"
# shellcheck disable=SC2086
"$HUIMIN" run $policies --config "$city/sources.conf" --as-of "$AS_OF" --out "$work/huimin.db" \
	--no-progress > "$work/huimin.summary" 2> "$work/huimin.err" ||
	{ cat "$work/huimin.err"; hm_die "huimin run failed"; }
hm_log "the same rules in SQL (bench/sql/pack.sql)"
python3 bench/sql/run_sql.py "$city" "$work/sql.db" "$AS_OF" > "$work/sql.times"

# ---- the same decisions? ---------------------------------------------------
counts() {
	sqlite3 -separator ' ' "$1" "$2"
}
hq="SELECT policy, status, count(*), coalesce(sum(amount_fen), 0) FROM decisions
    WHERE run_id = (SELECT max(run_id) FROM runs) GROUP BY 1, 2 ORDER BY 1, 2"
sq="SELECT policy, status, count(*), coalesce(sum(amount_fen), 0) FROM sql_decisions GROUP BY 1, 2 ORDER BY 1, 2"
counts "$work/huimin.db" "$hq" > "$work/huimin.counts"
counts "$work/sql.db" "$sq" > "$work/sql.counts"
printf '\n%-10s %-14s %10s %16s   %10s %16s\n' policy status huimin "amount (fen)" sql "amount (fen)"
join -j1 <(awk '{print $1"/"$2, $3, $4}' "$work/huimin.counts") \
	<(awk '{print $1"/"$2, $3, $4}' "$work/sql.counts") -a1 -a2 -e- -o 0,1.2,1.3,2.2,2.3 |
	while read -r key hc ha sc sa; do
		printf '%-10s %-14s %10s %16s   %10s %16s\n' "${key%%/*}" "${key#*/}" "$hc" "$ha" "$sc" "$sa"
	done
if ! cmp -s "$work/huimin.counts" "$work/sql.counts"; then
	hm_die "huimin and SQL disagree on the counts or amounts above"
fi
# and entity by entity
diffs=$(sqlite3 "$work/huimin.db" "ATTACH '$work/sql.db' AS s;
	SELECT count(*) FROM decisions d JOIN s.sql_decisions q
	  ON q.entity_id = d.entity_id AND q.policy = d.policy
	WHERE d.run_id = (SELECT max(run_id) FROM runs)
	  AND (q.status IS NOT d.status OR q.amount_fen IS NOT d.amount_fen)")
[ "$diffs" = 0 ] || hm_die "$diffs decisions differ between huimin and SQL"
echo "every decision agrees"

# ---- timings -----------------------------------------------------------------
t=$(grep '^timings:' "$work/huimin.err")
mem=$(sed -n 's/^peak memory: \([0-9]*\) MiB/\1/p' "$work/huimin.err")
read -r hl he hw ht <<<"$(echo "$t" | sed 's/[^0-9. ]//g; s/  */ /g; s/^ //')"
read -r sl se sw st sm <<<"$(sed 's/[^0-9. ]//g; s/  */ /g; s/^ //' "$work/sql.times")"
echo
echo "$(grep -c . "$work/huimin.counts") policy/status groups; city: $(cat "$city/city.txt")"
printf '%-8s %10s %10s %10s %10s %12s\n' "" load evaluate write total "peak MiB"
printf '%-8s %10s %10s %10s %10s %12s\n' huimin "$hl" "$he" "$hw" "$ht" "$mem"
printf '%-8s %10s %10s %10s %10s %12s\n' sql "$sl" "$se" "$sw" "$st" "$sm"
python3 -c "import sys; he,ht,se,st=map(float,sys.argv[1:]); print('eval ratio sql/huimin = %.2f; total ratio sql/huimin = %.2f' % (se/max(he,1e-9), st/max(ht,1e-9)))" "$he" "$ht" "$se" "$st"
