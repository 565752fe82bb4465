#!/bin/sh
# run-embed-doc.sh -- the first C block of docs/embedding.md is a complete
# program: install the project into a temporary prefix, build the block
# with `cc … $(pkg-config --cflags --libs huimin)`, run it on the example
# household and compare its output with `huimin run --format json`.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
build=$(cd "$(dirname "$HUIMIN")" && pwd)

awk '/^```c$/ && !done { on = 1; next } /^```$/ && on { on = 0; done = 1 } on' \
    "$SRCDIR/docs/embedding.md" > "$tmp/embed.c"
if ! grep -q 'int main' "$tmp/embed.c"; then
    echo "FAIL: docs/embedding.md has no program in its first C block"; exit 1
fi
if ! make -C "$build" install DESTDIR="$tmp/root" > "$tmp/install.log" 2>&1; then
    echo "FAIL: make install"; tail -20 "$tmp/install.log"; exit 1
fi
pc=$(find "$tmp/root" -name huimin.pc | head -1)
lib=$(find "$tmp/root" -name 'libhuimin.so' | head -1)
if [ -z "$pc" ] || [ -z "$lib" ]; then
    echo "FAIL: no huimin.pc or libhuimin.so installed"; exit 1
fi
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$tmp/root
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
LD_LIBRARY_PATH=$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
# a library built with the sanitizers wants them in the program too
san=
if ldd "$lib" 2>/dev/null | grep -q libasan; then
    san="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2046
if cc $san -Wall -Werror -o "$tmp/embed" "$tmp/embed.c" $(pkg-config --cflags --libs huimin) 2> "$tmp/cc.err"; then
    pass=$((pass + 1))
else
    echo "FAIL: the program of docs/embedding.md does not build:"; cat "$tmp/cc.err"; exit 1
fi

cd "$SRCDIR" || exit 99
facts=examples/households/family.json
"$HUIMIN" compile examples/policies -o "$tmp/pack.hmc" || { echo "FAIL: compile"; exit 1; }
"$HUIMIN" run examples/policies --given $facts --as-of 2024-08-01 --format json > "$tmp/want" || exit 1
if "$tmp/embed" "$tmp/pack.hmc" $facts 2024-08-01 > "$tmp/got" 2> "$tmp/err" && cmp -s "$tmp/want" "$tmp/got"; then
    pass=$((pass + 1))
else
    echo "FAIL: embed prints otherwise than huimin run:"; cat "$tmp/err"; diff -u "$tmp/want" "$tmp/got" | head -20
    fail=$((fail + 1))
fi
# its refusals: bad facts exit 1 naming the file, a bad date exit 2
printf '{"household": {"asets": 5}}\n' > "$tmp/bad.json"
"$tmp/embed" "$tmp/pack.hmc" "$tmp/bad.json" 2024-08-01 > /dev/null 2> "$tmp/err"
st=$?
if [ $st -eq 1 ] && grep -qF "embed: $tmp/bad.json: household has no fact \`asets\`" "$tmp/err"; then
    pass=$((pass + 1))
else
    echo "FAIL: bad facts: exit $st:"; cat "$tmp/err"; fail=$((fail + 1))
fi
"$tmp/embed" "$tmp/pack.hmc" $facts 2024-02-30 > /dev/null 2> "$tmp/err"
st=$?
if [ $st -eq 2 ] && grep -qF 'embed: as of "2024-02-30" is not a date written YYYY-MM-DD' "$tmp/err"; then
    pass=$((pass + 1))
else
    echo "FAIL: bad date: exit $st:"; cat "$tmp/err"; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
