#!/bin/sh
# run-pack.sh -- the compiled pack is the program.  The example pack is
# compiled, its sources are removed, and every command that takes policy
# files prints, from the pack alone, exactly what it printed from the
# sources: run --given (table and JSON, JSON and `given` facts), explain
# (text, JSON, for citizens), needs (the list, and for one household),
# test, disasm.  Then what is refused, in one line each: a pack where
# policy text is expected, text where a pack is expected, a pack of
# another format version, a pack whose sources do not give its program,
# a pack whose source text does not have its recorded SHA-256.
#
# Environment: HUIMIN, SRCDIR (see Makefile.am).  Prints "N passed, N failed".
. "$SRCDIR/tests/lib.sh"

cp -r "$SRCDIR/examples/policies" "$work/pol"
cp "$SRCDIR/examples/households/family.json" "$SRCDIR/tests/run/family.given" "$work/"
cd "$work" || exit 99
DAY=--as-of=2024-08-01

# each command: its name, then its arguments after POLICIES
cmds='run-table|run POLICIES --given family.json '$DAY'
run-json|run POLICIES --given family.json --format json '$DAY'
run-given|run POLICIES --given family.given '$DAY'
explain-text|explain POLICIES --given family.json '$DAY'
explain-json|explain POLICIES --given family.json --format json '$DAY'
explain-citizen|explain POLICIES --given family.json --audience citizen --policy dibao '$DAY'
explain-given|explain POLICIES --given family.given --policy gaoling '$DAY'
needs-list|needs POLICIES
needs-given|needs POLICIES --given family.json '$DAY'
test|test POLICIES
test-verbose|test -v POLICIES
disasm|disasm POLICIES'

# from the sources
echo "$cmds" | while IFS='|' read -r name args; do
	# shellcheck disable=SC2086
	"$HUIMIN" $(echo "$args" | sed 's|POLICIES|pol|') > "src-$name.out" 2> "src-$name.raw"
	sed 's/tests in [0-9.]* ms/tests in T ms/' "src-$name.raw" > "src-$name.err"
	echo $? > "src-$name.rc"
done

if "$HUIMIN" compile pol -o city.hmc 2> compile.err && [ -s city.hmc ]; then ok; else bad "compile: $(cat compile.err)"; fi
rm -rf pol

echo "$cmds" | while IFS='|' read -r name args; do
	# shellcheck disable=SC2086
	"$HUIMIN" $(echo "$args" | sed 's|POLICIES|city.hmc|') > "pack-$name.out" 2> "pack-$name.raw"
	sed 's/tests in [0-9.]* ms/tests in T ms/' "pack-$name.raw" > "pack-$name.err"
	echo $? > "pack-$name.rc"
