#!/bin/sh
# run-city.sh -- `huimin serve` on a 200-household example city: every
# household (exported with `huimin export`) gets from /v1/calculate the
# decisions `huimin run --given` prints for it, decision by decision; the
# reviewer pages /review/explain and /review/report answer with ids masked.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
command -v curl > /dev/null || { echo "curl is needed"; exit 77; }
tmp=$(mktemp -d) || exit 99
. "$SRCDIR/tests/serve/lib.sh"
trap serve_cleanup EXIT
cd "$SRCDIR" || exit 99
day=2024-08-01
"$HUIMIN" compile examples/policies -o "$tmp/pack.hmc" || exit 99
python3 examples/city/generate --households 200 --seed 5 --as-of $day --out "$tmp/city" > /dev/null 2>&1 || exit 99
conf=$tmp/city/sources.conf
"$HUIMIN" run "$tmp/pack.hmc" --config "$conf" --as-of $day --out "$tmp/results.db" > /dev/null 2>&1 || exit 99
python3 -c 'import sqlite3, sys
for (i,) in sqlite3.connect(sys.argv[1]).execute("select hh_id from household order by hh_id"):
    print(i)' "$tmp/city/registry.db" > "$tmp/ids"
[ "$(wc -l < "$tmp/ids")" -eq 200 ] || { echo "the city has not 200 households"; exit 99; }

# every household exported, and decided by the command, two at a time
mkdir "$tmp/hh"
export HUIMIN tmp conf day
xargs -P 2 -I ID sh -c '"$HUIMIN" export "$tmp/pack.hmc" --config "$conf" --household ID --as-of $day > "$tmp/hh/ID.json" &&
    "$HUIMIN" run "$tmp/pack.hmc" --given "$tmp/hh/ID.json" --as-of $day --format json > "$tmp/hh/ID.run"' < "$tmp/ids" \
    || { echo "FAIL: export or run --given"; exit 1; }

serve_start "$tmp/pack.hmc" --as-of $day --config "$conf" --results "$tmp/results.db" --access-log "$tmp/access.log" \
    || { cat "$tmp/serve.err"; exit 99; }
python3 - "$URL" "$tmp" > "$tmp/compare" <<'PY'
import http.client, json, sys, urllib.parse
url, tmp = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port)
households = decisions = differ = 0
for line in open(tmp + "/ids"):
    hid = line.strip()
    body = open("%s/hh/%s.json" % (tmp, hid), "rb").read()
    conn.request("POST", "/v1/calculate", body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    got = json.loads(r.read())
    want = json.load(open("%s/hh/%s.run" % (tmp, hid)))
    households += 1
    if r.status != 200:
        print("FAIL: %s: %d %s" % (hid, r.status, got))
        differ += 1
        continue
    w, g = want["decisions"], got["decisions"]
    decisions += len(w)
    if len(w) != len(g) or want["as_of"] != got["as_of"]:
        print("FAIL: %s: %d decisions, the command %d" % (hid, len(g), len(w)))
        differ += 1
        continue
    for a, b in zip(w, g):
        if a != b:
            print("FAIL: %s %s member %s: %s, the command %s" % (hid, a["policy"], a["member"], b, a))
            differ += 1
print("households %d decisions %d differ %d" % (households, decisions, differ))
PY
if grep -q '^households 200 decisions [1-9][0-9]* differ 0$' "$tmp/compare"; then
    ok
else
    bad "calculate and run --given:"; head -5 "$tmp/compare"
fi
# the decisions are not all alike: the city exercises the policies
python3 -c 'import glob, json, sys
st = {d["status"] for f in glob.glob(sys.argv[1] + "/hh/*.run") for d in json.load(open(f))["decisions"]}
sys.exit(0 if {"eligible", "not_eligible", "undetermined"} <= st else 1)' "$tmp" && ok || bad "the city's decisions are all alike"

# ---- /review/: the reviewer's page of a household, the population report --------
hid=$(sed -n 8p "$tmp/ids")
pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["household"]["members"][0]["id"])' "$tmp/hh/$hid.json")
get "$URL/review/explain?household=$hid"
if [ "$CODE" = 200 ] && grep -qi '^content-type: text/html; charset=utf-8' "$tmp/headers" \
   && grep -q '<html' "$tmp/body" && ! grep -q "$hid" "$tmp/body" && ! grep -q "$pid" "$tmp/body"; then
    ok
else
    bad "review/explain: $CODE (ids whole: $(grep -c "$hid\|$pid" "$tmp/body"))"
fi
get "$URL/review/explain?household=$hid&policy=dibao"
[ "$CODE" = 200 ] && grep -q '<html' "$tmp/body" && ok || bad "review/explain one policy: $CODE"
get "$URL/review/explain?household=330102H999999999"
error_is 404 not_found '' && ok || bad "review/explain of no household: $CODE $(cat "$tmp/body")"
get "$URL/review/explain"
error_is 400 bad_request 'household=ID' && ok || bad "review/explain without household: $CODE"
get "$URL/review/report"
if [ "$CODE" = 200 ] && grep -q '<svg' "$tmp/body"; then
    ok
else
    bad "review/report: $CODE $(head -c 200 "$tmp/body")"
fi
serve_stop
if grep -q "^GET /review/explain?household=${hid%???????????}\*\{7\}${hid#????????????} 200 " "$tmp/access.log" && ! grep -q "$hid" "$tmp/access.log"; then
    ok
else
    bad "access log of /review/:"; grep review "$tmp/access.log" | head -3
fi

echo "serve city: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
