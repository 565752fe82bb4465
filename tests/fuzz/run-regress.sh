#!/bin/sh
# run-regress.sh -- every input in tests/fuzz/regress/TARGET/ (inputs that
# once crashed, hung or misled a fuzz target) through that target's entry
# point, built without libFuzzer (tests/fuzz/replay.c), with a time limit.
: "${SRCDIR:?SRCDIR is not set}"
pass=0 fail=0
for dir in "$SRCDIR"/tests/fuzz/regress/*/; do
    t=$(basename "$dir")
    for f in "$dir"*; do
        [ -f "$f" ] || continue
        if timeout 60 tests/fuzz/replay_"$t" "$f" > /dev/null; then
            pass=$((pass + 1))
        else
            echo "FAIL: $t: $f"
            fail=$((fail + 1))
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
