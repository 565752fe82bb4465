#!/bin/sh
# run-api.sh -- `huimin serve`: every endpoint of the JSON API against the
# commands it stands for, every error, CORS off and on, SIGHUP reloads
# (good, bad, with requests in flight), the access log, exit statuses.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
command -v curl > /dev/null || { echo "curl is needed"; exit 77; }
tmp=$(mktemp -d) || exit 99
. "$SRCDIR/tests/serve/lib.sh"
trap serve_cleanup EXIT
cd "$SRCDIR" || exit 99
family=examples/households/family.json
day=2024-08-01
"$HUIMIN" compile examples/policies -o "$tmp/pack.hmc" || exit 99

# a request body: the household of FILE with the JSON members given after it
body() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d.update(json.loads(sys.argv[2]))
json.dump(d, open(sys.argv[3], "w", encoding="utf-8"), ensure_ascii=False)' "$1" "$2" "$3"
}
body $family "{\"as_of\": \"$day\"}" "$tmp/family.json"

serve_start "$tmp/pack.hmc" --access-log "$tmp/access.log" || { cat "$tmp/serve.err"; exit 99; }

# ---- GET /v1/health, /v1/policies -------------------------------------------
get "$URL/v1/health"
hash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pack"])' "$tmp/body")
if [ "$CODE" = 200 ] && json_is "$tmp/body" "d['status'] == 'ok' and d['pack'].startswith('sha256:')
        and d['policies'] == 15 and d['version'] and d['loaded'].endswith('Z')" \
   && grep -qi '^content-type: application/json; charset=utf-8' "$tmp/headers" \
   && grep -qi '^cache-control: no-store' "$tmp/headers" && ! grep -qi '^access-control' "$tmp/headers"; then
    ok
else
    bad "health: $CODE $(cat "$tmp/body")"
fi
get "$URL/v1/policies"
cp "$tmp/body" "$tmp/policies.json"
if [ "$CODE" = 200 ] && json_is "$tmp/body" "d['pack'] == '$hash' and len(d['policies']) == 15
        and [p for p in d['policies'] if p['name'] == 'dibao' and p['entity'] == 'household'
             and p['period'] == 'month' and p['has_amount'] and 'household.assets' in p['facts']]
        and [f for f in d['facts'] if f['name'] == 'person.marital' and f['type'] == 'code'
             and {'code': 'married', 'label': '已婚'} in f['codes'] and 'registry' in f['sources']]
        and [f for f in d['facts'] if f['name'] == 'person.monthly_income' and f['period'] == 'month'
             and f['label'].startswith('月收入') and f['field'] == 'monthly_income' and f['entity'] == 'person']
        and not [f for f in d['facts'] if f['name'] == 'household.region.dibao_line']
        and all(f['name'] in [g['name'] for g in d['facts']] for p in d['policies'] for f in [{'name': n} for n in p['facts']])
        and d['parameters'] and all(set(p) == {'name', 'label', 'type', 'reference'} for p in d['parameters'])"; then
    ok
else
    bad "policies: $CODE $(head -c 300 "$tmp/body")"
fi

# ---- POST /v1/calculate: the decisions of `huimin run --given` ---------------
"$HUIMIN" run "$tmp/pack.hmc" --given $family --as-of $day --format json > "$tmp/run.json"
post /v1/calculate "$tmp/family.json"
if [ "$CODE" = 200 ] && python3 -c 'import json, sys
sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$tmp/body" "$tmp/run.json"; then
    ok
else
    bad "calculate differs from run --given: $CODE"; diff "$tmp/body" "$tmp/run.json" | head -5
fi
body $family "{\"as_of\": \"$day\", \"policy\": \"gaoling\"}" "$tmp/one.json"
post /v1/calculate "$tmp/one.json"
if [ "$CODE" = 200 ] && json_is "$tmp/body" "len(d['decisions']) == 3 and {x['policy'] for x in d['decisions']} == {'gaoling'}"; then
    ok
else
    bad "calculate one policy: $CODE $(head -c 300 "$tmp/body")"
