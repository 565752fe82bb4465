#!/bin/sh
# run-masked.sh -- ids in what explain, needs and plugin-check print: text
# masks household and person ids and the ID numbers in free text unless
# --show-ids; JSON keeps them whole when written to a pipe or a file, and
# masks them on a terminal unless --show-ids; plugin-check's sample masks
# the id of each row and the ID numbers in its values.
#
# Env: HUIMIN (the command), SRCDIR (source tree).
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
set -u
batch="$SRCDIR/tests/batch"
pol="$batch/small.pol"
bindir=$(dirname "$HUIMIN")
HUIMIN_PLUGIN_PATH="$bindir/plugins/.libs${HUIMIN_PLUGIN_PATH:+:$HUIMIN_PLUGIN_PATH}"
export HUIMIN_PLUGIN_PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# the small city of tests/batch, where H4 is H0012345, its member P6 has
# an 18-character ID, P6's deceased cell holds another person's ID number
# and P5's marital code is a 15-digit number
mkdir "$work/c"
cp "$batch/small.conf" "$work/c/"
sqlite3 "$work/c/registry.db" < "$batch/city.sql"
sqlite3 "$work/c/civil.db" < "$batch/civil.sql"
sqlite3 "$work/c/registry.db" "UPDATE person SET person_id = '330102199001010013', deceased = '110105198001010027'
	WHERE person_id = 'P6';
	UPDATE person SET marital_code = '330102900101001' WHERE person_id = 'P5';
	UPDATE household SET hh_id = 'H0012345' WHERE hh_id = 'H4';
	UPDATE person SET hh_id = 'H0012345' WHERE hh_id = 'H4'"
sqlite3 "$work/c/civil.db" "UPDATE income SET person_id = '330102199001010013' WHERE person_id = 'P6';
	UPDATE contribution SET person_id = '330102199001010013' WHERE person_id = 'P6';
	UPDATE hh SET hh_id = 'H0012345' WHERE hh_id = 'H4'"
whole='H0012345\|330102199001010013\|110105198001010027\|330102900101001'

# hm NAME CMD ARGS...: `huimin CMD ARGS` in the city, stdout to $work/NAME
hm() {
	name=$1
	shift
	(cd "$work/c" && "$HUIMIN" "$@") > "$work/$name" 2> "$work/$name.err"
}
# on_tty NAME CMD ARGS...: the same with stdout a terminal (script(1))
on_tty() {
	name=$1
	shift
	cmd="cd '$work/c' && '$HUIMIN'"
	for a in "$@"; do cmd="$cmd '$a'"; done
	script -qec "$cmd 2> /dev/null" /dev/null < /dev/null | tr -d '\r' > "$work/$name"
}
# masked NAME WHAT PHRASE...: $work/NAME has each PHRASE and no whole id
masked() {
	name=$1 what=$2
	shift 2
	for p in "$@"; do
		grep -qF -- "$p" "$work/$name" || { bad "$what: no \"$p\" in: $(head -5 "$work/$name") $(head -3 "$work/$name.err" 2> /dev/null)"; return; }
	done
	if grep -q "$whole" "$work/$name"; then bad "$what: a whole id: $(grep "$whole" "$work/$name" | head -3)"
	else ok; fi
}
# shown NAME WHAT PHRASE...: $work/NAME has each PHRASE
shown() {
	name=$1 what=$2
	shift 2
	for p in "$@"; do
		grep -qF -- "$p" "$work/$name" || { bad "$what: no \"$p\" in: $(head -5 "$work/$name") $(head -3 "$work/$name.err" 2> /dev/null)"; return; }
	done
	ok
}

# ---- explain ------------------------------------------------------------------
hm ex.txt explain "$pol" --config small.conf --household H0012345
masked ex.txt "explain text" "household H0****45," "member 1 (330102********0013)"
hm ex-show.txt explain "$pol" --config small.conf --household H0012345 --show-ids
shown ex-show.txt "explain --show-ids" "household H0012345," "member 1 (330102199001010013)"
# JSON to a file: whole, as with --show-ids
hm ex.json explain "$pol" --config small.conf --household H0012345 --format json
hm ex-show.json explain "$pol" --config small.conf --household H0012345 --format json --show-ids
if [ -s "$work/ex.json" ] && cmp -s "$work/ex.json" "$work/ex-show.json" &&
	grep -qF '"member_id": "330102199001010013"' "$work/ex.json"; then ok
else bad "explain JSON to a file is not the --show-ids one: $(head -3 "$work/ex-show.json.err")"; fi
# JSON on a terminal: masked, unless --show-ids
on_tty ex-tty.json explain "$pol" --config small.conf --household H0012345 --format json
masked ex-tty.json "explain JSON on a terminal" '"id": "H0****45"' '"member_id": "330102********0013"'
on_tty ex-tty-show.json explain "$pol" --config small.conf --household H0012345 --format json --show-ids
shown ex-tty-show.json "explain JSON on a terminal, --show-ids" '"id": "H0012345"' '"member_id": "330102199001010013"'
# by person: the id asked for is masked too
hm ex-p.txt explain "$pol" --config small.conf --person 330102199001010013 --policy elder
masked ex-p.txt "explain --person" "member 1 (330102********0013)"

# ---- needs --------------------------------------------------------------------
# the data issue's detail quotes the cell: the ID number in it is masked
hm nd.txt needs "$pol" --config small.conf --household H0012345
masked nd.txt "needs text" "household H0****45 as of" "member 1 (330102********0013)" \
	"registry: person.deceased: 110105********0027 is not a yes/no value"
hm nd-p.txt needs "$pol" --config small.conf --person 330102199001010013
masked nd-p.txt "needs --person" "person 330102********0013 (member 1 of household H0****45)"
hm nd-show.txt needs "$pol" --config small.conf --household H0012345 --show-ids
shown nd-show.txt "needs --show-ids" "household H0012345 as of" "member 1 (330102199001010013)" \
	"person.deceased: 110105198001010027 is not"
hm nd.json needs "$pol" --config small.conf --household H0012345 --format json
hm nd-show.json needs "$pol" --config small.conf --household H0012345 --format json --show-ids
if [ -s "$work/nd.json" ] && cmp -s "$work/nd.json" "$work/nd-show.json" &&
	grep -qF '"household": "H0012345"' "$work/nd.json"; then ok
else bad "needs JSON to a file is not the --show-ids one: $(head -3 "$work/nd-show.json.err")"; fi
on_tty nd-tty.json needs "$pol" --config small.conf --household H0012345 --format json
masked nd-tty.json "needs JSON on a terminal" '"household": "H0****45"' '"id": "330102********0013"' \
	'"detail": "person.deceased: 110105********0027 is not a yes/no value"'
on_tty nd-tty-show.json needs "$pol" --config small.conf --household H0012345 --format json --show-ids
shown nd-tty-show.json "needs JSON on a terminal, --show-ids" '"household": "H0012345"'

# ---- plugin-check's sample ----------------------------------------------------
hm pc.txt plugin-check sqlite --config small.conf --source registry --sample 10
masked pc.txt "plugin-check --sample" "  H0****45" "  330102********0013" 'person.marital = "33010*******001"' \
	"data issue: registry bad_value: person.deceased: 110105********0027 is not a yes/no value"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
