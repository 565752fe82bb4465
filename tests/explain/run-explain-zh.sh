#!/bin/sh
# run-explain-zh.sh -- `huimin --lang zh explain` of the example pack against
# golden texts in Chinese, for the reviewer and for the citizen: refused on
# income and assets, undetermined by a stale fact, eligible with an amount,
# a person policy, a tax (decided, and undetermined because the policy it
# reads lacks facts); the same decisions in English where they are new.
# HM_REGEN=1 rewrites the golden files (tests/explain/expected/zh-*).
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
day=2024-08-01

check() {   # NAME COMMAND...: stdout against expected/NAME, exit 0
    name=$1
    shift
    "$@" > "$tmp/$name" 2> "$tmp/$name.err"
    got=$?
    [ -n "$HM_REGEN" ] && cp "$tmp/$name" "$dir/expected/$name"
    if [ "$got" -ne 0 ]; then
        echo "FAIL: $name: exit $got"; cat "$tmp/$name.err"
        fail=$((fail + 1))
    elif ! diff -u "$dir/expected/$name" "$tmp/$name"; then
        echo "FAIL: $name: output differs (HM_REGEN=1 to accept)"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

# NAME GIVEN POLICY: the reviewer's and the citizen's text in Chinese
both() {
    check "zh-$1.txt" "$HUIMIN" --lang zh explain $pack --given "$dir/$2" --as-of $day --policy "$3"
    check "zh-citizen-$1.txt" "$HUIMIN" --lang zh explain $pack --given "$dir/$2" --as-of $day --policy "$3" \
        --audience citizen
}
both several several.json dibao             # refused: income and assets
both one-fails one-fails.json dibao         # refused on one condition: what would meet it
both stale stale.json dibao                 # undetermined: a stale fact
both eligible eligible.json dibao           # eligible, with the amount
both gaoling tekun.json gaoling             # a person policy
both geshui geshui.json geshui              # a tax: band, rate, quick deduction
both geshui-wait geshui-wait.json geshui    # undetermined: waits on zhuanxiang
# what each value of a fact not known would decide, every form of it
check zh-outcomes.txt "$HUIMIN" --lang zh explain $dir/outcomes.pol --given $dir/outcomes.given --as-of $day
# the same through HUIMIN_LANG and a Chinese locale
HUIMIN_LANG=zh check zh-eligible.txt "$HUIMIN" explain $pack --given $dir/eligible.json --as-of $day --policy dibao
LC_ALL= LC_MESSAGES= LANG=zh_CN.UTF-8 check zh-eligible.txt "$HUIMIN" explain $pack --given $dir/eligible.json \
    --as-of $day --policy dibao
# English: the waits-on line and the citizen's text of a tax
check geshui-wait.txt "$HUIMIN" --lang en explain $pack --given $dir/geshui-wait.json --as-of $day --policy geshui
check citizen-geshui.txt "$HUIMIN" --lang en explain $pack --given $dir/geshui.json --as-of $day --policy geshui \
    --audience citizen

# `huimin needs` names the policy an undetermined one waits on and the facts
# it lacks ("a value computed from them is not" before), text and JSON
"$HUIMIN" needs $pack --given $dir/geshui-wait.json --as-of $day --policy geshui > "$tmp/needs.txt" 2>&1
if grep -q "^  undetermined because zhuanxiang .* lacks 申报首套住房贷款利息扣除 (person.housing_loan)" "$tmp/needs.txt" &&
   ! grep -q "computed from them" "$tmp/needs.txt"; then
    pass=$((pass + 1))
else
    echo "FAIL: needs does not name the policy geshui waits on:"; cat "$tmp/needs.txt"
    fail=$((fail + 1))
fi
"$HUIMIN" needs $pack --given $dir/geshui-wait.json --as-of $day --policy geshui --format json > "$tmp/needs.json" 2>&1
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["decisions"][0]
w = d["waits_on"][0]
sys.exit(0 if d["status"] == "undetermined" and w["policy"] == "zhuanxiang" and w["relation_label"] == "户主"
         and "person.housing_loan" in [f["fact"] for f in w["facts"]] else 1)' "$tmp/needs.json"; then
    pass=$((pass + 1))
else
    echo "FAIL: needs --format json: no waits_on naming zhuanxiang"; head -40 "$tmp/needs.json"
    fail=$((fail + 1))
fi
HUIMIN_LANG=zh "$HUIMIN" needs $pack --given $dir/geshui-wait.json --as-of $day --policy geshui > "$tmp/needs.zh" 2>&1
if grep -q "待定：因 zhuanxiang 个人所得税专项附加扣除（年度）（成员 1（户主）） 缺少申报首套住房贷款利息扣除" "$tmp/needs.zh"; then
    pass=$((pass + 1))
else
    echo "FAIL: needs in Chinese:"; cat "$tmp/needs.zh"
    fail=$((fail + 1))
fi

echo "explain in Chinese: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
