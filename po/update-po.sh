#!/bin/sh
# update-po.sh -- extract the checker's messages into po/huimin.pot and merge
# them into po/zh_CN.po (new messages come in untranslated, and are shown
# in English until translated).  Run from the source tree: sh po/update-po.sh
#
# `sh po/update-po.sh --pot FILE` writes the template to FILE and changes
# nothing in po/ (tests/i18n uses it to find messages not yet in the catalog).
set -eu
pot=po/huimin.pot
if [ "${1:-}" = --pot ]; then
	case ${2:?--pot needs a file} in
	/*) pot=$2 ;;
	*) pot=$PWD/$2 ;;
	esac
fi
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# every file of the compiler that reports a diagnostic, as xgettext can read
# it: the lexer through flex (xgettext takes flex patterns for C and loses
# its place), and `(hm_span){ a, b }` made one word (xgettext counts the
# comma in the braces as one more argument and would take the wrong one for
# the message); then po/composed.c, the messages put together from pieces
files=
for f in $(grep -l 'diag_\|ERR(\|WARN(\|lex_error\|hm_tr' lang/*.c lang/*.y lang/*.l | grep -v '^lang/diag.c$') lang/diag.c; do
	out="$tmp/$(basename "$f").c"
	case "$f" in
	*.l) ${FLEX:-flex} -o "$out.tmp" "$f" ;;
	*) cp "$f" "$out.tmp" ;;
	esac
	sed 's/(hm_span){[^}]*}/HM_SPAN/g' "$out.tmp" > "$out"
	files="$files $out"
done
# the frame of the explanations, in their readers' words
for f in explain/render.c explain/people.c explain/package.c explain/compare.c; do
	cp "$f" "$tmp/$(basename "$f")"
	files="$files $tmp/$(basename "$f")"
done
files="$files po/composed.c"
# the frame words of explain's HTML page
files="$files explain/html_page.c"
xgettext --from-code=UTF-8 --language=C --no-location --sort-output \
	--package-name=huimin --msgid-bugs-address=huimin \
	--keyword= --keyword=N_ --keyword=hm_tr --keyword=hm_tr_if:2 --keyword=why_add:3 \
	--keyword=diag_error:4 --flag=diag_error:4:c-format \
	--keyword=diag_warning:4 --flag=diag_warning:4:c-format \
	--keyword=diag_note:5 --flag=diag_note:5:c-format \
	--keyword=diag_hint:3 --flag=diag_hint:3:c-format \
	--keyword=lex_error:3 --flag=lex_error:3:c-format \
	--keyword=mismatch:3 --flag=mismatch:3:c-format \
	--keyword=ERR:2 --flag=ERR:2:c-format --keyword=WARN:2 --flag=WARN:2:c-format \
	--keyword=NOTE:3 --flag=NOTE:3:c-format \
	-o "$pot" $files
[ "$pot" = po/huimin.pot ] || exit 0
if [ -f po/zh_CN.po ]; then
	msgmerge --quiet --update --backup=none --no-location --sort-output po/zh_CN.po po/huimin.pot
else
	msginit --no-translator --locale=zh_CN.UTF-8 -i po/huimin.pot -o po/zh_CN.po
fi
# how much is translated
msgfmt --check --statistics -o /dev/null po/zh_CN.po
