#!/bin/sh
# run-pol.sh -- the evaluation tests written in the policy language:
# tests/pol (the engine's own), the example pack, the tutorial's policy
# (which uses the pack); the standard library has tests/stdlib.
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
# the whole of the examples, cleanly: no warning either
echo "== huimin check --werror stdlib examples"
"$HUIMIN" check --werror "$SRCDIR/stdlib" "$SRCDIR/examples" || status=1
exit $status
