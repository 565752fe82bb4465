#!/bin/sh
# run-test-options.sh -- `huimin test --run PATTERN` (which tests run, how
# patterns match) and `--junit FILE` (a JUnit XML report: valid XML, names
# escaped, failures with their message, mode 0600), and the failure output
# of the new expectations (within, a let's value, not applicable).
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
cd "$work" || exit 99

cat > t.pol <<'POL'
source s { person.income : money per month  person.taxpayer : bool }

policy p "补贴" for person where person.taxpayer "纳税人" {
  let 月收入 = person.income
  eligible when person.income < 1000  "月收入低于1000元"
  amount 1000 - person.income
}

test "低收入 <纳税人> & \"引号\"" as of 2024-01-01 {
  given person { income 500, taxpayer true }
  expect p eligible, amount 500.00
}

test "低收入（容差）" as of 2024-01-01 {
  given person { income 500, taxpayer true }
  expect p eligible, amount 500.01 within 0.01
}

test "高收入" as of 2024-01-01 {
  given person { income 2000, taxpayer true }
  expect p eligible, amount 0.50 within 0.01
  expect p.月收入 = 1999.99
}

test "非纳税人" as of 2024-01-01 {
  given person { income 500, taxpayer false }
  expect p not applicable
}
POL

# every test: one fails, with both expectations shown
"$HUIMIN" test t.pol > out 2> err
st=$?
[ $st -eq 1 ] && grep -qxF "3 passed, 1 failed" out && grep -qF "expected p of member 1 eligible, amount 0.50 within 0.01" out &&
	grep -qF "got      p of member 1 not eligible (failed at line 5: \"月收入低于1000元\")" out &&
	grep -qF "expected p.月收入 of member 1 = 1999.99" out && grep -qF "got      p.月收入 of member 1 = 2000.00" out && ok ||
	bad "all tests: exit $st: $(cat out err)"

# --run: a pattern without `*` or `?` is a part of the name
"$HUIMIN" test --run 低收入 -v t.pol > out 2> err
st=$?
[ $st -eq 0 ] && grep -qxF "2 passed, 0 failed" out && ! grep -q 高收入 out && ok || bad "--run 低收入: exit $st: $(cat out err)"
# `*` and `?` match the whole name; `?` is one character, a Chinese one too
"$HUIMIN" test --run '?纳税人' t.pol > out 2> err
[ $? -eq 0 ] && grep -qxF "1 passed, 0 failed" out && ok || bad "--run ?纳税人: $(cat out err)"
"$HUIMIN" test --run '*收入' t.pol > out 2> err
[ $? -eq 1 ] && grep -qxF "0 passed, 1 failed" out && ok || bad "--run *收入: $(cat out err)"
# several patterns: any matches
"$HUIMIN" test --run 高收入 --run 非纳税人 t.pol > out 2> err
[ $? -eq 1 ] && grep -qxF "1 passed, 1 failed" out && ok || bad "two --run: $(cat out err)"
# a pattern matching nothing: exit 2, said
"$HUIMIN" test --run 不存在 t.pol > out 2> err
st=$?
[ $st -eq 2 ] && grep -qF "no test name matches \`不存在\`" err && ok || bad "--run matching nothing: exit $st: $(cat out err)"
"$HUIMIN" test --run '' t.pol > out 2> err
[ $? -eq 2 ] && ok || bad "--run with an empty pattern"

# --junit: valid XML, one testcase a test, the failure with its message, 0600
umask 022
"$HUIMIN" test --junit r.xml t.pol > out 2> err
st=$?
[ $st -eq 1 ] && [ "$(stat -c %a r.xml)" = 600 ] && ok || bad "--junit: exit $st, mode $(stat -c %a r.xml)"
python3 - r.xml <<'PY' && ok || bad "--junit: the report: $(cat r.xml)"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "4" and root.get("failures") == "1", root.attrib
suite = root.find("testsuite")
cases = suite.findall("testcase")
assert [c.get("name") for c in cases] == ['低收入 <纳税人> & "引号"', "低收入（容差）", "高收入", "非纳税人"], cases
assert all(c.get("classname") == "t.pol" and int(c.get("line")) > 0 and float(c.get("time")) >= 0 for c in cases)
failed = [c for c in cases if c.find("failure") is not None]
assert [c.get("name") for c in failed] == ["高收入"], failed
f = failed[0].find("failure")
assert f.get("message") == "line 21: expected p of member 1 eligible, amount 0.50 within 0.01", f.get("message")
assert "p.月收入 of member 1 = 2000.00" in f.text, f.text
PY
# an existing file is replaced and made 0600; with --run only the tests run
chmod 644 r.xml
"$HUIMIN" test --junit r.xml --run 非纳税人 t.pol > out 2> err
[ $? -eq 0 ] && [ "$(stat -c %a r.xml)" = 600 ] &&
	python3 -c 'import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot(); assert r.get("tests") == "1" and r.get("failures") == "0"' r.xml && ok ||
	bad "--junit over an existing file: $(cat r.xml err)"
# policies with errors: the report says so, with an error
printf 'policy q for person {\n  eligible when nope  "x"\n}\n' > bad.pol
"$HUIMIN" test --junit b.xml bad.pol > out 2> err
[ $? -eq 1 ] && python3 -c 'import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot(); assert r.get("errors") == "1"
assert r.find("testsuite/testcase/error") is not None' b.xml && ok || bad "--junit with errors: $(cat b.xml err)"
# a report that cannot be written: exit 2
"$HUIMIN" test --junit nodir/r.xml t.pol > out 2> err
[ $? -eq 2 ] && grep -qF "cannot write nodir/r.xml" err && ok || bad "--junit into a missing folder: $(cat err)"
# JSON: an expected let's value that differs
"$HUIMIN" test --format json --run 高收入 t.pol > out 2> err
python3 - out <<'PY' && ok || bad "JSON of a let's value: $(cat out)"
import json, sys
d = json.load(open(sys.argv[1]))["tests"][0]["differences"]
assert d[0]["actual"]["status"] == "not_eligible" and d[1]["let"] == "月收入" and d[1]["expected"] == "1999.99" \
    and d[1]["actual"] == "2000.00", d
PY

finish