fi

# ---- POST /v1/explain: the document and the texts of `huimin explain` -------
"$HUIMIN" explain "$tmp/pack.hmc" --given $family --as-of $day --policy dibao --format json --show-ids \
    > "$tmp/explain.json"
body $family "{\"as_of\": \"$day\", \"policy\": \"dibao\", \"audience\": \"reviewer\"}" "$tmp/req.json"
post /v1/explain "$tmp/req.json"
if [ "$CODE" = 200 ] && python3 -c 'import json, sys
sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$tmp/body" "$tmp/explain.json"; then
    ok
else
    bad "explain json differs from the command: $CODE"; head -c 300 "$tmp/body"
fi
for aud in citizen reviewer; do
    for lang in zh en; do
        HUIMIN_LANG=$lang "$HUIMIN" explain "$tmp/pack.hmc" --given $family --as-of $day --audience $aud > "$tmp/want.txt"
        body $family "{\"as_of\": \"$day\", \"audience\": \"$aud\", \"lang\": \"$lang\", \"format\": \"text\"}" "$tmp/req.json"
        post /v1/explain "$tmp/req.json"
        python3 -c 'import json, sys; sys.stdout.write(json.load(open(sys.argv[1]))["text"])' "$tmp/body" > "$tmp/got.txt" 2> /dev/null
        if [ "$CODE" = 200 ] && cmp -s "$tmp/want.txt" "$tmp/got.txt"; then
            ok
        else
            bad "explain text $aud $lang differs from the command: $CODE"; diff "$tmp/want.txt" "$tmp/got.txt" | head -5
        fi
    done
done
body $family "{\"as_of\": \"$day\", \"format\": \"html\"}" "$tmp/req.json"
post /v1/explain "$tmp/req.json"
if [ "$CODE" = 200 ] && grep -qi '^content-type: text/html; charset=utf-8' "$tmp/headers" && grep -q '<html' "$tmp/body"; then
    ok
else
    bad "explain html: $CODE"
fi

# ---- POST /v1/needs: the document of `huimin needs` and the questions -------
"$HUIMIN" needs "$tmp/pack.hmc" --given $family --as-of $day --format json > "$tmp/needs.json"
post /v1/needs "$tmp/family.json"
if [ "$CODE" = 200 ] && python3 -c 'import json, sys
got, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
q = got.pop("questions")
assert got == want
facts = {f["name"]: f for f in json.load(open(sys.argv[3]))["facts"]}
keys = [(x["member"] or 0, x["fact"]) for x in q]
assert len(keys) == len(set(keys)), "each fact once"
order = list(facts)
assert keys == sorted(keys, key=lambda k: (k[0], order.index(k[1]))), "household first, members in order"
waiting = {d["policy"] for d in want["decisions"] if d["status"] == "undetermined"}
for x in q:
    f = facts[x["fact"]]
    assert x["label"] == f["label"] and x["type"] == f["type"] and x["period"] == f["period"]
    assert x.get("codes") == f.get("codes")
    assert x["policies"] and set(x["policies"]) <= waiting
    assert (x["member"] is None) == (f["entity"] == "household")
assert q' "$tmp/body" "$tmp/needs.json" "$tmp/policies.json" 2> "$tmp/py.err"; then
    ok
else
    bad "needs: $CODE $(cat "$tmp/py.err" | tail -2)"
fi
# a household every policy can decide: no question
printf '{"household": {"members": []}, "as_of": "%s"}' $day > "$tmp/req.json"
post /v1/needs "$tmp/req.json"
[ "$CODE" = 200 ] && json_is "$tmp/body" "isinstance(d['questions'], list)" && ok || bad "needs of an empty household: $CODE"

