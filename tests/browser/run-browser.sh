#!/bin/sh
# run-browser.sh -- the calculator page in headless Chromium: three
# households filled as a person would (eligible, refused, undetermined until
# one more fact is given), what the page shows checked against
# `huimin run --given`; keyboard only, a 360 px screen, every input
# labelled (calculator.test.js).  Screenshots: tests/browser/*.png in the
# build tree.
#
# Needs chromium and Node.js with npm (puppeteer-core is installed here
# with `npm ci` from package-lock.json when missing).  Skipped (77) only
# when those cannot be had.
. "$SRCDIR/tests/lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)} ||
	skip "no chromium (apt-get install chromium; scripts/lib.sh installs it)"
command -v node >/dev/null 2>&1 || skip "no node (apt-get install nodejs)"
command -v npm >/dev/null 2>&1 || skip "no npm (apt-get install npm)"

# puppeteer-core, pinned by package-lock.json, in the build tree
dir=$(pwd)/tests/browser
mkdir -p "$dir"
if [ ! -d "$dir/node_modules/puppeteer-core" ] ||
	! cmp -s "$SRCDIR/tests/browser/package-lock.json" "$dir/package-lock.json"; then
	cp "$SRCDIR/tests/browser/package.json" "$SRCDIR/tests/browser/package-lock.json" "$dir/" || exit 99
	chmod u+w "$dir/package.json" "$dir/package-lock.json"
	(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts >"$work/npm.log" 2>&1) || {
		cat "$work/npm.log"
		skip "npm ci could not install puppeteer-core"
	}
fi

asof=2024-08-01
"$HUIMIN" compile -o "$work/pack.hmc" "$SRCDIR"/examples/policies/*.pol || exit 99

# the server on a free port (port 0: the kernel picks it; the server says which)
"$HUIMIN" serve "$work/pack.hmc" --listen 127.0.0.1:0 --as-of "$asof" 2>"$work/serve.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
url=
i=0
while [ -z "$url" ] && [ $i -lt 100 ]; do
	url=$(grep -o 'http://127\.0\.0\.1:[0-9][0-9]*/' "$work/serve.log" | head -n 1)
	kill -0 "$server" 2>/dev/null || break
	[ -n "$url" ] || sleep 0.1
	i=$((i + 1))
done
if [ -z "$url" ]; then
	cat "$work/serve.log"
	echo "FAIL: huimin serve did not start"
	exit 1
fi

NODE_PATH="$dir/node_modules" node "$SRCDIR/tests/browser/calculator.test.js" "$url" "$chromium" \
	"$HUIMIN" "$work/pack.hmc" "$asof" "$SRCDIR/tests/browser/households" "$dir"
