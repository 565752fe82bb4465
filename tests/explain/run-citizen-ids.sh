#!/bin/sh
# run-citizen-ids.sh -- the citizen's text of every household of the example
# city, in Chinese and in English, shows no ID number whole: no 18-digit
# number (17 digits and a check digit or X) and no id the sources gave
# (person and household keys), even with --show-ids.  The check is shown
# to find ids: the reviewer's text with --show-ids must make it fail.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
case $HUIMIN in
/*) ;;
*) HUIMIN=$(pwd)/$HUIMIN ;;
esac
HUIMIN_LOCALEDIR=${HUIMIN_LOCALEDIR:-$(dirname "$HUIMIN")/po/locale}
export HUIMIN_LOCALEDIR
unset HUIMIN_LANG
command -v sqlite3 > /dev/null || { echo "SKIP: sqlite3 is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
day=2024-08-01
pack=$SRCDIR/examples/policies
city=$tmp/city
python3 "$SRCDIR/examples/city/generate" --households 300 --seed 11 --as-of $day --out "$city" \
    > /dev/null 2> "$tmp/err" || { echo "FAIL: examples/city/generate: $(cat "$tmp/err")"; exit 1; }
conf=$city/sources.conf
sqlite3 "$city/registry.db" "SELECT hh_id FROM household ORDER BY hh_id" > "$tmp/households"
{ cat "$tmp/households"; sqlite3 "$city/registry.db" "SELECT person_id FROM person"; } > "$tmp/ids"
[ "$(wc -l < "$tmp/households")" -eq 300 ] || { echo "FAIL: the city has not 300 households"; exit 1; }

# leaks FILE: the lines of FILE with an id whole (none: exit 1)
leaks() {
    grep -E '[0-9]{17}[0-9Xx]' "$1" || grep -F -f "$tmp/ids" "$1"
}

# explain OUT OPTION…: every household's text, one after the other, into OUT
explain_all() {
    out=$1
    shift
    : > "$out"
    while read -r hh; do
        "$HUIMIN" "$@" --config "$conf" --household "$hh" --as-of $day >> "$out" 2> "$tmp/err" ||
            { echo "FAIL: explain $* --household $hh: $(cat "$tmp/err")"; return 1; }
    done < "$tmp/households"
}

for run in "zh " "zh --show-ids" "en --show-ids"; do
    lang=${run%% *} ids=${run#* }
    {
        what="citizen text ($lang${ids:+, $ids})"
        if ! explain_all "$tmp/citizen" --lang $lang explain "$pack" --audience citizen $ids; then
            fail=$((fail + 1))
        elif leaks "$tmp/citizen" > "$tmp/leaks"; then
            echo "FAIL: $what shows an id whole:"; head -5 "$tmp/leaks"
            fail=$((fail + 1))
        elif ! grep -qE '[0-9]{6}\*{8}[0-9]{3}[0-9Xx]' "$tmp/citizen"; then
            echo "FAIL: $what names no member by its masked id"
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
    }
done
# the check finds ids where they are shown: the reviewer's text with --show-ids
head -20 "$tmp/households" > "$tmp/some" && mv "$tmp/some" "$tmp/households"
if explain_all "$tmp/reviewer" explain "$pack" --show-ids && leaks "$tmp/reviewer" > /dev/null; then
    pass=$((pass + 1))
else
    echo "FAIL: the reviewer's text with --show-ids shows no id: the check cannot fail"
    fail=$((fail + 1))
fi
echo "ids in the citizen's text: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
