#!/bin/sh
# run-embed.sh -- the 10,000 households of the example city, built in
# memory through the public API by city_embed and decided on two threads
# sharing one pack, give every decision the population run gives (policy,
# entity id, status, amount).  As of another date they must not: the
# comparison can fail.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
embed=$(dirname "$HUIMIN")/tests/embed/city_embed
[ -x "$embed" ] || { echo "FAIL: $embed is not built"; exit 1; }
command -v python3 > /dev/null || { echo "SKIP: no python3 for examples/city/generate"; exit 77; }
cd "$SRCDIR" || exit 99

python3 examples/city/generate --households 10000 --seed 1 --as-of 2024-08-01 --out "$tmp/city" > /dev/null ||
    { echo "FAIL: generate"; exit 1; }
"$HUIMIN" compile examples/policies -o "$tmp/pack.hmc" || { echo "FAIL: compile"; exit 1; }
"$HUIMIN" run examples/policies --config "$tmp/city/sources.conf" --out "$tmp/results.db" --as-of 2024-08-01 --store all \
    --no-progress > /dev/null 2> "$tmp/run.err" || { echo "FAIL: the population run"; cat "$tmp/run.err"; exit 1; }

if "$embed" "$tmp/pack.hmc" "$tmp/city" "$tmp/results.db" 2024-08-01 > "$tmp/out" 2> "$tmp/err" &&
   grep -q '^10000 households, .* decisions compared on 2 threads: 0 differ$' "$tmp/out"; then
    pass=$((pass + 1))
else
    echo "FAIL: the API decides otherwise than the population run:"; cat "$tmp/out" "$tmp/err"
    fail=$((fail + 1))
fi
"$embed" "$tmp/pack.hmc" "$tmp/city" "$tmp/results.db" 2025-03-01 > "$tmp/out" 2> "$tmp/err"
st=$?
if [ $st -eq 1 ] && grep -q 'city_embed: differs: ' "$tmp/err"; then
    pass=$((pass + 1))
else
    echo "FAIL: as of another date the decisions still agree (exit $st)"; cat "$tmp/out"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
