#!/bin/sh
# run-package.sh -- `huimin explain --package` (a household's whole
# package: what it gets per period, its near misses with how far they
# were, what is undetermined) and `huimin explain --diff BASE REFORM` (the
# household before and after a reform, and why each decision moved), as
# text and JSON against golden files; on an example city, each household's
# package totals equal the population run's amounts per period; the
# refusals (exit 2 with a message).
# The same in Chinese (--lang zh): every word of the frame, the distances,
# the reasons and why a decision moved.
# HM_REGEN=1 rewrites the golden files.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
case $HUIMIN in
/*) ;;
*) HUIMIN=$(pwd)/$HUIMIN ;;
esac
HUIMIN_LOCALEDIR=${HUIMIN_LOCALEDIR:-$(dirname "$HUIMIN")/po/locale}
export HUIMIN_LOCALEDIR
unset HUIMIN_LANG
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cd "$SRCDIR" || exit 99
pack=examples/policies
dir=tests/explain
reforms=tests/reform
py=/usr/bin/python3
[ -x "$py" ] || py=python3
have_jsonschema=$("$py" -c 'import jsonschema; print(1)' 2>/dev/null)

check() {   # NAME EXPECTED-EXIT COMMAND...
    name=$1 want=$2
    shift 2
    "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
    got=$?
    golden=$dir/expected/$name
    if [ -n "$HM_REGEN" ]; then
        cp "$tmp/$name.out" "$golden"
    fi
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $name: exit $got, expected $want"; cat "$tmp/$name.err"
        fail=$((fail + 1))
    elif ! diff -u "$golden" "$tmp/$name.out"; then
        echo "FAIL: $name: output differs (HM_REGEN=1 to accept)"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    case $name in
    package-*.json) schema=docs/package.schema.json ;;
    diff-*.json) schema=docs/explain-diff.schema.json ;;
    *) return ;;
    esac
    if [ -z "$have_jsonschema" ]; then
        echo "SKIP: $name against $schema: python3-jsonschema is not installed"
    elif "$py" - "$schema" "$tmp/$name.out" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
PY
    then
        pass=$((pass + 1))
    else
        echo "FAIL: $name does not follow $schema"
        fail=$((fail + 1))
    fi
}

refuse() {  # WHAT MESSAGE COMMAND...: exit 2 and the message on stderr
    what=$1 msg=$2
    shift 2
    "$@" > "$tmp/r.out" 2> "$tmp/r.err"
    got=$?
    if [ "$got" -eq 2 ] && grep -qF -- "$msg" "$tmp/r.err"; then
        pass=$((pass + 1))
    else
        echo "FAIL: $what: exit $got, expected 2 with \"$msg\""; cat "$tmp/r.err"
        fail=$((fail + 1))
    fi
}

day=2024-08-01
# near misses: income 1300.00 against the line 1245.00, 5 months of
# contributions against 6, 79 years against 80
check package-near.txt 0 "$HUIMIN" explain --package $pack --given $dir/near.json --as-of $day
check package-near.json 0 "$HUIMIN" explain --package $pack --given $dir/near.json --as-of $day --format json
# a date 10 days too late; a decimal 0.25 short, 0.250001 to be above
check package-units.txt 0 "$HUIMIN" explain --package $dir/near-units.pol --given $dir/near-units.json --as-of $day
# amounts per month and per year, never added together; the `given` notation
check package-family.txt 0 "$HUIMIN" explain --package $pack --given tests/run/family.given --as-of $day
# the package of a reformed pack says so
check package-reformed.txt 0 "$HUIMIN" explain --package $pack $reforms/dibao_tibiao.pol --given $dir/reform-newly.json --as-of $day

# --diff: 低保 5% higher (a replaced rule and amount, a new parameter and policy)
check diff-dibao.txt 0 "$HUIMIN" explain --diff $pack $reforms/dibao_tibiao.pol --given $dir/reform-newly.json --as-of $day
check diff-dibao.json 0 "$HUIMIN" explain --diff $pack $reforms/dibao_tibiao.pol --given $dir/reform-newly.json --as-of $day --format json
# paid more: the amount replaced, the same conditions met
check diff-paid.txt 0 "$HUIMIN" explain --diff $pack $reforms/dibao_tibiao.pol --given $dir/reform-paid.json --as-of $day --policy dibao
# a policy only the reform has, asked for by name
check diff-added.txt 0 "$HUIMIN" explain --diff $pack $reforms/dibao_tibiao.pol --given $dir/reform-paid.json --as-of $day --policy 提标补贴
# 灵活就业: 6 cumulative months instead of 6 continuous (a replaced let)
check diff-linghuo.txt 0 "$HUIMIN" explain --diff $pack $reforms/linghuo_leiji.pol --given $dir/reform-linghuo.json --as-of 2024-12-31 --policy linghuo
# a parameter changed with --set (no REFORM): its value before and after
check diff-set.txt 0 "$HUIMIN" explain --diff $pack --set 'parameter.财产限额月数=30' --given $dir/one-fails.json --as-of $day --policy dibao
# in Chinese: near misses with their distances and the refusals' reasons; a
# reformed pack; a reform's changes (parameters, conditions, lets, the
# amount), a fact it leaves undetermined, a what-if
check package-near.zh.txt 0 "$HUIMIN" --lang zh explain --package $pack --given $dir/near.json --as-of $day
check package-reformed.zh.txt 0 "$HUIMIN" --lang zh explain --package $pack $reforms/dibao_tibiao.pol \
    --given $dir/reform-newly.json --as-of $day
check diff-dibao.zh.txt 0 "$HUIMIN" --lang zh explain --diff $pack $reforms/dibao_tibiao.pol --given $dir/reform-newly.json \
    --as-of $day
check diff-linghuo.zh.txt 0 "$HUIMIN" --lang zh explain --diff $pack $reforms/linghuo_leiji.pol \
    --given $dir/reform-linghuo.json --as-of 2024-12-31 --policy linghuo
check diff-set.zh.txt 0 "$HUIMIN" --lang zh explain --diff $pack --set 'parameter.财产限额月数=30' \
    --given $dir/one-fails.json --as-of $day --policy dibao
# a reformed .hmc gives the same as the reform file compiled with BASE
if "$HUIMIN" compile $pack --reform $reforms/dibao_tibiao.pol -o "$tmp/r.hmc" 2> "$tmp/c.err" &&
   "$HUIMIN" explain --diff $pack "$tmp/r.hmc" --given $dir/reform-newly.json --as-of $day > "$tmp/hmc.out" 2> "$tmp/hmc.err" &&
   sed 1,3d "$tmp/hmc.out" | diff -u - "$(sed 1,3d $dir/expected/diff-dibao.txt > "$tmp/want"; echo "$tmp/want")" > /dev/null; then
    pass=$((pass + 1))
else
    echo "FAIL: --diff against a reformed .hmc differs from the reform file's"; cat "$tmp/c.err" "$tmp/hmc.err"
    fail=$((fail + 1))
fi
# a compiled BASE amended by the reform file: the same again
if "$HUIMIN" compile $pack -o "$tmp/base.hmc" 2> "$tmp/c.err" &&
   "$HUIMIN" explain --diff "$tmp/base.hmc" $reforms/dibao_tibiao.pol --given $dir/reform-newly.json --as-of $day > "$tmp/hmc2.out" 2> "$tmp/hmc2.err" &&
   sed 1,3d "$tmp/hmc2.out" | diff -u - "$tmp/want" > /dev/null; then
    pass=$((pass + 1))
else
    echo "FAIL: --diff of a compiled BASE and a reform file differs"; cat "$tmp/c.err" "$tmp/hmc2.err"
    fail=$((fail + 1))
fi
# ordinary explain: the reformed pack, and the parameter values the reform gave
"$HUIMIN" explain $pack $reforms/dibao_tibiao.pol --given $dir/reform-newly.json --as-of 2025-02-01 --policy dibao > "$tmp/x.txt" 2>&1
if grep -qF 'the pack is reformed by 低保提标5 "城乡低保标准提高5%" amends examples.dibao (dibao_tibiao.pol)' "$tmp/x.txt" &&
   grep -qF '财产限额月数 = 30, from 2025-01-01  [dibao.pol:30]  value from reform 低保提标5 [dibao_tibiao.pol:7]' "$tmp/x.txt"; then
    pass=$((pass + 1))
else
    echo "FAIL: explain of a reformed pack does not mark it"; cat "$tmp/x.txt"
    fail=$((fail + 1))
fi
"$HUIMIN" explain $pack --set 'parameter.财产限额月数=30' --given $dir/reform-newly.json --as-of $day --policy dibao --format json > "$tmp/x.json" 2>&1
"$HUIMIN" explain $pack $reforms/dibao_tibiao.pol --given $dir/reform-newly.json --as-of 2025-02-01 --format json > "$tmp/x2.json" 2>&1
if "$py" - "$tmp/x.json" "$tmp/x2.json" "$SRCDIR/docs/explain.schema.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
p = [x for x in doc["decisions"][0]["parameters"] if x["name"] == "财产限额月数"][0]
ok = doc["reform"]["file"] == "--set" and p["reform"]["file"] == "--set"
doc2 = json.load(open(sys.argv[2]))
d = [x for x in doc2["decisions"] if x["policy"] == "dibao"][0]
p = [x for x in d["parameters"] if x["name"] == "财产限额月数"][0]
ok = ok and p["reform"] == {"name": "低保提标5", "file": "dibao_tibiao.pol", "line": 7}
try:
    import jsonschema
    schema = json.load(open(sys.argv[3]))
    for x in (doc, doc2):
        jsonschema.Draft202012Validator(schema).validate(x)
except ImportError:
    pass
sys.exit(0 if ok else 1)
PY
then
    pass=$((pass + 1))
else
    echo "FAIL: explain --set or a reform does not mark the value"
    fail=$((fail + 1))
fi

# refusals
refuse "--diff without REFORM" "--diff needs REFORM" "$HUIMIN" explain --diff $pack --given $dir/near.json
refuse "--diff of three packs" "--diff takes BASE and REFORM" "$HUIMIN" explain --diff $pack $pack $pack --given $dir/near.json
refuse "--package of a person" "--package is a household's" "$HUIMIN" explain --package $pack --config x.conf --person P1
refuse "--package for citizens" "--package and --diff are for reviewers" "$HUIMIN" explain --package $pack --given $dir/near.json --audience citizen
refuse "--package --diff" "do not go together" "$HUIMIN" explain --package --diff $pack $pack --given $dir/near.json
refuse "--diff facts on stdin" "give them in a file" "$HUIMIN" explain --diff $pack --set 'parameter.财产限额月数=30' --given -
refuse "--diff --policy of neither pack" "no policy \`没有\`" "$HUIMIN" explain --diff $pack $reforms/dibao_tibiao.pol --given $dir/near.json --policy 没有
refuse "--diff --set of no parameter" "没有" "$HUIMIN" explain --diff $pack --set 'parameter.没有=1' --given $dir/near.json

# --config: each household's package of an example city totals, per
# period, what the population run gave it and its members; ids masked in text
bindir=$(dirname "$HUIMIN")
HUIMIN_PLUGIN_PATH="$bindir/plugins/.libs${HUIMIN_PLUGIN_PATH:+:$HUIMIN_PLUGIN_PATH}"
export HUIMIN_PLUGIN_PATH
if examples/city/generate --households 30 --seed 11 --out "$tmp/city" > /dev/null 2>&1 &&
   "$HUIMIN" run $pack --config "$tmp/city/sources.conf" --out "$tmp/r.db" --no-progress --store all > /dev/null 2>&1; then
    bad=0
    for h in $(sqlite3 "$tmp/r.db" "SELECT DISTINCT entity_id FROM decisions WHERE entity_kind = 'household'"); do
        "$HUIMIN" explain --package $pack --config "$tmp/city/sources.conf" --household "$h" --format json \
            > "$tmp/p.json" 2> "$tmp/p.err" || { echo "FAIL: --package --household $h: $(cat "$tmp/p.err")"; bad=1; break; }
        "$py" - "$tmp/p.json" "$tmp/r.db" "$h" <<'PY' || { bad=1; break; }
import json, sqlite3, sys
pkg = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
want = {p: "%d.%02d" % divmod(s, 100) for p, s in db.execute(
    "SELECT amount_period, sum(amount_fen) FROM decisions WHERE (household_id = ?1 OR (entity_kind = 'household'"
    " AND entity_id = ?1)) AND status = 'eligible' AND amount_fen IS NOT NULL GROUP BY amount_period", (sys.argv[3],))}
got = {t["period"]: t["amount"] for t in pkg["totals"]}
try:
    import jsonschema
    jsonschema.Draft202012Validator(json.load(open("docs/package.schema.json"))).validate(pkg)
except ImportError:
    pass
if got != want:
    print("FAIL: %s: package totals %s, the run %s" % (sys.argv[3], got, want))
    sys.exit(1)
PY
    done
    h=$(sqlite3 "$tmp/r.db" "SELECT entity_id FROM decisions WHERE entity_kind = 'household' LIMIT 1")
    "$HUIMIN" explain --package $pack --config "$tmp/city/sources.conf" --household "$h" > "$tmp/p.txt" 2>&1
    if grep -qF "$h" "$tmp/p.txt"; then
        echo "FAIL: --package text shows the household id whole"; bad=1
    fi
    if [ $bad -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    # --diff of each household: before and after as the runs of both packs
    bad=0
    if "$HUIMIN" run $pack $reforms/dibao_tibiao.pol --config "$tmp/city/sources.conf" --out "$tmp/r2.db" \
            --no-progress --store all > /dev/null 2>&1; then
        for h in $(sqlite3 "$tmp/r.db" "SELECT DISTINCT entity_id FROM decisions WHERE entity_kind = 'household'"); do
            "$HUIMIN" explain --diff $pack $reforms/dibao_tibiao.pol --config "$tmp/city/sources.conf" --household "$h" \
                --format json > "$tmp/d.json" 2> "$tmp/d.err" || { echo "FAIL: --diff --household $h: $(cat "$tmp/d.err")"; bad=1; break; }
            "$py" - "$tmp/d.json" "$tmp/r.db" "$tmp/r2.db" "$h" <<'PY' || { bad=1; break; }
import json, sqlite3, sys
diff = json.load(open(sys.argv[1]))
hh = sys.argv[4]
ids = diff["household"]["member_ids"]
try:
    import jsonschema
    jsonschema.Draft202012Validator(json.load(open("docs/explain-diff.schema.json"))).validate(diff)
except ImportError:
    pass
for side, path in (("before", sys.argv[2]), ("after", sys.argv[3])):
    db = sqlite3.connect(path)
    for p in diff["policies"]:
        s = p[side]
        if s["status"] == "absent":
            continue
        who = hh if p["entity"] == "household" else ids[p["member"] - 1]
        row = db.execute("SELECT status, amount_fen, amount_period FROM decisions WHERE entity_kind = ? AND entity_id = ?"
                         " AND policy = ? AND claim IS ?", ("person" if p["entity"] == "claim" else p["entity"], who,
                                                           p["policy"], p.get("claim"))).fetchone()
        amount = None if s["amount"] is None else round(float(s["amount"]) * 100)
        if row is None or row[0] != s["status"] or (row[0] == "eligible" and (row[1], row[2]) != (amount, s["period"])):
            print("FAIL: %s %s %s: --diff says %s %s, the run %s" % (hh, who, p["policy"], side, s, row))
            sys.exit(1)
PY
        done
    else
        echo "FAIL: the reformed pack could not run"; bad=1
    fi
    if [ $bad -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
else
    echo "FAIL: the example city could not be generated and run"
    fail=$((fail + 1))
fi

echo "package and diff: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
