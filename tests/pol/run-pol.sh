#!/bin/sh
# run-pol.sh -- the evaluation tests written in the policy language:
# tests/pol (the engine's own), the example pack, the tutorial's policy
# (which uses the pack), all of them as one pack, and a generated pack
# wider than the bytecode's operand fields; the standard library has
# tests/stdlib.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
status=0
run() {
    echo "== huimin test $*"
    "$HUIMIN" test "$@" || status=1
}
run "$SRCDIR/tests/pol"
run "$SRCDIR/examples/policies"
run "$SRCDIR/examples/policies" "$SRCDIR/examples/tutorial"
# the standard library's tests and every example together, as one pack
run "$SRCDIR/stdlib" "$SRCDIR/examples"
# and with the engine's own: more policies and fields than an 8-bit operand
# names
run "$SRCDIR/stdlib" "$SRCDIR/examples" "$SRCDIR/tests/pol"
# a pack wider than every operand field (generated: see the script)
wide="${TMPDIR:-/tmp}/huimin-wide-$$.pol"
trap 'rm -f "$wide"' EXIT
sh "$SRCDIR/tests/pol/gen-wide.sh" > "$wide" || status=1
run "$wide"
# the whole of the examples, cleanly: no warning either
echo "== huimin check --werror stdlib examples"
"$HUIMIN" check --werror "$SRCDIR/stdlib" "$SRCDIR/examples" || status=1
exit $status
