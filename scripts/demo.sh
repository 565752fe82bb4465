#!/usr/bin/env bash
# scripts/demo.sh -- build huimin and show what it does on the example pack.
#
# Steps:
#   1. install missing Debian packages and build in build/default
#   2. check the example policy pack (examples/policies)
#   3. break a copy of one example policy and show the diagnostic
#   4. run the pack's tests, compile it into build/demo-pack.hmc (the program
#      from then on), decide one household
#   5. generate the example city, run the pack over it, print the summary
#      and the report of the run
#   6. explain one household refused 低保 and one left undetermined
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

HUIMIN=build/default/huimin
PACK=examples/policies

step() {
	printf '\n== %s\n' "$*"
}

# ---- 1. build ---------------------------------------------------------------
step "installing dependencies and building"
hm_install_deps
hm_build build/default >/dev/null
[ -x "$HUIMIN" ] || hm_die "$HUIMIN was not built"

# ---- 2. check the example pack ------------------------------------------------
step "checking the example policy pack ($PACK)"
mapfile -t pol_files < <(find "$PACK" -name '*.pol' -type f | LC_ALL=C sort)
plural() { # plural N ONE MANY
	if [ "$1" -eq 1 ]; then printf '%d %s' "$1" "$2"; else printf '%d %s' "$1" "$3"; fi
}
if [ "${#pol_files[@]}" -eq 0 ]; then
	echo "there are no .pol files under $PACK yet; nothing to check"
