#!/bin/sh
# run-install.sh -- `make install` into a temporary DESTDIR: every file
# where Debian puts it (the command, libhuimin.so, the headers, huimin.pc,
# the plugins, the standard library's text, the docs, explain.schema.json,
# the example plugin's source, the manual page), the manual page rendered
# without warnings and naming every command and option, pkg-config's
# answers (a program and the example plugin built with them), exactly the
# header's functions exported by libhuimin.so, and `make uninstall`
# leaving no file.  Then the conventions: -V, `-` for standard input and
# output, and `check` and `test --format json` against golden files.
#
# Env: HUIMIN (the command, in its build tree), SRCDIR (source tree).
# HM_REGEN=1 rewrites the golden files.
. "$SRCDIR/tests/lib.sh"
here="$SRCDIR/tests/install"
build=$(cd "$bindir" && pwd)
dest="$work/dest"

# the install folders of this build (Makefile.am: print-install-dirs)
make -s --no-print-directory -C "$build" print-install-dirs > "$work/dirs" || exit 99
get() { sed -n "s|^$1=||p" "$work/dirs"; }
prefix=$(get prefix) i_bindir=$(get bindir) libdir=$(get libdir) includedir=$(get includedir)
pkgdatadir=$(get pkgdatadir) plugindir=$(get plugindir) docdir=$(get docdir) mandir=$(get mandir)
cc=$(get CC) san=$(get SAN_CFLAGS)

# ---- the layout ---------------------------------------------------------------
if ! make --no-print-directory -C "$build" install DESTDIR="$dest" > "$work/install.log" 2>&1; then
	cat "$work/install.log"
	bad "make install failed"
	finish
	exit 1
fi
for f in "$i_bindir/huimin" "$libdir/libhuimin.so" "$libdir/pkgconfig/huimin.pc" \
	"$includedir/huimin.h" "$includedir/huimin_plugin.h" \
	"$plugindir/sqlite.so" "$plugindir/csv.so" "$plugindir/postgres.so" \
	"$mandir/man1/huimin.1" "$docdir/README.md"; do
	[ -f "$dest$f" ] && ok || bad "make install did not install $f"
done
# copies of the source tree's files
same() {
	if cmp -s "$1" "$dest$2"; then ok; else bad "make install: $2 is not a copy of ${1#"$SRCDIR"/}"; fi
}
same "$SRCDIR/docs/explain.schema.json" "$pkgdatadir/explain.schema.json"
for f in package explain-diff; do same "$SRCDIR/docs/$f.schema.json" "$pkgdatadir/$f.schema.json"; done
for f in "$SRCDIR"/stdlib/std/*.pol; do same "$f" "$pkgdatadir/stdlib/std/${f##*/}"; done
for f in "$SRCDIR"/docs/*.md; do same "$f" "$docdir/${f##*/}"; done
for f in example.c README.md example.conf housing.txt make-city.sql; do
	same "$SRCDIR/plugins/example/$f" "$docdir/examples/$f"
done
# the installed command is the one built
if [ "$("$dest$i_bindir/huimin" --version)" = "$("$HUIMIN" --version)" ]; then ok; else bad "installed huimin --version"; fi

# ---- the manual page ----------------------------------------------------------
man1="$dest$mandir/man1/huimin.1"
MANWIDTH=80 man --warnings -l "$man1" > /dev/null 2> "$work/man.err"
st=$?
if [ $st -ne 0 ] || [ -s "$work/man.err" ]; then
	bad "man --warnings -l huimin.1: exit $st: $(cat "$work/man.err")"
else
	ok
fi
# wide enough that no option is broken across lines; minus signs as ASCII
MANWIDTH=1000 man -l "$man1" 2> /dev/null | sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g' > "$work/man.txt"
grep -q "^EXIT STATUS" "$work/man.txt" && grep -q "^ENVIRONMENT" "$work/man.txt" &&
	grep -q "^FILES" "$work/man.txt" && grep -q "^EXAMPLES" "$work/man.txt" && ok ||
	bad "huimin.1 lacks a section (EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES)"
