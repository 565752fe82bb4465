#!/bin/sh
# run-disasm.sh -- golden test of the disassembly of the example pack, and a
# round trip: the module written by `huimin compile` and read back must
# disassemble to exactly the same text.  HM_REGEN=1 rewrites the golden file.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cd "$SRCDIR" || exit 99
"$HUIMIN" disasm examples/policies > "$tmp/source.dis" 2> "$tmp/err" || { cat "$tmp/err"; exit 1; }
golden=tests/disasm/examples.dis
if [ -n "$HM_REGEN" ]; then
    cp "$tmp/source.dis" "$golden"
    echo "rewrote $golden"
fi
if diff -u "$golden" "$tmp/source.dis"; then
    pass=$((pass + 1))
else
    echo "FAIL: the disassembly of examples/policies changed (HM_REGEN=1 to accept)"
    fail=$((fail + 1))
fi
if "$HUIMIN" compile examples/policies -o "$tmp/pack.hmc" 2> "$tmp/err" &&
   "$HUIMIN" disasm "$tmp/pack.hmc" > "$tmp/module.dis" 2>> "$tmp/err" &&
   diff -u "$tmp/source.dis" "$tmp/module.dis"; then
    pass=$((pass + 1))
else
    cat "$tmp/err"
    echo "FAIL: compile → .hmc → disasm does not round-trip"
    fail=$((fail + 1))
fi
# a corrupt module is refused with exit 2 and a clear message
head -c 100 "$tmp/pack.hmc" > "$tmp/cut.hmc"
if "$HUIMIN" disasm "$tmp/cut.hmc" > /dev/null 2> "$tmp/err"; then
    echo "FAIL: a truncated module was accepted"; fail=$((fail + 1))
elif [ $? -eq 2 ] && grep -q "bad bytecode (truncated" "$tmp/err"; then
    pass=$((pass + 1))
else
    cat "$tmp/err"; echo "FAIL: a truncated module was not refused with exit 2"; fail=$((fail + 1))
fi
# duration parameters keep their value and unit, through a module too
if "$HUIMIN" compile tests/pol/durations.pol -o "$tmp/dur.hmc" 2> "$tmp/err" &&
   "$HUIMIN" disasm "$tmp/dur.hmc" > "$tmp/dur.dis" 2>> "$tmp/err" &&
   grep -qx '  du_term : duration in months' "$tmp/dur.dis" &&
   grep -qx '    from always: 240 months' "$tmp/dur.dis" &&
   grep -qx '    from 2020-01-01: 30 days' "$tmp/dur.dis" &&
   grep -qx '    1 to 1: from always 2 years' "$tmp/dur.dis"; then
    pass=$((pass + 1))
else
    cat "$tmp/err"; echo "FAIL: duration parameters lost their value or unit"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
