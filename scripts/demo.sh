#!/usr/bin/env bash
# scripts/demo.sh -- build huimin and show what it does on the example pack.
#
# Steps:
#   1. install missing Debian packages and build in build/default
#   2. check the example policy pack (examples/policies)
#   3. break a copy of one example policy and show the diagnostic
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
		printf '  %-40s %s\n' "${f#"$PACK"/}" \
			"$(grep '^policy ' "$f" | awk '{print $2}' | paste -sd' ' -)"
	done
fi

# ---- 3. a diagnostic ------------------------------------------------------------
# Take the first example file that defines `let NAME = ...` and uses NAME on a
# later line, copy it to a temporary folder and misspell that later use.
step "a deliberately broken policy"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

broken=""
for f in "${pol_files[@]}"; do
	# Prefer a file that uses no other module of the pack, so that it can be
	# checked on its own.
	if grep -E '^[[:space:]]*use[[:space:]]' "$f" |
		grep -Evq '^[[:space:]]*use[[:space:]]+std\.'; then
		continue
	fi
	# "NAME<tab>LINE<tab>BYTE": a let-bound NAME and where a later line uses
	# it outside strings and comments; a use in a condition or amount is
	# preferred to one in another let.
	found=$(LC_ALL=C awk '
		# the line with string contents blanked and the comment cut off
		function code(s,   out, i, c, inq) {
			out = ""; inq = 0
			for (i = 1; i <= length(s); i++) {
				c = substr(s, i, 1)
				if (inq) {
					if (c == "\\") { out = out "  "; i++; continue }
					if (c == "\"") inq = 0
					out = out (c == "\"" ? c : " ")
					continue
				}
				if (c == "#") break
				if (c == "\"") inq = 1
				out = out c
			}
			return out
		}
		function isword(c) { return c ~ /[A-Za-z0-9_]/ || c >= "\200" }
		{
			line = code($0)
			# inlet: this line is a let or continues one
			from = 1
			if (line ~ /^[ \t]*let[ \t]/) {
				inlet = 1; from = index(line, "=") + 1
			} else if (line ~ /^[ \t]*}/ || line ~ /^[ \t]*(eligible|amount|policy|test|parameter|source|scale|function|extern|codes|map|reference|excludes|module|use)([ \t{]|$)/) {
				inlet = 0
			}
			for (n in names) {
				i = index(substr(line, from), n)
				while (i > 0) {
					p = from + i - 1
					before = substr(line, p - 1, 1)
					after = substr(line, p + length(n), 1)
					if (!isword(before) && before != "." && !isword(after)) {
						if (!inlet) { print n "\t" NR "\t" p; done = 1; exit }
						if (fallback == "") fallback = n "\t" NR "\t" p
						break
					}
					j = index(substr(line, p + 1), n)
					i = (j > 0) ? p + j - from + 1 : 0
				}
			}
			if (match(line, /^[ \t]*let[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
				s = substr(line, RSTART, RLENGTH)
				sub(/^[ \t]*let[ \t]+/, "", s)
				if (length(s) >= 4) names[s] = NR
			}
		}
		END { if (!done && fallback != "") print fallback }' "$f")
	if [ -n "$found" ]; then
		broken=$f
		break
	fi
done

if [ -z "$broken" ]; then
	echo "no example policy has a let-bound name to misspell; skipping this step"
else
	IFS=$'\t' read -r name lineno byte <<<"$found"
	# drop one letter from the middle: per_cap -> per_ap
	mid=$((${#name} / 2))
	[ "${name:mid:1}" != "_" ] || mid=$((mid + 1))
	typo=${name:0:mid}${name:mid+1}
	copy=$tmp/$(basename "$broken")
	LC_ALL=C awk -v ln="$lineno" -v p="$byte" -v name="$name" -v typo="$typo" '
		NR == ln { $0 = substr($0, 1, p - 1) typo substr($0, p + length(name)) }
		{ print }' "$broken" >"$copy"

	# shellcheck disable=SC2016 # backquotes are literal
	printf 'copied %s and misspelled `%s` as `%s` on line %d:\n' \
		"$broken" "$name" "$typo" "$lineno"
	printf '  - %s\n' "$(sed -n "${lineno}p" "$broken")"
	printf '  + %s\n' "$(sed -n "${lineno}p" "$copy")"
	printf '\n$ huimin check %s\n' "$(basename "$copy")"
	rc=0
	(cd "$tmp" && "$root/$HUIMIN" check "$(basename "$copy")") 2>&1 || rc=$?
	printf '(exit code %d)\n' "$rc"
	if [ "$rc" -ne 1 ]; then
		hm_die "expected huimin check to report the misspelling with exit code 1"
	fi
fi

# ---- later steps --------------------------------------------------------------
# TODO: append the next demo steps here once their commands exist:
#   - generate the example city (SQLite) from examples/
#   - huimin run: the policy pack over the city, with a summary
#   - huimin explain: one household's derivation trace
# Until then the demo ends after the checker.
