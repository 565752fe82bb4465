#!/bin/sh
# run-reform-city.sh -- the 灵活就业 reform (tests/reform/linghuo_leiji.pol:
# contributions counted cumulatively before 2025 too) on the example city:
# the persons it makes newly eligible are exactly those a direct SQL query
# over the city's databases finds (hard to employ, flexible employed, alive
# by a registry record not stale, 6 or more months paid of the 12 before
# the as-of month but never 6 in a row); nobody loses it; the other
# policies are not changed.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
command -v python3 > /dev/null && command -v sqlite3 > /dev/null || { echo "SKIP: python3 and sqlite3 needed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/huimin-reform-city.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
python3 "$SRCDIR/examples/city/generate" --households 3000 --seed 5 --as-of 2024-08-01 --out "$work/city" > /dev/null 2>&1 ||
    { echo "FAIL: examples/city/generate"; exit 1; }
pack="$SRCDIR/examples/policies"
"$HUIMIN" compile "$pack" -o "$work/base.hmc" || exit 1
"$HUIMIN" compile "$pack" --reform "$SRCDIR/tests/reform/linghuo_leiji.pol" -o "$work/reform.hmc" || exit 1
for p in base reform; do
    "$HUIMIN" run "$work/$p.hmc" --config "$work/city/sources.conf" --out "$work/$p.db" --no-progress > /dev/null 2>&1 ||
        fail "run $p"
done
q() { sqlite3 "$work/reform.db" "attach '$work/base.db' as b; $1"; }
gained=$(q "select count(*) from main.decisions r where r.policy = 'linghuo' and r.status = 'eligible'
            and not exists (select 1 from b.decisions x where x.policy = 'linghuo' and x.entity_id = r.entity_id
                            and x.status = 'eligible')")
lost=$(q "select count(*) from b.decisions x where x.policy = 'linghuo' and x.status = 'eligible'
          and not exists (select 1 from main.decisions r where r.policy = 'linghuo' and r.entity_id = x.entity_id
                          and r.status = 'eligible')")
others=$(q "select count(*) from (select policy, entity_id, status, amount_fen from main.decisions where policy <> 'linghuo'
                                   except select policy, entity_id, status, amount_fen from b.decisions where policy <> 'linghuo')")
# the months 2023-08 to 2024-07; a registry record is stale after 31 days
direct=$(python3 - "$work/city" <<'PY'
import sqlite3, sys
d = sys.argv[1]
db = sqlite3.connect(d + "/social_security.db")
db.execute("attach ? as r", (d + "/registry.db",))
months = ["2023-%02d" % m for m in range(8, 13)] + ["2024-%02d" % m for m in range(1, 8)]
n = 0
for (pid,) in db.execute("select e.person_id from employment e join r.person p on p.person_id = e.person_id"
                         " where e.hard_to_employ = 1 and e.flexible_employed = 1 and p.deceased = 0"
                         " and p.updated_on >= '2024-07-01'").fetchall():
    paid = {m for (m,) in db.execute("select month from contribution where person_id = ? and amount_fen is not null", (pid,))}
    run = best = 0
    for m in months:
        run = run + 1 if m in paid else 0
        best = max(best, run)
    n += sum(m in paid for m in months) >= 6 and best < 6
print(n)
PY
)
echo "linghuo: newly eligible $gained, by SQL $direct; no longer eligible $lost; other decisions changed $others"
[ -n "$direct" ] && [ "$gained" = "$direct" ] || fail "newly eligible $gained, the direct count $direct"
[ "$gained" -gt 0 ] || fail "the reform makes nobody eligible"
[ "$lost" = 0 ] || fail "$lost no longer eligible"
[ "$others" = 0 ] || fail "$others decisions of other policies changed"
# a what-if over the population: recorded with the run's settings
"$HUIMIN" run "$work/base.hmc" --config "$work/city/sources.conf" --out "$work/set.db" --no-progress \
    --set parameter.最低缴费月数=5 --set run.threads=1 > /dev/null 2>&1 || fail "run --set parameter"
sets=$(sqlite3 "$work/set.db" "select replace(trim(config_sets, char(10)), char(10), ' ') from runs")
[ "$sets" = "parameter.最低缴费月数=5 run.threads=1" ] || fail "runs.config_sets: $sets"
more=$(sqlite3 "$work/set.db" "select count(*) from decisions where policy = 'linghuo' and status = 'eligible'")
base=$(sqlite3 "$work/base.db" "select count(*) from decisions where policy = 'linghuo' and status = 'eligible'")
[ "$more" -gt "$base" ] || fail "--set parameter.最低缴费月数=5: $more eligible, the base $base"
exit $status
