#!/bin/sh
# run-golden.sh -- golden tests of `huimin check`.
#
#   valid/NAME.pol or valid/NAME.d/      must check clean: exit 0, nothing on
#                                        stderr; stdout of --dump-ast is
#                                        compared with valid/NAME.ast
#   invalid/NAME.pol or invalid/NAME.d/  stderr of `huimin check`, then a
#                                        line `exit: N`, is compared with
#                                        invalid/NAME.err (N is 1 for errors,
#                                        0 for warnings only, 2 for
#                                        unreadable input)
#
# Environment: HUIMIN (the binary, required), SRCDIR (the source tree;
# default: two levels above this script).  HM_REGEN=1 rewrites the expected
# files in SRCDIR from the actual output and says which ones changed.
# Actual outputs are written only under a temporary directory.
#
# Arguments, if any, name the cases to run (`dibao`, `valid/dibao.pol`,
# `syn_missing_message.pol` …); without arguments every case runs.
#
# Prints a unified diff for each failing case and a last line
# `N passed, N failed`; exits 0 iff no case failed (99 when HUIMIN is
# missing).

LC_ALL=C.UTF-8
TZ=UTC
export LC_ALL TZ
# the checker reads the embedded standard library unless told otherwise;
# the expected files are written for the embedded one
unset HUIMIN_STDLIB

if [ -z "${HUIMIN:-}" ]; then
    echo "run-golden.sh: HUIMIN is not set (the path of the huimin binary)" >&2
    exit 99
fi
case $HUIMIN in
/*) ;;
*) HUIMIN=$(pwd)/$HUIMIN ;;
esac
if [ ! -f "$HUIMIN" ] || [ ! -x "$HUIMIN" ]; then
    echo "run-golden.sh: HUIMIN=$HUIMIN is not an executable file" >&2
    exit 99
fi
if [ -z "${SRCDIR:-}" ]; then
    SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
fi
GOLDEN=$SRCDIR/tests/golden
if [ ! -d "$GOLDEN/valid" ] || [ ! -d "$GOLDEN/invalid" ]; then
    echo "run-golden.sh: no golden cases under $GOLDEN" >&2
    exit 99
fi
ONLY=$*
REGEN=${HM_REGEN:-0}
[ "$REGEN" = 0 ] && REGEN=

# a hanging checker fails its case instead of hanging `make check`
TIMEOUT=
if command -v timeout >/dev/null 2>&1; then
    TIMEOUT="timeout 60"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
changed=0

fail() {
    # fail NAME REASON: count a failure and say why
    failed=$((failed + 1))
    echo "FAIL: $1: $2"
}

# compare EXPECTED ACTUAL NAME: pass, fail with a diff, or (HM_REGEN=1)
# rewrite EXPECTED
compare() {
    if [ -n "$REGEN" ]; then
        if [ -f "$1" ] && cmp -s "$1" "$2"; then
            passed=$((passed + 1))
        else
            if [ -f "$1" ]; then
                echo "updated: ${1#"$SRCDIR"/}"
            else
                echo "created: ${1#"$SRCDIR"/}"
            fi
            if cp "$2" "$1"; then
                changed=$((changed + 1))
                passed=$((passed + 1))
            else
                fail "$3" "cannot write $1"
            fi
        fi
        return
    fi
    if [ ! -f "$1" ]; then
        fail "$3" "no expected output ${1#"$SRCDIR"/} (run with HM_REGEN=1 to create it)"
        diff -u /dev/null "$2"
        return
    fi
    if cmp -s "$1" "$2"; then
        passed=$((passed + 1))
    else
        fail "$3" "output differs from ${1#"$SRCDIR"/}"
        diff -u "$1" "$2"
    fi
}

# selected NAME: is case NAME (file or directory name) among the arguments?
selected() {
    [ -z "$ONLY" ] && return 0
    for a in $ONLY; do
        a=${a##*/}
        [ "$a" = "$1" ] || [ "$a" = "${1%.*}" ] && return 0
    done
    return 1
}

# the cases of one kind: NAME.pol files and NAME.d directories
cases() {
    for f in "$GOLDEN/$1"/*.pol "$GOLDEN/$1"/*.d; do
        [ -e "$f" ] || continue
        selected "${f##*/}" || continue
        case $f in
        *.pol) [ -f "$f" ] && echo "${f##*/}" ;;
        *.d) [ -d "$f" ] && echo "${f##*/}" ;;
        esac
    done
}

# ---- valid cases: clean, and the syntax tree as expected ------------------
for c in $(cases valid); do
    name=${c%.*}
    out=$TMP/valid-$name.ast
    err=$TMP/valid-$name.stderr
    (cd "$GOLDEN/valid" && $TIMEOUT "$HUIMIN" check --dump-ast "$c") >"$out" 2>"$err" </dev/null
    rc=$?
    if [ "$rc" -ne 0 ] || [ -s "$err" ]; then
        fail "valid/$c" "expected exit 0 and nothing on stderr, got exit $rc and:"
        sed 's/^/    /' "$err"
        [ -s "$out" ] && [ -f "$GOLDEN/valid/$name.ast" ] &&
            ! cmp -s "$GOLDEN/valid/$name.ast" "$out" && diff -u "$GOLDEN/valid/$name.ast" "$out"
        continue
    fi
    compare "$GOLDEN/valid/$name.ast" "$out" "valid/$c"
done

# ---- invalid cases: the diagnostics and the exit status as expected ------
for c in $(cases invalid); do
    name=${c%.*}
    act=$TMP/invalid-$name.err
    stdout=$TMP/invalid-$name.stdout
    (cd "$GOLDEN/invalid" && $TIMEOUT "$HUIMIN" check "$c") >"$stdout" 2>"$act" </dev/null
    rc=$?
    echo "exit: $rc" >>"$act"
    why=
    case $rc in
    0)  # warnings only: something must have been said
        grep -q ': warning: ' "$act" ||
            why="exit 0 without any diagnostic: the case is not invalid" ;;
    1|2) ;;
    *)  why="the checker crashed or hung (exit $rc)" ;;
    esac
    [ -z "$why" ] && [ -s "$stdout" ] && why="unexpected output on stdout:"
    if [ -n "$why" ]; then
        fail "invalid/$c" "$why"
        [ -s "$stdout" ] && sed 's/^/    /' "$stdout"
        if [ -f "$GOLDEN/invalid/$name.err" ]; then
            diff -u "$GOLDEN/invalid/$name.err" "$act"
        else
            diff -u /dev/null "$act"
        fi
        continue
    fi
    compare "$GOLDEN/invalid/$name.err" "$act" "invalid/$c"
done

# ---- expected files whose case is gone -----------------------------------
[ -n "$ONLY" ] || for kind in valid invalid; do
    [ $kind = valid ] && ext=ast || ext=err
    for f in "$GOLDEN/$kind"/*."$ext"; do
        [ -f "$f" ] || continue
        name=${f##*/}
        name=${name%.*}
        if [ ! -f "$GOLDEN/$kind/$name.pol" ] && [ ! -d "$GOLDEN/$kind/$name.d" ]; then
            fail "$kind/$name.$ext" "expected output without a case ($name.pol or $name.d)"
        fi
    done
done

[ -n "$REGEN" ] && echo "$changed expected file(s) written"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
