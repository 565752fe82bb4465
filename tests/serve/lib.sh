# lib.sh -- helpers of the server tests: start `huimin serve` on a free
# port of 127.0.0.1 and always stop it.  Source after setting $tmp.

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# serve_start ARGS...: start the server (stderr in $tmp/serve.err); sets
# SPID and URL.  Returns 1 when it did not start.
serve_start() {
    : > "$tmp/serve.err"
    "$HUIMIN" serve "$@" --listen 127.0.0.1:0 2>> "$tmp/serve.err" &
    SPID=$!
    URL=
    i=0
    while [ $i -lt 100 ]; do
        port=$(sed -n 's|.* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.err")
        if [ -n "$port" ]; then
            URL=http://127.0.0.1:$port
            return 0
        fi
        kill -0 "$SPID" 2> /dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# serve_stop: SIGTERM, and the exit status in $STATUS.
serve_stop() {
    STATUS=
    [ -n "$SPID" ] || return 0
    kill -TERM "$SPID" 2> /dev/null
    wait "$SPID"
    STATUS=$?
    SPID=
}

serve_cleanup() {
    [ -z "$SPID" ] || kill -KILL "$SPID" 2> /dev/null
    rm -rf "$tmp"
}

# post PATH FILE: the body in $tmp/body, the status in $CODE, headers in $tmp/headers
post() {
    CODE=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' --data-binary "@$2" "$URL$1")
}
get() {
    CODE=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' "$@")
}

# json_is FILE PYTHON-EXPRESSION: the expression over d (the document) is true
json_is() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2" 2> /dev/null
}

# error_is STATUS CODE MESSAGE-PART: the last answer was that JSON error
error_is() {
    [ "$CODE" = "$1" ] && json_is "$tmp/body" \
        "d['error']['status'] == $1 and d['error']['code'] == '$2' and '''$3''' in d['error']['message']"
}