# every command, and every option its --help lists, is in the manual page
commands=$("$HUIMIN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
[ -n "$commands" ] || bad "no commands in huimin --help"
for c in $commands; do
	grep -q "^   $c " "$work/man.txt" || bad "huimin.1 has no section for the command $c"
	for o in $("$HUIMIN" "$c" --help | grep -oE -- '(^|[ ,(\[])--?[A-Za-z][a-z-]*' | sed 's/^[ ,(\[]//' | sort -u); do
		grep -qE -- "(^|[^A-Za-z-])$o([^A-Za-z-]|\$)" "$work/man.txt" ||
			bad "huimin.1 does not mention $o of huimin $c"
	done
done
for o in -V --version HUIMIN_PLUGIN_PATH HUIMIN_STDLIB; do
	grep -q -- "$o" "$work/man.txt" || bad "huimin.1 does not mention $o"
done

# ---- pkg-config ---------------------------------------------------------------
pc="$dest$libdir/pkgconfig"
version=$("$HUIMIN" -V | sed 's/^huimin //')
[ "$(PKG_CONFIG_PATH=$pc pkg-config --variable=prefix huimin)" = "$prefix" ] && ok ||
	bad "huimin.pc: prefix $(PKG_CONFIG_PATH=$pc pkg-config --variable=prefix huimin), configured $prefix"
[ "$(PKG_CONFIG_PATH=$pc pkg-config --variable=libdir huimin)" = "$libdir" ] && ok ||
	bad "huimin.pc: libdir $(PKG_CONFIG_PATH=$pc pkg-config --variable=libdir huimin), configured $libdir"
[ "$(PKG_CONFIG_PATH=$pc pkg-config --modversion huimin)" = "$version" ] && ok || bad "huimin.pc: version"
# the flags, under DESTDIR: a program built with them links and runs
flags() { PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$dest pkg-config "$@" huimin; }
cat > "$work/version.c" <<'EOF'
#include <huimin.h>
#include <stdio.h>
int main(void)
{
    printf("huimin %s\n", hm_version());
    return 0;
}
EOF
# shellcheck disable=SC2046,SC2086
if $cc $san $(flags --cflags) -o "$work/version" "$work/version.c" $(flags --libs) 2> "$work/cc.err" &&
   [ "$(LD_LIBRARY_PATH=$dest$libdir "$work/version")" = "$("$HUIMIN" -V)" ]; then
	ok
else
	bad "a program built with pkg-config's flags: $(cat "$work/cc.err")"
fi
# the example plugin, built from its installed source as its README says
# shellcheck disable=SC2046,SC2086
if (cd "$work" && $cc -shared -fPIC -O2 $(flags --cflags) -o example.so "$dest$docdir/examples/example.c" &&
	"$HUIMIN" plugin-check ./example.so) > "$work/plugin.out" 2>&1; then
	ok
else
	bad "the installed example plugin: $(cat "$work/plugin.out")"
fi

# ---- exports: exactly the functions huimin.h and huimin_plugin.h declare ------
nm -D --defined-only "$dest$libdir/libhuimin.so" | awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u > "$work/exported"
# the header's declarations, read here without the preprocessor (the build
# uses it: two readings that must agree)
python3 - "$dest$includedir/huimin.h" "$dest$includedir/huimin_plugin.h" > "$work/declared" <<'PY'
import re, sys
text = "".join(open(f, encoding="utf-8").read() for f in sys.argv[1:])
text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
text = re.sub(r"//[^\n]*", " ", text)
text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
names = set()
for stmt in re.split(r"[;{}]", text):
    # a plugin's entry point is the plugin's, not the library's
    if re.match(r"\s*typedef\b", stmt) or "HM_PLUGIN_EXPORT" in stmt:
        continue
    m = re.match(r"[^(]*\b(hm_\w+)\s*\(", stmt)
    if m:
        names.add(m.group(1))
print("\n".join(sorted(names)))
PY
# functions the library defines at all: every one the header declares
nm --defined-only -g "$build/.libs/libhmcore.a" "$build"/common/.libs/*.o 2> /dev/null |
	awk 'NF == 3 { print $3 }' | sort -u > "$work/defined"
leaked=$(comm -23 "$work/exported" "$work/declared")
hidden=$(comm -23 "$work/declared" "$work/exported" | comm -12 - "$work/defined")
missing=$(comm -23 "$work/declared" "$work/defined")
[ -s "$work/declared" ] && [ -s "$work/exported" ] || bad "no declarations or no exports read"
[ -z "$leaked" ] && ok || bad "libhuimin.so exports what the headers do not declare:" $leaked
[ -z "$hidden" ] && ok || bad "libhuimin.so does not export what the headers declare:" $hidden
for s in hm_decode hm_op_info hm_host; do
	grep -qx "$s" "$work/exported" && bad "libhuimin.so exports the internal $s" || ok
done
[ -z "$missing" ] && ok || bad "the headers declare what the library does not define:" $missing

# ---- make uninstall leaves no file --------------------------------------------
if make --no-print-directory -C "$build" uninstall DESTDIR="$dest" > "$work/uninstall.log" 2>&1 &&
   [ -z "$(find "$dest" -type f -o -type l)" ]; then
	ok
else
	bad "make uninstall left: $(find "$dest" -type f -o -type l | head -5)"
fi

# ---- -V ---------------------------------------------------------------------------
out=$("$HUIMIN" -V 2>&1)
[ $? -eq 0 ] && [ "$out" = "huimin $version" ] && [ "$out" = "$("$HUIMIN" --version)" ] && ok ||
	bad "huimin -V: $out"

# ---- `-`: standard input and output -----------------------------------------------
cd "$here" || exit 99
# expect NAME STATUS PHRASE COMMAND...: exit STATUS and PHRASE on stderr
expect() {
	name=$1 want=$2 phrase=$3
	shift 3
	"$@" > "$work/out" 2> "$work/err"
	st=$?
	if [ $st -ne "$want" ]; then
		bad "$name: exit $st, expected $want: $(cat "$work/err")"
	elif ! grep -qF -- "$phrase" "$work/err"; then
		bad "$name: no \"$phrase\" in: $(cat "$work/err")"
	else
		ok
	fi
}
expect "check -" 1 "<stdin>:7:5: error: max of what?" "$HUIMIN" check - < diags.pol
expect "check - -" 2 "huimin: \`-\` (standard input) given more than once" "$HUIMIN" check - - < diags.pol
expect "report -" 2 "huimin: report: the results database cannot be \`-\`" "$HUIMIN" report -
# test -: the same results, the file named <stdin>
"$HUIMIN" test tests.pol > "$work/test-file.txt" 2> /dev/null
"$HUIMIN" test - < tests.pol > "$work/test-stdin.txt" 2> /dev/null
st=$?
sed 's/tests\.pol/<stdin>/' "$work/test-file.txt" | diff - "$work/test-stdin.txt" > /dev/null && [ $st -eq 1 ] && ok ||
	bad "test - (exit $st) differs from test tests.pol"
# compile -o -: the bytes of compile -o FILE; disasm - reads a module or text
"$HUIMIN" compile tests.pol -o "$work/file.hmc" 2> /dev/null
"$HUIMIN" compile tests.pol -o - > "$work/stdout.hmc" 2> "$work/err"
st=$?
[ $st -eq 0 ] && [ -s "$work/stdout.hmc" ] && cmp -s "$work/file.hmc" "$work/stdout.hmc" && ok ||
	bad "compile -o - (exit $st): not the module compile -o FILE writes: $(cat "$work/err")"
"$HUIMIN" disasm "$work/file.hmc" > "$work/dis-file.txt" 2>&1
"$HUIMIN" disasm - < "$work/stdout.hmc" > "$work/dis-stdin.txt" 2>&1 &&
	cmp -s "$work/dis-file.txt" "$work/dis-stdin.txt" && ok || bad "disasm - of a module"
"$HUIMIN" compile - -o - < tests.pol 2> /dev/null | "$HUIMIN" disasm - > "$work/dis-pipe.txt" 2>&1 &&
	"$HUIMIN" disasm - < tests.pol > "$work/dis-text.txt" 2>&1 &&
	cmp -s "$work/dis-pipe.txt" "$work/dis-text.txt" && grep -q "(<stdin>:5)" "$work/dis-text.txt" && ok ||
	bad "compile - -o - | disasm - differs from disasm - of the text"
# a terminal on stdout is refused before compiling, and nothing is written to it
python3 - "$HUIMIN" > "$work/tty.out" 2>&1 <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
r = subprocess.run([sys.argv[1], "compile", "tests.pol", "-o", "-"], stdout=slave, stderr=subprocess.PIPE)
os.close(slave)
os.set_blocking(master, False)
try:
    shown = os.read(master, 4096)
except (BlockingIOError, OSError):
    shown = b""
print(r.returncode, len(shown), r.stderr.decode().strip())
PY
grep -q "^2 0 huimin: compile: -o -: standard output is a terminal" "$work/tty.out" && ok ||
	bad "compile -o - to a terminal: $(cat "$work/tty.out")"

# a full disk: said, exit 2, never a silent success
if [ -w /dev/full ]; then
	expect "compile -o - > /dev/full" 2 "huimin: compile: cannot write the module to standard output" \
		sh -c '"$0" compile tests.pol -o - > /dev/full' "$HUIMIN"
	expect "check --format json > /dev/full" 2 "huimin: check: cannot write to standard output" \
		sh -c '"$0" check --format json diags.pol > /dev/full' "$HUIMIN"
	expect "test --format json > /dev/full" 2 "huimin: test: cannot write the results to standard output" \
		sh -c '"$0" test --format json tests.pol > /dev/full' "$HUIMIN"
fi

# ---- check and test --format json -------------------------------------------------
# golden NAME STATUS COMMAND...: stdout is tests/install/NAME.expected, valid
# JSON, and stderr is empty
golden() {
	name=$1 want=$2
	shift 2
	"$@" > "$work/$name.out" 2> "$work/$name.err"
	st=$?
	[ "${HM_REGEN:-}" = 1 ] && cp "$work/$name.out" "$here/$name.expected"
	if [ $st -ne "$want" ]; then
		bad "$name: exit $st, expected $want: $(cat "$work/$name.err")"
	elif ! diff -u "$here/$name.expected" "$work/$name.out"; then
		bad "$name: output differs from tests/install/$name.expected (HM_REGEN=1 to accept)"
	elif ! python3 -m json.tool "$work/$name.out" > /dev/null; then
		bad "$name: not JSON"
	elif [ -s "$work/$name.err" ]; then
		bad "$name: printed on stderr: $(cat "$work/$name.err")"
	else
		ok
	fi
}
golden check-json 1 "$HUIMIN" check --format json diags.pol
golden check-clean-json 0 "$HUIMIN" check --format json tests.pol
golden test-json 1 "$HUIMIN" test --format json --coverage tests.pol
golden test-errors-json 1 "$HUIMIN" test --format json diags.pol
# a file name that is not UTF-8: shown with U+FFFD, the JSON still valid
latin=$(printf 'caf\351')
cp tests.pol "$work/$latin.pol" && cp diags.pol "$work/$latin-d.pol"
"$HUIMIN" test --format json "$work/$latin.pol" > "$work/latin.json" 2> "$work/latin.err"
st=$?
"$HUIMIN" check --format json "$work/$latin-d.pol" > "$work/latin-d.json" 2>> "$work/latin.err"
st2=$?
if [ $st -eq 1 ] && [ $st2 -eq 1 ] && python3 -c '
import json, sys
t = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
sys.exit(0 if t["tests"][0]["file"].endswith("caf\ufffd.pol") and
         d["diagnostics"][0]["file"].endswith("caf\ufffd-d.pol") else 1)' "$work/latin.json" "$work/latin-d.json"; then
	ok
else
	bad "JSON of a file name that is not UTF-8: $(cat "$work/latin.err")"
fi
# the text is unchanged by the option's default
"$HUIMIN" check --format text diags.pol > /dev/null 2> "$work/text.err"
"$HUIMIN" check diags.pol > /dev/null 2> "$work/default.err"
cmp -s "$work/text.err" "$work/default.err" && grep -q "diags.pol:7:5: error" "$work/text.err" && ok ||
	bad "check --format text"
expect "check --format xml" 2 "huimin: check: unknown format \`xml\` (text or json)" \
	"$HUIMIN" check --format xml diags.pol
expect "test --format xml" 2 "huimin: test: unknown format \`xml\` (text or json)" \
	"$HUIMIN" test --format xml tests.pol
expect "check --dump-ast --format json" 2 "huimin: check: --dump-ast and --format json both write to stdout" \
	"$HUIMIN" check --dump-ast --format json tests.pol

finish
