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
# the same through HUIMIN_LANG and a Chinese locale
HUIMIN_LANG=zh check zh-eligible.txt "$HUIMIN" explain $pack --given $dir/eligible.json --as-of $day --policy dibao
LC_ALL= LC_MESSAGES= LANG=zh_CN.UTF-8 check zh-eligible.txt "$HUIMIN" explain $pack --given $dir/eligible.json \
    --as-of $day --policy dibao
# English: the waits-on line and the citizen's text of a tax
check geshui-wait.txt "$HUIMIN" --lang en explain $pack --given $dir/geshui-wait.json --as-of $day --policy geshui
check citizen-geshui.txt "$HUIMIN" --lang en explain $pack --given $dir/geshui.json --as-of $day --policy geshui \
    --audience citizen

echo "explain in Chinese: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
