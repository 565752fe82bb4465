# tests/lib.sh -- the common start of the shell tests that run huimin.
#
#   . "$SRCDIR/tests/lib.sh"
#
# Refuses to run without HUIMIN and SRCDIR (make check sets them), puts the
# build's plugins first on HUIMIN_PLUGIN_PATH, makes a scratch folder $work
# (removed on exit) and the counters that ok and bad keep; a script ends
# with `finish`.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
set -u
bindir=$(dirname "$HUIMIN")
HUIMIN_PLUGIN_PATH="$bindir/plugins/.libs${HUIMIN_PLUGIN_PATH:+:$HUIMIN_PLUGIN_PATH}"
export HUIMIN_PLUGIN_PATH
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# small_city DIR: the small city of tests/batch in DIR: its registry and
# civil databases and small.conf
small_city() {
	mkdir -p "$1"
	cp "$SRCDIR/tests/batch/small.conf" "$1/"
	sqlite3 "$1/registry.db" < "$SRCDIR/tests/batch/city.sql"
	sqlite3 "$1/civil.db" < "$SRCDIR/tests/batch/civil.sql"
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
