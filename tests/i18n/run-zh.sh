#!/bin/sh
# run-zh.sh -- the checker's messages in Chinese (po/zh_CN.po).
#
# For a few cases of tests/golden/invalid (the lexer, the parser and the
# checker), `HUIMIN_LANG=zh huimin check` must print NAME.zh.err of this
# folder (stderr, then `exit: N`).  Chinese is also chosen by `--lang zh`
# and by a Chinese locale; `--lang en` and the default print the English
# golden output unchanged; an unknown language exits 2; JSON keeps its keys
# and severities in English.  Every message of the compiler must be in
# po/zh_CN.po and translated (no untranslated or fuzzy message).
#
# HM_REGEN=1 rewrites the NAME.zh.err files from the actual output.
. "$SRCDIR/tests/lib.sh"
unset HUIMIN_STDLIB
# the cases run in tests/golden/invalid, so that paths print as there
case $HUIMIN in
/*) ;;
*) HUIMIN=$(pwd)/$HUIMIN ;;
esac
HUIMIN_LOCALEDIR=${HUIMIN_LOCALEDIR:-$(dirname "$HUIMIN")/po/locale}
export HUIMIN_LOCALEDIR
inv=$SRCDIR/tests/golden/invalid
here=$SRCDIR/tests/i18n
cases="lex_chinese_typing lex_unterminated_string syn_missing_message
syn_file_ends_in_value arity unknown_name dup_definition unused_warnings
condition_not_bool expect_let_value_type
arith_mismatch except_value_type syn_bad_entity syn_test_missing_status"

# check OUT NAME [ENV…] [-- OPTION…]: stderr of `huimin OPTION… check
# NAME.pol` run in tests/golden/invalid with the environment changed by ENV
# (arguments of env(1)), then `exit: N`
check() {
	out=$1 name=$2
	shift 2
	env=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		env="$env $1"
		shift
	done
	[ $# -gt 0 ] && shift
	(cd "$inv" && env $env "$HUIMIN" "$@" check "$name.pol") >/dev/null 2>"$out" </dev/null
	echo "exit: $?" >>"$out"
}

# same EXPECTED ACTUAL WHAT: the files are equal, or a failure with a diff
same() {
	if cmp -s "$1" "$2"; then
		ok
	else
		bad "$3"
		diff -u "$1" "$2"
	fi
}

for c in $cases; do
	check "$work/$c.zh" "$c" HUIMIN_LANG=zh
	if [ -n "${HM_REGEN:-}" ] && ! cmp -s "$here/$c.zh.err" "$work/$c.zh"; then
		cp "$work/$c.zh" "$here/$c.zh.err" && echo "written: tests/i18n/$c.zh.err"
	fi
	same "$here/$c.zh.err" "$work/$c.zh" "HUIMIN_LANG=zh: $c"
	grep -q ': \(错误\|警告\): ' "$work/$c.zh" || bad "$c: no Chinese label"
	# English stays the default, and `--lang en` wins over the environment
	check "$work/$c.en" "$c" HUIMIN_LANG=en
	same "$inv/$c.err" "$work/$c.en" "HUIMIN_LANG=en: $c"
	check "$work/$c.default" "$c" -u HUIMIN_LANG -u LANG -u LC_MESSAGES LC_ALL=C.UTF-8
	same "$inv/$c.err" "$work/$c.default" "no language asked: $c"
	check "$work/$c.flag-en" "$c" HUIMIN_LANG=zh -- --lang en
	same "$inv/$c.err" "$work/$c.flag-en" "--lang en: $c"
done

# Chinese through `--lang zh`, `--lang=zh` and the locale
c=syn_missing_message
check "$work/flag" $c -u HUIMIN_LANG -- --lang zh
same "$here/$c.zh.err" "$work/flag" "--lang zh"
check "$work/flag" $c HUIMIN_LANG=en -- --lang=zh
same "$here/$c.zh.err" "$work/flag" "--lang=zh"
check "$work/locale" $c -u HUIMIN_LANG -u LC_ALL -u LC_MESSAGES LANG=zh_CN.UTF-8
same "$here/$c.zh.err" "$work/locale" "LANG=zh_CN.UTF-8"
check "$work/locale" $c -u HUIMIN_LANG -u LC_ALL LANG=C.UTF-8 LC_MESSAGES=zh_CN.UTF-8
same "$here/$c.zh.err" "$work/locale" "LC_MESSAGES=zh_CN.UTF-8"
check "$work/locale" $c -u HUIMIN_LANG LANG=zh_CN.UTF-8 LC_ALL=C.UTF-8
same "$inv/$c.err" "$work/locale" "LC_ALL=C.UTF-8 over LANG=zh_CN.UTF-8"

# an unknown language is a usage error, whichever way it is asked for
for how in "--lang fr" "--lang=fr"; do
	"$HUIMIN" $how check "$inv/$c.pol" >"$work/out" 2>"$work/err"
	rc=$?
	[ $rc -eq 2 ] || bad "$how: exit $rc, not 2"
	grep -qx 'huimin: unknown language `fr`: huimin speaks zh and en' "$work/err" || {
		bad "$how: the message"
		cat "$work/err"
	}
	[ -s "$work/out" ] && bad "$how: something on stdout"
done
HUIMIN_LANG=fr "$HUIMIN" check "$inv/$c.pol" >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 2 ] && grep -qx 'huimin: unknown language `fr`: huimin speaks zh and en' "$work/err" ||
	bad "HUIMIN_LANG=fr: exit $rc and: $(cat "$work/err")"
"$HUIMIN" --lang >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 2 ] && grep -qx 'huimin: `--lang` needs a language: zh or en' "$work/err" ||
	bad "--lang alone: exit $rc and: $(cat "$work/err")"

# JSON for tools: the message in Chinese, the keys and severities as they are
(cd "$inv" && HUIMIN_LANG=zh "$HUIMIN" check --format json dup_definition.pol) >"$work/json" 2>"$work/err"
rc=$?
[ $rc -eq 1 ] || bad "check --format json: exit $rc, not 1"
[ -s "$work/err" ] && bad "check --format json: something on stderr: $(cat "$work/err")"
if grep -q '"severity": "error"' "$work/json" && grep -q '已有定义' "$work/json" &&
	! grep -q '错误' "$work/json"; then
	ok
else
	bad "check --format json: severities not in English, or the message not in Chinese"
	cat "$work/json"
fi

# every message of the compiler is in the catalog, translated
po=$SRCDIR/po/zh_CN.po
msgfmt --check --statistics -o /dev/null "$po" 2>"$work/stats" || bad "msgfmt --check $po"
if grep -q 'untranslated\|fuzzy' "$work/stats"; then
	bad "po/zh_CN.po: $(cat "$work/stats") (translate them: see docs/diagnostics.md, Messages in Chinese)"
else
	ok
fi
if sh "$SRCDIR/po/update-po.sh" --pot "$work/huimin.pot" 2>"$work/xgettext" &&
	msgcmp "$po" "$work/huimin.pot" 2>"$work/msgcmp"; then
	ok
else
	bad "messages of the compiler missing from po/zh_CN.po (run sh po/update-po.sh, then translate them):"
	cat "$work/xgettext" "$work/msgcmp"
fi
finish
