#!/bin/sh
# check-examples.sh -- the example policy pack must check cleanly, warnings
# included: `huimin check --werror examples/policies` exits 0 and prints
# nothing.  Skipped (exit 77) while the pack is absent or has no .pol file.
# Environment: HUIMIN (the command), SRCDIR (the source tree).
set -u

: "${HUIMIN:?HUIMIN must name the huimin command}"
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pack=$SRCDIR/examples/policies

if [ ! -d "$pack" ] || [ -z "$(find "$pack" -name '*.pol' -type f 2>/dev/null | head -n 1)" ]; then
	echo "SKIP: no .pol files under $pack"
	exit 77
fi

out=$(mktemp "${TMPDIR:-/tmp}/hm-examples.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT

timeout 60 "$HUIMIN" check --werror "$pack" </dev/null >"$out" 2>&1
rc=$?

if [ "$rc" -eq 0 ] && [ ! -s "$out" ]; then
	echo "PASS: huimin check --werror $pack"
	echo "1 passed, 0 failed"
	exit 0
fi

if [ -s "$out" ]; then
	echo "FAIL: huimin check --werror $pack: exit $rc, output (must be empty):"
else
	echo "FAIL: huimin check --werror $pack: exit $rc (must be 0)"
fi
cat "$out"
echo "0 passed, 1 failed"
exit 1