# ---- errors: the messages of the commands ------------------------------------
printf '{"household": {"assets": 5,\n  "x" }}' > "$tmp/req.json"
post /v1/calculate "$tmp/req.json"
error_is 400 bad_request "line 2, column 7" && ok || bad "bad JSON: $CODE $(cat "$tmp/body")"
printf '{"household": {"assets": "abc"}}' > "$tmp/req.json"
"$HUIMIN" run "$tmp/pack.hmc" --given "$tmp/req.json" > /dev/null 2> "$tmp/err"
msg=$(sed -n 's|^huimin: [^:]*: ||p' "$tmp/err")
post /v1/calculate "$tmp/req.json"
error_is 400 bad_request "$msg" && ok || bad "wrong type: $CODE $(cat "$tmp/body") (the command: $msg)"
printf '{"household": {"asets": 5}}' > "$tmp/req.json"
post /v1/needs "$tmp/req.json"
error_is 400 bad_request 'household has no fact `asets`' && ok || bad "unknown fact: $CODE $(cat "$tmp/body")"
printf '{"household": {}, "policy": "dibo"}' > "$tmp/req.json"
post /v1/explain "$tmp/req.json"
error_is 400 bad_request 'no policy `dibo`' && ok || bad "unknown policy: $CODE $(cat "$tmp/body")"
printf '{"household": {}, "as_of": "2024-13-01"}' > "$tmp/req.json"
post /v1/calculate "$tmp/req.json"
error_is 400 bad_request '2024-13-01' && ok || bad "bad date: $CODE $(cat "$tmp/body")"
printf '[1, 2]' > "$tmp/req.json"
post /v1/calculate "$tmp/req.json"
error_is 400 bad_request 'household' && ok || bad "not an object: $CODE $(cat "$tmp/body")"
printf '{"household": {}, "audience": "judge"}' > "$tmp/req.json"
post /v1/explain "$tmp/req.json"
error_is 400 bad_request 'audience' && ok || bad "bad audience: $CODE $(cat "$tmp/body")"
head -c 1100000 /dev/zero | tr '\0' ' ' > "$tmp/big.json"
post /v1/calculate "$tmp/big.json"
error_is 413 too_large '1048576 bytes' && ok || bad "too large: $CODE $(cat "$tmp/body")"
CODE=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' --data-binary "@$tmp/big.json" "$URL/v1/needs")
error_is 413 too_large 'larger than' && ok || bad "too large, chunked: $CODE $(cat "$tmp/body")"
get "$URL/v1/calculate"
error_is 405 method_not_allowed 'use POST' && grep -qi '^allow: POST' "$tmp/headers" && ok || bad "GET calculate: $CODE"
get -X POST "$URL/v1/health"
error_is 405 method_not_allowed 'use GET' && ok || bad "POST health: $CODE"
get -X DELETE "$URL/"
error_is 405 method_not_allowed 'DELETE' && ok || bad "DELETE /: $CODE"
get -X OPTIONS "$URL/v1/calculate"
[ "$CODE" = 405 ] && ! grep -qi '^access-control' "$tmp/headers" && ok || bad "OPTIONS without --cors: $CODE"
get "$URL/v1/nothing"
error_is 404 not_found '/v1/nothing' && ok || bad "unknown path: $CODE"
get "$URL/review/explain?household=330102198001011234"
error_is 404 not_found '--config' && ok || bad "review without --config: $CODE $(cat "$tmp/body")"
get "$URL/"
[ "$CODE" = 200 ] && grep -qi '^content-type: text/html' "$tmp/headers" && grep -qi '^cache-control: no-store' "$tmp/headers" \
    && ok || bad "GET /: $CODE"
get "$URL/no/such/file.txt"
error_is 404 not_found 'no such path' && ok || bad "unknown file: $CODE"
get -I "$URL/v1/health"
[ "$CODE" = 200 ] && ok || bad "HEAD health: $CODE"

