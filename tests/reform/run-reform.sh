#!/bin/sh
# run-reform.sh -- reforms: the reform files' own tests run against the
# example pack amended by them; `compile --reform` writes the module that
# compiling the files together gives and records the base module's SHA-256;
# a bad reform is refused.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
status=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/huimin-reform.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; status=1; }
pack="$SRCDIR/examples/policies"
for r in linghuo_leiji dibao_tibiao; do
    echo "== huimin test examples/policies $r.pol --run 改革"
    "$HUIMIN" test "$pack" "$SRCDIR/tests/reform/$r.pol" --run 改革 || fail "$r: tests"
    "$HUIMIN" check --werror "$pack" "$SRCDIR/tests/reform/$r.pol" || fail "$r: check --werror"
done
"$HUIMIN" compile "$pack" -o "$tmp/base.hmc" || fail "compile the base"
"$HUIMIN" compile "$pack" --reform "$SRCDIR/tests/reform/dibao_tibiao.pol" -o "$tmp/r.hmc" || fail "compile --reform"
"$HUIMIN" compile "$pack" "$SRCDIR/tests/reform/dibao_tibiao.pol" -o "$tmp/r2.hmc" || fail "compile with the reform"
cmp -s "$tmp/r.hmc" "$tmp/r2.hmc" || fail "--reform R and R among the files give different modules"
base=$(sha256sum "$tmp/base.hmc" | cut -d' ' -f1)
"$HUIMIN" disasm "$tmp/r.hmc" > "$tmp/r.dis" || fail "disasm"
grep -q '^reform 低保提标5 "城乡低保标准提高5%" amends examples.dibao (' "$tmp/r.dis" || fail "disasm shows no reform"
grep -q "^  base module sha256:$base\$" "$tmp/r.dis" || fail "the base's SHA-256 is not recorded"
"$HUIMIN" disasm "$tmp/base.hmc" | grep -q '^reform ' && fail "the base shows a reform"
# a reformed pack is run and explained like any other: its sources give its program
printf 'given household { region "330100", assets 20000, other_housing false,\n  members [ { birth_date 1980-01-01, deceased false, monthly_income 1300, medical_selfpay 0 } ] }\n' > "$tmp/h.pol"
"$HUIMIN" explain "$tmp/r.hmc" --given "$tmp/h.pol" --as-of 2024-08-01 --policy dibao > "$tmp/x.txt" 2>&1 || fail "explain the reformed pack"
grep -q 'ELIGIBLE, amount 7.25' "$tmp/x.txt" || fail "explain: the reformed amount"
grep -q 'amount = (低保标准 \* 提标比例 - 人均收入) \* 人数  \[.*dibao_tibiao.pol:15\]' "$tmp/x.txt" || fail "explain: the replacing amount's place"
# refused: a reform that amends what the base does not have
printf 'reform 坏 amends examples.dibao {\n  parameter 不存在 from 2025-01-01 1\n}\n' > "$tmp/bad.pol"
"$HUIMIN" compile "$pack" --reform "$tmp/bad.pol" -o "$tmp/bad.hmc" 2> "$tmp/bad.err"
[ $? -eq 1 ] || fail "a bad reform: exit 1"
grep -q 'bad.pol:2:13: error: the reform amends parameter `不存在`, but no amended module declares it' "$tmp/bad.err" || fail "a bad reform: message"
[ -e "$tmp/bad.hmc" ] && fail "a bad reform: a module was written"
"$HUIMIN" compile "$pack" --reform "$tmp/bad.pol" --reform "$tmp/bad.pol" -o "$tmp/bad.hmc" 2>/dev/null
[ $? -eq 2 ] || fail "two --reform: exit 2"
# what-ifs: --set parameter.NAME=VALUE [as of DATE], on the sources and on a pack
printf 'given household { region "330100", assets 37000, other_housing false,\n  members [ { birth_date 1980-01-01, deceased false, monthly_income 1000, medical_selfpay 0 } ] }\n' > "$tmp/h2.pol"
row() { grep '^dibao ' "$tmp/out" | tr -s ' '; }
"$HUIMIN" run "$pack" --given "$tmp/h2.pol" --as-of 2025-02-01 > "$tmp/out" || fail "run the base"
[ "$(row)" = "dibao - not eligible 家庭财产 37000.00 元超过当地月低保标准的 24 倍乘以家庭人数（29880.00 元）" ] || fail "the base: $(row)"
for p in "$pack" "$tmp/base.hmc"; do
    "$HUIMIN" run "$p" --given "$tmp/h2.pol" --as-of 2025-02-01 --set parameter.财产限额月数=30 > "$tmp/out" || fail "--set on $p"
    [ "$(row)" = "dibao - eligible 245.00 " ] || fail "--set on $p: $(row)"
done
"$HUIMIN" run "$pack" --given "$tmp/h2.pol" --as-of 2025-02-01 --set 'parameter.财产限额月数=30 as of 2025-03-01' > "$tmp/out" || fail "--set as of"
row | grep -q '^dibao - not eligible' || fail "--set as of a later date: $(row)"
"$HUIMIN" explain "$pack" --given "$tmp/h2.pol" --as-of 2025-02-01 --policy dibao --set 'parameter.财产限额月数=30 as of 2025-01-01' > "$tmp/out" || fail "explain --set"
grep -q '财产限额月数 = 30, 低保标准 = 1245.00, 人数 = 1' "$tmp/out" || fail "explain --set: the value"
# refused, exit 2: not a value, not a parameter, another type, a table, a bad date
for s in '财产限额月数=1 }' '财产限额月数=abc' '没有=1' '财产限额月数="三十"' '低保标准=1300' '财产限额月数=30 as of 2025-13' '=1'; do
    "$HUIMIN" run "$pack" --given "$tmp/h2.pol" --set "parameter.$s" > /dev/null 2> "$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || fail "--set parameter.$s: exit $rc, not 2"
    [ -s "$tmp/err" ] || fail "--set parameter.$s: no message"
done
"$HUIMIN" run "$pack" --given "$tmp/h2.pol" --set 'parameter.财产限额月数="三十"' 2>&1 >/dev/null | head -1 |
    grep -qx -- '--set:2:22: error: the value of parameter `财产限额月数` must be int, but this is text' || fail "--set of another type: message"
"$HUIMIN" explain "$pack" --given "$tmp/h2.pol" --set 'parameter.没有=1' > /dev/null 2>&1
[ $? -eq 2 ] || fail "explain --set of no parameter: exit 2"
[ $status -eq 0 ] && echo "reform: all passed"
exit $status