done
for f in src-*.out; do
	name=${f#src-}
	name=${name%.out}
	if [ ! -s "$f" ]; then
		bad "$name: no output from the sources ($(head -c 300 "src-$name.err"))"
	elif cmp -s "$f" "pack-$name.out" && cmp -s "src-$name.err" "pack-$name.err" &&
		cmp -s "src-$name.rc" "pack-$name.rc"; then
		ok
	else
		bad "$name: the pack's output differs from the sources':"
		diff "$f" "pack-$name.out" | head -10
		diff "src-$name.err" "pack-$name.err" | head -5
	fi
done

# expect NAME STATUS PATTERN [LINES] -- CMD...: exit status and a message
# of one line (or LINES)
expect() {
	name=$1 want=$2 pat=$3 lines=1
	[ "$4" != -- ] && { lines=$4; shift; }
	shift 4
	"$@" > out 2> err
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(wc -l < err)" -le "$lines" ] && grep -q -- "$pat" err; then
		ok
	else
		bad "$name: exit $rc (want $want), stderr:"
		head -5 err
	fi
}

expect check-pack 2 'city.hmc. is a compiled pack, not policy text' -- "$HUIMIN" check city.hmc
expect compile-pack 2 'city.hmc. is a compiled pack, not policy text' -- "$HUIMIN" compile city.hmc -o again.hmc
expect pack-and-more 2 'is a compiled pack, not policy text: give it alone' -- \
	"$HUIMIN" run city.hmc "$SRCDIR/examples/policies/dibao.pol" --given family.json
printf 'policy x "x" for household {\n  eligible when true\n}\n' > text.hmc
expect text-as-pack 2 'text.hmc: this is a text file, not a compiled pack' -- "$HUIMIN" disasm text.hmc
[ ! -e again.hmc ] && ok || bad "compile-pack: wrote again.hmc"

# change bytes of a copy of the pack at OFFSET and make its checksum
# right again, as another huimin or a hand would have written it
patch_pack() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
src, dst, off, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4])
b = bytearray(open(src, 'rb').read())
b[off:off + len(data)] = data
struct.pack_into('<I', b, 44, zlib.crc32(bytes(b[64:])) & 0xffffffff)
open(dst, 'wb').write(bytes(b))
PY
}
# section OFFSET of the pack: where section ID starts
section() {
	python3 - city.hmc "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
want = int(sys.argv[2])
for i in range(struct.unpack_from('<I', b, 40)[0]):
    sid, cnt, off, size = struct.unpack_from('<IIQQ', b, 64 + 24 * i)
    if sid == want:
        print(off)
PY
}
patch_pack city.hmc v4.hmc 8 0400
expect old-format 2 'v4.hmc: a pack of bytecode format 4.0; this huimin .* reads format 6.x: compile its policy files again' \
	-- "$HUIMIN" run v4.hmc --given family.json
# the first constant changed: valid bytecode, but not what its sources give
consts=$(section 4)
patch_pack city.hmc other.hmc "$consts" 39300f0000000000
expect not-reproduced 1 'do not give the pack.s program: it was compiled by another version' 2 -- \
	"$HUIMIN" test other.hmc
# one byte of the first source file's text
text=$(section 25)
patch_pack city.hmc tampered.hmc "$text" 40
expect tampered-source 2 'tampered.hmc: bad bytecode (source file 0: its text does not have its SHA-256)' -- \
	"$HUIMIN" explain tampered.hmc --given family.json

# a population run of the pack (evaluated from the pack, no compiler) and
# of its sources: the same decisions, and the pack's hash recorded is the
# file's
small_city "$work/c"
cd "$work/c" || exit 99
pols="$SRCDIR/tests/batch/small.pol"
"$HUIMIN" compile "$pols" -o small.hmc 2> err || bad "compile small: $(cat err)"
"$HUIMIN" run "$pols" --config small.conf --out r.db --no-progress --reasons --store all > src.sum 2> err || bad "run src: $(cat err)"
"$HUIMIN" run small.hmc --config small.conf --out r.db --no-progress --reasons --store all > pack.sum 2> err || bad "run pack: $(cat err)"
cmp -s src.sum pack.sum && ok || bad "summaries differ: $(diff src.sum pack.sum)"
hash="sha256:$(sha256sum small.hmc | cut -d' ' -f1)"
got=$(sqlite3 r.db "SELECT group_concat(pack_hash, ' ') FROM runs")
[ "$got" = "$hash $hash" ] && ok || bad "pack hashes recorded: $got, the file's $hash"
for r in 1 2; do
	sqlite3 r.db "SELECT entity_id, policy, status, amount_fen, reason FROM decisions WHERE run_id = $r ORDER BY 1, 2" > dec$r
done
[ -s dec1 ] && cmp -s dec1 dec2 && ok || bad "decisions differ: $(diff dec1 dec2 | head -5)"
# a corrupt pack never runs: one line, exit 2, nothing recorded
head -c 300 small.hmc > cut.hmc
"$HUIMIN" run cut.hmc --config small.conf --out r.db --no-progress > out 2> err
st=$?
n=$(sqlite3 r.db "SELECT count(*) FROM runs")
[ $st -eq 2 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q 'cut.hmc: bad bytecode' err && [ "$n" = 2 ] && ok ||
	bad "a cut pack: exit $st, runs $n: $(cat err)"

finish
