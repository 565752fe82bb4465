#!/bin/sh
# run-html.sh -- `huimin report --format html`: the page of the small city's
# run (golden, the run's times, pack hash and version blanked), well formed
# (tests/batch/wellformed.py, which must itself catch an unbalanced tag),
# written 0600 with --out and not at all when the report fails, amounts with
# their periods never added, a run without reasons, and ID numbers in a
# stored reason masked.
#
# Env: HUIMIN (the command), SRCDIR (source tree).  HM_REGEN=1 rewrites the
# expected file.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/batch"

wellformed() { python3 "$here/wellformed.py" "$1"; }

# the parts of a page that change from run to run
normalize() {
	sed -e 's|<dt>started</dt><dd>[^<]*</dd>|<dt>started</dt><dd>TIME</dd>|' \
		-e 's|<dt>finished</dt><dd>[^<]*</dd>|<dt>finished</dt><dd>TIME</dd>|' \
		-e 's|<dt>policy pack</dt><dd>[^<]*</dd>|<dt>policy pack</dt><dd>HASH</dd>|' \
		-e 's|<dt>huimin version</dt><dd>[^<]*</dd>|<dt>huimin version</dt><dd>VERSION</dd>|' "$1"
}

small_city "$work/c"
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config small.conf --out r.db --no-progress --reasons \
	--store all) > /dev/null 2> "$work/err" || bad "run: $(cat "$work/err")"

# ---- the page: golden, well formed, 0600 --------------------------------
(cd "$work/c" && "$HUIMIN" report r.db --format html --out page.html) > "$work/out" 2> "$work/err"
st=$?
mode=$(stat -c %a "$work/c/page.html" 2>/dev/null)
[ $st -eq 0 ] && [ "$mode" = 600 ] && [ ! -s "$work/out" ] && [ ! -s "$work/err" ] && ok \
	|| bad "report --format html --out: exit $st, mode $mode: $(cat "$work/err")"
normalize "$work/c/page.html" > "$work/page.actual"
if [ "${HM_REGEN:-}" = 1 ]; then
	cp "$work/page.actual" "$here/report-html.expected"
elif diff -u "$here/report-html.expected" "$work/page.actual"; then ok
else bad "the page differs from tests/batch/report-html.expected"; fi
wellformed "$work/c/page.html" && ok || bad "the page is not well formed"
# the checker fails on an unbalanced tag, one closed out of order, and a script
sed '0,/<\/figure>/s|</figure>||' "$work/c/page.html" > "$work/unbalanced.html"
sed '0,/<\/td>/s|</td>|</th>|' "$work/c/page.html" > "$work/crossed.html"
sed 's|<body>|<body><script>x()</script>|' "$work/c/page.html" > "$work/script.html"
for f in unbalanced crossed script; do
	wellformed "$work/$f.html" > "$work/why" && bad "wellformed.py took $f.html" || ok
done
# standard output when there is no --out: the same page
(cd "$work/c" && "$HUIMIN" report r.db --format html) > "$work/stdout.html" 2> "$work/err"
cmp -s "$work/stdout.html" "$work/c/page.html" && ok || bad "report --format html to standard output differs"

# ---- amounts with their periods, never added -------------------------------
(cd "$work/c" && "$HUIMIN" run "$here/periods.pol" --config small.conf --out p.db --no-progress --reasons) \
	> /dev/null 2> "$work/err"
"$HUIMIN" report "$work/c/p.db" --format html --out "$work/p.html" 2> "$work/err"
st=$?
# 600.00 per month (7,200.00 for a year), 2,400.00 per year, 2,000.00 once
if [ $st -eq 0 ] && wellformed "$work/p.html" &&
	grep -qF '<td class="num">600.00</td><td>per month</td><td class="num">7,200.00</td>' "$work/p.html" &&
	grep -qF '<td class="num">2,400.00</td><td>per year</td><td class="num">2,400.00</td>' "$work/p.html" &&
	grep -qF '<td class="num">2,000.00</td><td>once</td><td class="num">-</td>' "$work/p.html" &&
	! grep -qF '11,600.00' "$work/p.html" && ! grep -qF '9,600.00' "$work/p.html"; then ok
else bad "periods page: exit $st: $(cat "$work/err")"; fi

# ---- a run without reasons: counts, and the note ------------------------------
(cd "$work/c" && "$HUIMIN" run "$here/small.pol" --config small.conf --out n.db --no-progress) > /dev/null 2>&1
"$HUIMIN" report "$work/c/n.db" --format html > "$work/n.html" 2> "$work/err"
st=$?
[ $st -eq 0 ] && wellformed "$work/n.html" && grep -qF 'rerun it with --reasons' "$work/n.html" &&
	! grep -qF 'by the condition that failed' "$work/n.html" && ok \
	|| bad "page of a run without reasons: exit $st: $(cat "$work/err")"

# ---- ID numbers in a stored reason are masked ---------------------------------
cp "$work/c/r.db" "$work/c/id.db"
sqlite3 "$work/c/id.db" "UPDATE run_reasons SET text = text || ' (330102199211100016 <&>)' WHERE text LIKE '%80%'"
"$HUIMIN" report "$work/c/id.db" --format html > "$work/id.html" 2> "$work/err"
st=$?
[ $st -eq 0 ] && wellformed "$work/id.html" && ! grep -qF '330102199211100016' "$work/id.html" &&
	grep -qF '330102********0016 &lt;&amp;&gt;' "$work/id.html" && ok \
	|| bad "ID in a reason: exit $st: $(grep -o '3301[^<]*' "$work/id.html" | head -2) $(cat "$work/err")"

# ---- errors: nothing written, exit 2 --------------------------------------------
"$HUIMIN" report "$work/c/r.db" --run 9 --format html --out "$work/none.html" > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && [ ! -e "$work/none.html" ] && grep -qF 'no run 9' "$work/err" && ok \
	|| bad "a report that fails wrote a file: exit $st: $(cat "$work/err")"
"$HUIMIN" report "$work/c/r.db" --format html --out "$work/no/such/dir/p.html" > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF "no/such/dir/p.html: No such file or directory" "$work/err" && ok \
	|| bad "--out into a missing folder: exit $st: $(cat "$work/err")"
"$HUIMIN" report "$work/c/r.db" --format pdf > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && grep -qF 'unknown format `pdf` (text, json or html)' "$work/err" && ok \
	|| bad "--format pdf: exit $st: $(cat "$work/err")"
"$HUIMIN" report "$work/c/r.db" --out "" > /dev/null 2> "$work/err"
st=$?
[ $st -eq 2 ] && ok || bad "--out '': exit $st"
# --out takes the text and JSON formats too
"$HUIMIN" report "$work/c/r.db" --format json --out "$work/r.json" > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 0 ] && [ ! -s "$work/out" ] && python3 -m json.tool "$work/r.json" > /dev/null && ok \
	|| bad "--format json --out: exit $st: $(cat "$work/err")"

finish