else
	n_policies=$(cat "${pol_files[@]}" | grep -c '^policy ' || true)
	printf '$ %s check %s\n' "$HUIMIN" "$PACK"
	rc=0
	"$HUIMIN" check "$PACK" || rc=$?
	if [ "$rc" -ne 0 ]; then
		hm_die "huimin check found problems in $PACK (exit $rc)"
	fi
	printf 'checked %s, %s: no errors\n' \
		"$(plural "${#pol_files[@]}" file files)" \
		"$(plural "$n_policies" policy policies)"
	for f in "${pol_files[@]}"; do
		names=$(grep '^policy ' "$f" | awk '{print $2}' | paste -sd' ' - || true)
		printf '  %-20s %s\n' "${f#"$PACK"/}" "${names:-(no policy: shared definitions)}"
	done
fi

# ---- 3. a diagnostic ------------------------------------------------------------
# Copy the pack to a temporary folder, pick the first `let NAME = ...` whose
# NAME is used on a later line, misspell that use, and check the broken pack
# (the whole pack, so that every module a file uses is there and the facts
# used by the other policies do not show up as unused).
step "a deliberately broken policy"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

found=""
if [ "${#pol_files[@]}" -gt 0 ]; then
	cp -R "$PACK" "$tmp/policies"
	# prints "FILE<tab>LINE<tab>NAME<tab>TYPO" and rewrites FILE, or nothing
	found=$(python3 - "$tmp/policies" "${pol_files[@]#"$PACK"/}" <<'PY'
import re, sys

root, files = sys.argv[1], sys.argv[2:]
WORD = re.compile(r"[^\W\d]\w*")
STOP = re.compile(r"\s*(\}|(eligible|amount|policy|test|parameter|source|scale"
                  r"|function|extern|codes|map|reference|excludes|module|use)\b)")

def code(line):
    """The line with string contents blanked and the comment cut off."""
    out, inq, i = [], False, 0
    while i < len(line):
        c = line[i]
        if inq:
            if c == "\\":
                out.append("  "); i += 2; continue
            if c == '"':
                inq = False
            out.append(c if c == '"' else " ")
        elif c == "#":
            break
        else:
            inq = c == '"'
            out.append(c)
        i += 1
    return "".join(out)

def long_enough(name):
    return len(name) >= (4 if name.isascii() else 3)

def find(lines):
    """(line index, column, name) of a use of a let-bound name; a use in a
    condition or amount is preferred to one in another let."""
    names, inlet, fallback = set(), False, None
    for n, raw in enumerate(lines):
        line, start = code(raw), 0
        m = re.match(r"\s*let\s+(" + WORD.pattern + r")", line)
        if m:
            inlet, start = True, line.find("=") + 1
        elif STOP.match(line):
            inlet = False
        if start > 0:
            for w in WORD.finditer(line, start):
                if w.group() in names and line[w.start() - 1] != ".":
                    fallback = fallback or (n, w.start(), w.group())
                    break
        else:
            for w in WORD.finditer(line):
                if w.group() in names and (w.start() == 0 or line[w.start() - 1] != "."):
                    if not inlet:
                        return n, w.start(), w.group()
                    fallback = fallback or (n, w.start(), w.group())
                    break
        if m and long_enough(m.group(1)):
            names.add(m.group(1))
    return fallback

words = set()
texts = {}
for f in files:
    with open(f"{root}/{f}", encoding="utf-8") as fh:
        texts[f] = fh.read().split("\n")
    for line in texts[f]:
        words.update(WORD.findall(code(line)))

for f in files:
    hit = find(texts[f])
    if not hit:
        continue
    n, col, name = hit
    # drop one letter from the middle (per_cap -> per_ap), avoiding a name
    # that exists
    for k in sorted(range(len(name)), key=lambda k: abs(k - len(name) // 2)):
        typo = name[:k] + name[k + 1:]
        if name[k] != "_" and WORD.fullmatch(typo) and typo not in words:
            break
    else:
        continue
    lines = texts[f]
    lines[n] = lines[n][:col] + typo + lines[n][col + len(name):]
    with open(f"{root}/{f}", "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print(f"{f}\t{n + 1}\t{name}\t{typo}")
    break
PY
)
fi

if [ -z "$found" ]; then
	echo "no example policy has a let-bound name to misspell; skipping this step"
else
	IFS=$'\t' read -r rel lineno name typo <<<"$found"
	# shellcheck disable=SC2016 # backquotes are literal
	printf 'copied %s and misspelled `%s` as `%s` on line %d:\n' \
		"$PACK/$rel" "$name" "$typo" "$lineno"
	printf '  - %s\n' "$(sed -n "${lineno}p" "$PACK/$rel")"
	printf '  + %s\n' "$(sed -n "${lineno}p" "$tmp/policies/$rel")"
	printf '\n$ huimin check policies\n'
	rc=0
	(cd "$tmp" && "$root/$HUIMIN" check policies) 2>&1 || rc=$?
	printf '(exit code %d)\n' "$rc"
	if [ "$rc" -ne 1 ]; then
		hm_die "expected huimin check to report the misspelling with exit code 1"
	fi
fi

# ---- the drafters' tests ------------------------------------------------------
printf '\n$ huimin test examples/policies\n'
"$HUIMIN" test "$PACK" || hm_die "the example pack's tests failed"

# ---- the approved pack: compiled once, then it is the program -------------------
hmc=build/demo-pack.hmc
printf '\n$ huimin compile examples/policies -o %s\n' "$hmc"
"$HUIMIN" compile "$PACK" -o "$hmc" || hm_die "huimin compile failed"
printf '%s  (%s)\n' "$(sha256sum "$hmc" | cut -c1-64)" "the pack's SHA-256, which every run records"

# ---- one household --------------------------------------------------------------
printf '\n$ huimin run examples/policies --given examples/households/family.json --as-of 2024-08-01\n'
"$HUIMIN" run "$PACK" --given "$root/examples/households/family.json" --as-of 2024-08-01 ||
	hm_die "huimin run failed"

# ---- the example city ------------------------------------------------------------
# A synthetic city of 10,000 households, one SQLite database per department,
# with their own codes and deliberate data problems (examples/city/README.md).
city=build/demo-city
printf '\n$ examples/city/generate --households 10000 --seed 1 --out %s\n' "$city"
if [ -f "$city/sources.conf" ] && grep -qx 'households=10000 seed=1 as_of=2024-08-01' "$city/city.txt" 2>/dev/null; then
	echo "(already generated)"
else
	python3 examples/city/generate --households 10000 --seed 1 --out "$city" ||
		hm_die "generating the example city failed"
fi

# ---- the pack over the whole city -------------------------------------------------
# --store all keeps every decision, refusals too, so the refusals below can be
# listed and explained (by default a run keeps the eligible and undetermined
# ones and counts the rest per reason)
printf '\n$ huimin run %s --config %s/sources.conf --out %s/results.db --reasons --store all\n' "$hmc" "$city" "$city"
"$HUIMIN" run "$hmc" --config "$city/sources.conf" --out "$city/results.db" --no-progress --reasons --store all ||
	hm_die "the population run failed"

# ---- the run's statistics: counts, failed conditions, missing facts ----------------
printf '\n$ huimin report %s/results.db\n' "$city"
"$HUIMIN" report "$city/results.db" || hm_die "huimin report failed"

# ---- what the results database holds -----------------------------------------------
run_sql() {
	printf '\n$ sqlite3 %s/results.db "%s"\n' "$city" "$1"
	sqlite3 -header -column "$city/results.db" "$1" || hm_die "querying the results failed"
}
# the database keeps ids whole; what is printed masks them as huimin does
# (docs/plugins.md, "What is redacted"): 330102********0013
masked="substr(entity_id, 1, min(6, length(entity_id) / 3))
 || replace(hex(zeroblob(length(entity_id) - min(6, length(entity_id) / 3) - min(4, length(entity_id) / 4))), '00', '*')
 || substr(entity_id, length(entity_id) - min(4, length(entity_id) / 4) + 1) AS entity_id"
run_sql "SELECT policy, $masked, reason FROM decisions
 WHERE run_id = (SELECT max(run_id) FROM runs) AND policy = 'dibao' AND status = 'not_eligible'
 LIMIT 3"
run_sql "SELECT policy, $masked, missing FROM decisions
 WHERE run_id = (SELECT max(run_id) FROM runs) AND status = 'undetermined'
 LIMIT 3"
run_sql "SELECT source, issue, count(*) AS n FROM data_issues
 WHERE run_id = (SELECT max(run_id) FROM runs) GROUP BY 1, 2"

# ---- why: the explain traces of a refusal and of an undetermined decision ----------
# The first household refused 低保 for its income, and the first whose 低保
# decision is undetermined; each explained from the city's sources.
latest="run_id = (SELECT max(run_id) FROM runs)"
refused=$(sqlite3 "$city/results.db" "SELECT entity_id FROM decisions WHERE $latest AND policy = 'dibao'
 AND status = 'not_eligible' AND reason LIKE '%人均%' ORDER BY entity_id LIMIT 1")
open_one=$(sqlite3 "$city/results.db" "SELECT entity_id FROM decisions WHERE $latest AND policy = 'dibao'
 AND status = 'undetermined' ORDER BY entity_id LIMIT 1")
# The traces mask the ids (--show-ids would print them whole), and so do
# the commands shown here.
for h in refused open_one; do
	[ -n "${!h}" ] || hm_die "the city has no household to explain"
	printf '
$ huimin explain build/demo-pack.hmc --config %s/sources.conf --household "$%s" --policy dibao
' "$city" "$h"
	"$HUIMIN" explain "$hmc" --config "$city/sources.conf" --household "${!h}" --policy dibao ||
		hm_die "huimin explain failed"
done
printf '
$ huimin explain build/demo-pack.hmc --config %s/sources.conf --household "$refused" --policy dibao --audience citizen
' \
	"$city"
"$HUIMIN" explain "$hmc" --config "$city/sources.conf" --household "$refused" --policy dibao --audience citizen ||
	hm_die "huimin explain failed"
printf '
Next: docs/tutorial.md writes a first policy, tests it and reads its traces.\n'

