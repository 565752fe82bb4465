#!/bin/sh
# run-manifest.sh -- a pack manifest (huimin.pack) at the pack's root names
# its folders: `huimin test` of one test file finds the modules it uses
# there (FOLDER/LAST.pol or FOLDER/A/B/LAST.pol), from the file's folder or
# any above it up to the root of its repository (a folder with .git), below
# the home folder and on one file system; a manifest that cannot be used is
# said at the `use`.
# Env: HUIMIN (the command), SRCDIR (source tree).
. "$SRCDIR/tests/lib.sh"
cd "$SRCDIR/tests/manifest" || exit 99

"$HUIMIN" test pack/tests/one.pol > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 0 ] && grep -qxF "1 passed, 0 failed" "$work/out" && ok || bad "test one file of the pack: exit $st: $(cat "$work/out" "$work/err")"
# from inside the pack's folder, with a relative path
(cd pack/tests && "$HUIMIN" test one.pol) > "$work/out" 2> "$work/err"
st=$?
[ $st -eq 0 ] && ok || bad "test from inside the pack: exit $st: $(cat "$work/err")"
# without a manifest the module is not found
cp pack/tests/one.pol "$work/one.pol"
"$HUIMIN" check "$work/one.pol" > "$work/out" 2>&1
st=$?
[ $st -eq 1 ] && grep -qF "module \`demo.common\` not found" "$work/out" && grep -qF "huimin.pack" "$work/out" && ok ||
	bad "without a manifest: exit $st: $(cat "$work/out")"
# a manifest with an unknown key and no name: said at the `use`
"$HUIMIN" check badpack/tests/one.pol > "$work/out" 2>&1
st=$?
[ $st -eq 1 ] && grep -qF "one.pol:1:5: error: the pack manifest badpack/huimin.pack cannot be used" "$work/out" &&
	ok || bad "a bad manifest: exit $st: $(cat "$work/out")"

# the search stops at the root of a repository and below the home folder:
# a manifest beyond them is not used (it is found where neither is between)
mkdir -p "$work/outer/rules" "$work/outer/repo/tests" "$work/outer/repo/.git" "$work/outer/home/tests"
cp pack/huimin.pack "$work/outer/huimin.pack"
cp -R pack/rules/. "$work/outer/rules/"
cp pack/tests/one.pol "$work/outer/repo/tests/one.pol"
cp pack/tests/one.pol "$work/outer/home/tests/one.pol"
HOME=/nonexistent "$HUIMIN" check "$work/outer/repo/tests/one.pol" > "$work/out" 2>&1
st=$?
[ $st -eq 1 ] && grep -qF "module \`demo.common\` not found" "$work/out" && ok ||
	bad "a manifest above the repository's root: exit $st: $(cat "$work/out")"
HOME=$work/outer/home "$HUIMIN" check "$work/outer/home/tests/one.pol" > "$work/out" 2>&1
st=$?
[ $st -eq 1 ] && grep -qF "module \`demo.common\` not found" "$work/out" && ok ||
	bad "a manifest above the home folder: exit $st: $(cat "$work/out")"
HOME=/nonexistent "$HUIMIN" check "$work/outer/home/tests/one.pol" > "$work/out" 2>&1
st=$?
[ $st -eq 0 ] && ok || bad "a manifest two folders up: exit $st: $(cat "$work/out")"
# the repository's root itself is searched
cp pack/huimin.pack "$work/outer/repo/huimin.pack"
mkdir -p "$work/outer/repo/rules" && cp -R pack/rules/. "$work/outer/repo/rules/"
HOME=/nonexistent "$HUIMIN" check "$work/outer/repo/tests/one.pol" > "$work/out" 2>&1
st=$?
[ $st -eq 0 ] && ok || bad "a manifest at the repository's root: exit $st: $(cat "$work/out")"

finish
