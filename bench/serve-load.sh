#!/bin/sh
# serve-load.sh -- load test of `huimin serve`: wrk posts example
# households to /v1/calculate over 32 connections for 60 seconds and the
# server's memory is read at the start, in the middle and at the end.
#
#   bench/serve-load.sh                     # the full run (docs/serve.md)
#   DURATION=10 bench/serve-load.sh         # shorter
#
# Environment: HUIMIN (default build/default/huimin), DURATION (seconds,
# 60), CONNECTIONS (32), WRK_THREADS (2), SERVER_THREADS (0: one per core),
# MAX_RSS_GROWTH_KB (fail when the memory grew more from the middle to the
# end; default 8192).  Exit 0, or 1 when a request failed or memory grew.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
HUIMIN=${HUIMIN:-$here/build/default/huimin}
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-0}
MAX_RSS_GROWTH_KB=${MAX_RSS_GROWTH_KB:-8192}
command -v wrk > /dev/null || { echo "serve-load: wrk is needed (apt-get install wrk)" >&2; exit 77; }
tmp=$(mktemp -d) || exit 99
spid=
trap '[ -z "$spid" ] || kill "$spid" 2> /dev/null; rm -rf "$tmp"' EXIT

"$HUIMIN" compile "$here/examples/policies" -o "$tmp/pack.hmc" || exit 99
# example households: the family, and variants of it that decide otherwise
bodies=
for v in 0 1 2 3; do
    python3 - "$here/examples/households/family.json" "$tmp/body$v.json" "$v" <<'PY' || exit 99
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = int(sys.argv[3])
m = d["household"]["members"]
if v >= 1:
    m[0]["monthly_income"] = 400 * v
if v >= 2:
    d["household"]["assets"] = "%d.00" % (5000 * v)
if v == 3:
    m.append({"birth_date": "1935-01-01", "relation": "parent", "marital": "widowed",
              "monthly_income": 0, "medical_selfpay": 0, "local_hukou": True, "residence_years": 60})
d["as_of"] = "2024-08-01"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
    bodies=$bodies${bodies:+:}$tmp/body$v.json
done

threads=
[ "$SERVER_THREADS" -gt 0 ] && threads="--threads $SERVER_THREADS"
# shellcheck disable=SC2086
"$HUIMIN" serve "$tmp/pack.hmc" --listen 127.0.0.1:0 $threads 2> "$tmp/err" &
spid=$!
url=
for _ in $(seq 100); do
    port=$(sed -n 's|.* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/err")
    [ -n "$port" ] && { url=http://127.0.0.1:$port; break; }
    sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/err"; exit 99; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$spid/status"; }

# warm up every worker (its evaluator), then measure
BODIES=$bodies wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s -s "$here/bench/serve-load.lua" "$url/v1/calculate" > /dev/null
rss_start=$(rss)
BODIES=$bodies wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$here/bench/serve-load.lua" \
    "$url/v1/calculate" > "$tmp/wrk" &
wpid=$!
sleep $((DURATION / 2))
rss_middle=$(rss)
wait $wpid
rss_end=$(rss)
cores=$(nproc)
echo "huimin serve: POST /v1/calculate, $CONNECTIONS connections, ${DURATION} s, $cores cores"
sed -n '/^requests /,$p' "$tmp/wrk"
echo "rss_kb start $rss_start middle $rss_middle end $rss_end"
errors=$(sed -n 's/^errors \([0-9]*\).*/\1/p' "$tmp/wrk")
status=0
[ "${errors:-1}" -eq 0 ] || { echo "serve-load: $errors requests failed" >&2; status=1; }
if [ $((rss_end - rss_middle)) -gt "$MAX_RSS_GROWTH_KB" ]; then
    echo "serve-load: memory grew by $((rss_end - rss_middle)) kB in the second half" >&2
    status=1
fi
# stopped cleanly (under AddressSanitizer: no leak)
kill -TERM "$spid"
wait "$spid"
st=$?
spid=
[ $st -eq 0 ] || { echo "serve-load: the server exited with $st" >&2; tail -20 "$tmp/err" >&2; status=1; }
exit $status