# ---- SIGHUP: a good pack, requests in flight, a bad pack ---------------------
mkdir "$tmp/pol2"
cp examples/policies/*.pol "$tmp/pol2/"
echo "# 修订" >> "$tmp/pol2/dibao.pol"
"$HUIMIN" compile "$tmp/pol2" -o "$tmp/pack2.hmc" || exit 99
(i=0; while [ $i -lt 60 ]; do post /v1/calculate "$tmp/family.json"; echo "$CODE"; i=$((i + 1)); done) > "$tmp/codes" &
loop=$!
sleep 0.2
cp "$tmp/pack2.hmc" "$tmp/pack.tmp" && mv "$tmp/pack.tmp" "$tmp/pack.hmc"
kill -HUP "$SPID"
wait $loop
get "$URL/v1/health"
hash2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pack"])' "$tmp/body")
if [ "$(sort -u "$tmp/codes")" = 200 ] && [ "$(wc -l < "$tmp/codes")" -eq 60 ] && [ -n "$hash2" ] \
   && [ "$hash2" != "$hash" ] && grep -q "reloaded $hash2" "$tmp/serve.err"; then
    ok
else
    bad "reload: $(sort "$tmp/codes" | uniq -c | tr '\n' ' ') $hash -> $hash2"
fi
head -c 200 "$tmp/pack2.hmc" > "$tmp/pack.hmc"
kill -HUP "$SPID"
sleep 1
get "$URL/v1/health"
if json_is "$tmp/body" "d['pack'] == '$hash2'" && grep -q "reload failed, still serving $hash2" "$tmp/serve.err"; then
    ok
else
    bad "a bad pack on reload: $(cat "$tmp/body"); $(tail -2 "$tmp/serve.err")"
fi
post /v1/calculate "$tmp/family.json"
[ "$CODE" = 200 ] && ok || bad "calculate after a failed reload: $CODE"

# ---- the access log: one line per request, no id whole ------------------------
serve_stop
[ "$STATUS" = 0 ] && ok || bad "SIGTERM: exit $STATUS"
if grep -q '^GET /v1/health 200 [0-9]* [0-9]*$' "$tmp/access.log" \
   && grep -q '^POST /v1/calculate 413 ' "$tmp/access.log" \
   && grep -q '^GET /review/explain?household=330102\*\{8\}1234 404 ' "$tmp/access.log" \
   && ! grep -q '198001011234' "$tmp/access.log" \
   && ! grep -q 'assets' "$tmp/access.log"; then
    ok
else
    bad "access log:"; tail -5 "$tmp/access.log"
fi

# ---- CORS on ----------------------------------------------------------------------
serve_start "$tmp/pack2.hmc" --cors https://calc.example.org || exit 99
get "$URL/v1/health"
grep -qi '^access-control-allow-origin: https://calc.example.org' "$tmp/headers" && ok || bad "CORS header"
get -X OPTIONS -H 'Origin: https://calc.example.org' -H 'Access-Control-Request-Method: POST' "$URL/v1/calculate"
if [ "$CODE" = 204 ] && grep -qi '^access-control-allow-methods: .*POST' "$tmp/headers" \
   && grep -qi '^access-control-allow-headers: content-type' "$tmp/headers"; then
    ok
else
    bad "preflight: $CODE"
fi
# ---- a port in use, a pack that cannot be used, usage ---------------------------
port=${URL##*:}
"$HUIMIN" serve "$tmp/pack2.hmc" --listen 127.0.0.1:"$port" 2> "$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "cannot listen on 127.0.0.1:$port: Address already in use" "$tmp/err" && ok \
    || bad "port in use: exit $st $(cat "$tmp/err")"
serve_stop
"$HUIMIN" serve "$tmp/pack.hmc" --listen 127.0.0.1:0 2> "$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q 'bad bytecode\|huimin: serve:' "$tmp/err" && ok || bad "bad pack: exit $st $(cat "$tmp/err")"
"$HUIMIN" serve 2> /dev/null
[ $? -eq 2 ] && ok || bad "no pack: not exit 2"
"$HUIMIN" serve "$tmp/pack2.hmc" --listen nowhere 2> "$tmp/err"
[ $? -eq 2 ] && grep -q 'HOST:PORT' "$tmp/err" && ok || bad "bad --listen: $(cat "$tmp/err")"
"$HUIMIN" serve "$tmp/pack2.hmc" --threads 0 2> /dev/null
[ $? -eq 2 ] && ok || bad "--threads 0 accepted"

echo "serve API: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
