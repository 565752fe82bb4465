#!/bin/sh
# run-robust.sh -- feed `huimin check` hostile input: it must never crash or
# hang.  Every run is wrapped in `timeout 20`; its exit status must be 0, 1
# or 2 (anything else -- a signal, a sanitizer abort, 124 for a timeout -- is
# a failure), and no sanitizer report may appear in its output.  A failing
# input is kept under tests/robust/failures/ in the build directory.
#
# Inputs: 300 random byte files and 200 random token files (reproducible:
# awk's srand(SEED), SEED from $ROBUST_SEED, default below), truncations and
# mutations (byte flips, cut and doubled chunks) of every .pol file under
# $SRCDIR/examples/policies and $SRCDIR/tests/golden/valid and of built-in
# seed policies, deeply nested and very long expressions, NUL bytes, an empty
# file, 1 MB lines, odd paths and directories, and a generated 50,000-line
# policy file that must check cleanly (within 0.5 s unless under sanitizers).
#
# Environment: HUIMIN (the command), SRCDIR (the source tree), HM_SANITIZED
# (set: a sanitizer build; also detected from the binary), ROBUST_SEED,
# ROBUST_KEEP (set: keep the generated inputs).
# Prints "N passed, N failed" last; exits 0 iff nothing failed.

set -u

: "${HUIMIN:?HUIMIN must name the huimin command}"
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SEED=${ROBUST_SEED:-20240701}
LIMIT=20

# awk must see bytes, not characters
LC_ALL=C
export LC_ALL

# make sanitizer reports (ASan, LeakSanitizer, UBSan) visible in the exit
# status: they abort (134), and never exit with 1 like "errors found"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1:exitcode=86"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:abort_on_error=1:exitcode=87:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

# no run may write more than 256 MiB of diagnostics: each runs in a subshell
# with `ulimit -f` (in 512-byte blocks), so it is killed by SIGXFSZ (153)
OUTLIMIT=524288

sanitized=
if [ -n "${HM_SANITIZED:-}" ]; then
	sanitized=yes
else
	for bin in "$HUIMIN" "$(dirname "$HUIMIN")/.libs/$(basename "$HUIMIN")"; do
		if [ -f "$bin" ] && grep -q -a -e __asan_init -e __ubsan_handle "$bin" 2>/dev/null; then
			sanitized=yes
		fi
	done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hm-robust.XXXXXX") || exit 99
faildir=$(pwd)/tests/robust/failures
rm -rf "$faildir"   # only this run's failures
cleanup() {
	if [ -n "${ROBUST_KEEP:-}" ]; then
		echo "inputs kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0

now_ms() {
	t=$(date +%s%N 2>/dev/null)
	case $t in
	*N | '') echo $(($(date +%s) * 1000)) ;;
	*) echo $((t / 1000000)) ;;
	esac
}

# cpu_ms COMMAND...: the processor time (user + system) COMMAND takes, in
# ms; unlike the wall clock it does not grow when other work shares the cores.
# Only the difference counts: a launcher that execs python3 (a version
# manager's shim) leaves its own children's time in RUSAGE_CHILDREN.
cpu_ms() {
	python3 -c 'import resource, subprocess, sys
def used():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
before = used()
subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(int((used() - before) * 1000))' "$@"
}

# keep NAME PATH...: copy a failing input under the build directory
keep() {
	name=$1
	shift
	mkdir -p "$faildir/$name" 2>/dev/null
	for p in "$@"; do
		if [ -p "$p" ]; then
			echo "(a FIFO: $p)" >"$faildir/$name/$(basename "$p").fifo.txt"
		elif [ -e "$p" ]; then
			cp -R "$p" "$faildir/$name/" 2>/dev/null
		fi
	done
	echo "     input kept in $faildir/$name"
}

# fail NAME WHY INPUT...
fail() {
	name=$1
	why=$2
	shift 2
	failed=$((failed + 1))
	echo "FAIL: $name: $why"
	for p in "$@"; do
		echo "     input: $p"
	done
	if [ -s "$work/out" ]; then
		echo "     last lines of the output:"
		tail -n 12 "$work/out" | cut -c1-300 | sed 's/^/       | /'
	fi
	keep "$name" "$@"
}

pass() {
	passed=$((passed + 1))
}

# run NAME WANT PATH... : huimin check PATH...; WANT is "any" (0, 1 or 2) or
# one exit status.  Sets $rc; the output is in $work/out.  Counts one test.
# (Only two processes per run: this machine's fork+exec is the bottleneck.)
run() {
	name=$1
	want=$2
	shift 2
	(
		ulimit -f $OUTLIMIT 2>/dev/null
		exec timeout $LIMIT "$HUIMIN" check "$@" </dev/null >"$work/out" 2>&1
	)
	rc=$?
	if [ "$rc" = 153 ]; then
		fail "$name" "wrote more than 256 MiB of output (killed by SIGXFSZ)" "$@"
		return 1
	fi
	if [ "$rc" = 124 ]; then
		fail "$name" "timed out after ${LIMIT}s (a hang)" "$@"
		return 1
	fi
	if [ "$rc" = 1 ] && grep -q -e '^==[0-9]*==ERROR: ' -e 'runtime error:' "$work/out"; then
		fail "$name" "sanitizer report (exit $rc)" "$@"
		return 1
	fi
	case $rc in
	0 | 1 | 2) ;;
	*)
		if [ "$rc" -gt 128 ]; then
			fail "$name" "exit $rc: killed by signal $((rc - 128))" "$@"
		else
			fail "$name" "exit $rc: not 0, 1 or 2" "$@"
		fi
		return 1
		;;
	esac
	if [ "$want" != any ] && [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, expected $want" "$@"
		return 1
	fi
	pass
	return 0
}

# ---------------------------------------------------------------------------
# seed policies, always available (the example pack and the golden files are
# written by others and may be empty)

seeds=$work/seeds
mkdir -p "$seeds"
cat >"$seeds/dibao.pol" <<'EOF'
module civil.dibao
use std.money

source civil_affairs "民政局" {
  household.region        : text
  household.assets        : money              "家庭财产"
  household.other_housing : bool
  person.medical_selfpay  : money per year
  person.deceased         : bool     fresh within 31 days
  person.monthly_income   : money per month
  person.birth_date       : date
  person.marital          : code marital
  person.disability_grade : int
  person.contributions    : records of money
}

codes marital "婚姻状况" {
  married "已婚", single "未婚", divorced "离异", widowed "丧偶", other "其他"
  map civil_affairs { "1": married, "2": single, "3": divorced, "4": widowed, "9": other }
}

parameter 医疗扣除比例 : decimal = 50%
parameter age_min "领取年龄" : int {
  from 2020-01-01 80
  from 2025-01-01 75
}
parameter line "低保标准" : money per month by household.region {
  reference "杭州市民政局 2024 年第 3 号公告"
  "330100": from 2023-07-01 1395, from 2024-07-01 1450
  "330200": from 2023-07-01 1300
  default: 1200
}
parameter 高龄津贴标准 : money per month by age(person.birth_date) {
  80 to 89: 50
  90 to 99: 100
  100 or more: 300
}

scale 综合所得税率 "个人所得税税率表（综合所得适用）" {
  reference "《中华人民共和国个人所得税法》附表一"
  up to 36000: 3%
  up to 144000: 10% quick 2520
  above: 20% quick 16920
}

function 在世(p: person) : bool = not p.deceased
function living(h: household) : list of person = h.members where not deceased

policy dibao "城乡居民最低生活保障" for household {
  reference "《社会救助暂行办法》第九条"
  let living  = household.members where not deceased
  let income  = sum(m.monthly_income for m in living)
              - sum(monthly(m.medical_selfpay) * 医疗扣除比例 for m in living)
  let per_cap = per_capita(income, count(living))
  let rate = 60%
    except when any(m.disability_grade <= 2 for m in living) then 100% "重度残疾家庭全额计发" priority 1
  eligible when all {
    per_cap < line                       "家庭人均月收入 {per_cap} 元低于低保标准 {line} 元"
    household.assets <= 24 * line * count(living)
                                         "家庭财产不超过低保标准的24倍"
                                         reference "《浙江省最低生活保障办法》第十条"
    not household.other_housing          "家庭无其他住房"
    any "家庭有在世成员" {
      count(living) > 0                  "家庭至少有一名在世成员"
      any(m.marital is married for m in living) "有已婚成员"
    }
  }
  amount (line - per_cap) * count(living) * rate
}

policy gaoling "高龄津贴" for person {
  let paid = person.contributions during last 12 months
  eligible when all {
    在世(person)                          "在世"
    age(person.birth_date) >= age_min     "年满 {age_min} 周岁"
    count_months(paid) >= 6 or longest_run(paid) >= 3 "缴费满6个月"
  }
  amount 高龄津贴标准 + 综合所得税率(yearly(person.monthly_income)) / 12
  excludes dibao
}

test "三口之家，一人就业" as of 2024-08-01 {
  given household {
    region "330100", assets 20000, other_housing false,
    members [ { monthly_income 1500, deceased false as of 2024-07-20 }, { monthly_income 0 }, {} ]
  }
  expect dibao eligible, amount 3350.00
}
EOF
printf 'policy p "政策" for person {\r\n  let 人均 = 1 + 2 * 3\r\n  eligible when 人均 > 0 "正数"\r\n}\r\n' >"$seeds/crlf.pol"

# the 50,000-line generator (valid text: many policies, lets, conditions and
# parameters); LINES sets the length
cat >"$work/gen-big.awk" <<'EOF'
function L(s) { print s; n++ }
BEGIN {
  n = 0
  L("# generated: many policies, lets, conditions and parameters")
  L("module big.generated")
  L("")
  L("source civil_affairs \"民政局\" {")
  L("  household.region : text")
  L("  household.assets : money \"家庭财产\"")
  L("  household.other_housing : bool")
  L("  person.monthly_income : money per month")
  L("  person.birth_date : date")
  L("  person.deceased : bool fresh within 31 days")
  L("}")
  L("")
  i = 0
  while (n < LINES - 40) {
    L(sprintf("parameter line_%d \"低保标准%d\" : money per month by household.region {", i, i))
    L(sprintf("  reference \"杭州市民政局 2024 年第 %d 号公告\"", i))
    L(sprintf("  \"330100\": from 2023-07-01 %d, from 2024-07-01 %d", 1300 + i % 100, 1400 + i % 100))
    L(sprintf("  \"330200\": from 2023-07-01 %d", 1200 + i % 50))
    L("  default: 1200")
    L("}")
    L(sprintf("parameter age_min_%d \"领取年龄%d\" : int {", i, i))
    L("  from 2020-01-01 80")
    L("  from 2025-01-01 75")
    L("}")
    L("")
    L(sprintf("policy policy_%d \"城乡居民最低生活保障%d\" for household {", i, i))
    L("  reference \"《社会救助暂行办法》第九条\"")
    L(sprintf("  let living_%d = household.members where not deceased", i))
    L(sprintf("  let 收入_%d = sum(m.monthly_income for m in living_%d)", i, i))
    L(sprintf("  let per_cap_%d = 收入_%d / count(living_%d)", i, i, i))
    L(sprintf("  let 老人_%d = count(living_%d where age(birth_date) >= age_min_%d)", i, i, i))
    L(sprintf("  let rate_%d = 60%%", i))
    L(sprintf("    except when 老人_%d > 0 then 80%% \"有老人的家庭按80%%计发\" priority 1", i))
    L("  eligible when all {")
    L(sprintf("    per_cap_%d < line_%d          \"家庭人均月收入 {per_cap_%d} 元低于低保标准 {line_%d} 元\"", i, i, i, i))
    L(sprintf("    household.assets <= 24 * line_%d * count(living_%d)", i, i))
    L("                                  \"家庭财产不超过低保标准的24倍\"")
    L("                                  reference \"《浙江省最低生活保障办法》第十条\"")
    L("    not household.other_housing   \"家庭无其他住房\"")
    L("    any \"家庭有在世成员\" {")
    L(sprintf("      count(living_%d) > 0        \"家庭至少有一名在世成员\"", i))
    L("      household.region == \"330100\" \"杭州市区\"")
    L("    }")
    L("  }")
    L(sprintf("  amount (line_%d - per_cap_%d) * count(living_%d) * rate_%d", i, i, i, i))
    L("}")
    L("")
    i++
  }
  while (n < LINES) L(sprintf("# padding line %d", n))
}
EOF
awk -v LINES=400 -f "$work/gen-big.awk" >"$seeds/generated.pol"

# every seed: ours, the example pack, the golden valid files
list=$work/seed-list
: >"$list"
for f in "$seeds"/*.pol; do
	echo "$f" >>"$list"
done
for d in "$SRCDIR/examples/policies" "$SRCDIR/tests/golden/valid"; do
	[ -d "$d" ] && find "$d" -type f -name '*.pol' | LC_ALL=C sort >>"$list"
done

echo "huimin robustness: seed $SEED, $(wc -l <"$list") seed files${sanitized:+, sanitized build}"

# ---------------------------------------------------------------------------
# 1. random bytes (300 files) and random tokens (200 files)

mkdir -p "$work/random"
awk -v seed="$SEED" -v dir="$work/random" 'BEGIN {
	srand(seed)
	for (f = 1; f <= 300; f++) {
		file = sprintf("%s/bytes-%03d.pol", dir, f)
		r = rand()
		n = r < 0.05 ? 1 + int(rand() * 65536) : 1 + int(rand() * 4096)
		mode = f % 4
		for (i = 0; i < n; i++) {
			if (mode == 0)          b = int(rand() * 256)               # any byte
			else if (mode == 1)     b = rand() < 0.9 ? 32 + int(rand() * 95) : (rand() < 0.5 ? 10 : int(rand() * 256))
			else if (mode == 2)     b = rand() < 0.7 ? 128 + int(rand() * 128) : 32 + int(rand() * 95)  # mostly high bytes
			else                    b = rand() < 0.02 ? 0 : int(rand() * 256)
			printf "%c", b > file
		}
		close(file)
	}
}'

awk -v seed="$((SEED + 1))" -v dir="$work/random" 'BEGIN {
	srand(seed)
	nv = split("module use source codes map policy for household person parameter scale let eligible when all any not and or amount reference excludes except then else if in is by from to up above below or more default test given expect as of members member undetermined true false unknown function extern fresh within per money int bool decimal date text duration code records list during last since sum count min max where known priority quick it as_of day days month months year years", kw, " ")
	np = split("{ } ( ) [ ] , : . + - * / < > = == != <= >= <> % # \" \\ ; & | ! ， （ ） ： 【 】 、 “ ” 。", pu, " ")
	nn = split("x y per_cap line 人均收入 低保标准 家庭 m living income 在世 dibao gaoling 甲 乙 a1 _ deceased birth_date monthly region assets", nm, " ")
	nl = split("0 1 60 1395.50 3% 12.5% 2024-07-01 2024-02-30 9999-99-99 31 99999999999999999999 0.000001 \"城乡居民\" \"{per_cap}\" \"\\n\" \"unterminated", li, " ")
	for (f = 1; f <= 200; f++) {
		file = sprintf("%s/tokens-%03d.pol", dir, f)
		n = 20 + int(rand() * (rand() < 0.1 ? 20000 : 800))
		for (i = 0; i < n; i++) {
			r = rand()
			if (r < 0.35)      t = kw[1 + int(rand() * nv)]
			else if (r < 0.65) t = pu[1 + int(rand() * np)]
			else if (r < 0.85) t = nm[1 + int(rand() * nn)]
			else               t = li[1 + int(rand() * nl)]
			sep = rand() < 0.1 ? "\n" : (rand() < 0.8 ? " " : "")
			printf "%s%s", t, sep > file
		}
		close(file)
	}
}'

for f in "$work"/random/*.pol; do
	run "random/$(basename "$f")" any "$f"
done

# ---------------------------------------------------------------------------
# 2. truncations of every seed at several lengths

mkdir -p "$work/trunc"
k=0
while IFS= read -r f; do
	k=$((k + 1))
	size=$(wc -c <"$f")
	[ "$size" -gt 1 ] || continue
	base=$(basename "$f" .pol)
	for len in 1 7 $((size / 10)) $((size / 4)) $((size / 3 + 1)) $((size / 2)) $((size * 3 / 4)) $((size * 9 / 10)) $((size - 1)); do
		if [ "$len" -lt 1 ] || [ "$len" -ge "$size" ]; then
			continue
		fi
		out=$work/trunc/$k-$base-$len.pol
		head -c "$len" "$f" >"$out"
		run "truncated/$k-$base-$len" any "$out"
	done
done <"$list"

# ---------------------------------------------------------------------------
# 3. mutations: byte flips, bit flips, cut chunks, doubled chunks

mkdir -p "$work/mut"
k=0
while IFS= read -r f; do
	k=$((k + 1))
	[ -s "$f" ] || continue
	base=$(basename "$f" .pol)
	od -An -v -tu1 "$f" | awk -v seed="$((SEED + k))" -v prefix="$work/mut/$k-$base" '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	END {
		srand(seed)
		for (v = 1; v <= 6; v++) {
			for (i = 0; i < n; i++) c[i] = b[i]
			m = n
			mode = v % 3
			if (mode == 1) {                  # flip 1..8 bytes
				k = 1 + int(rand() * 8)
				for (j = 0; j < k; j++) {
					p = int(rand() * m)
					if (rand() < 0.5) c[p] = int(rand() * 256)
					else { bit = 2 ^ int(rand() * 8); c[p] = (int(c[p] / bit) % 2) ? c[p] - bit : c[p] + bit }
				}
			} else if (mode == 2) {           # cut a chunk
				p = int(rand() * m); len = 1 + int(rand() * 64)
				if (p + len > m) len = m - p
				for (i = p; i + len < m; i++) c[i] = c[i + len]
				m -= len
			} else {                          # double a chunk
				p = int(rand() * m); len = 1 + int(rand() * 200)
				if (p + len > m) len = m - p
				for (i = m - 1; i >= p + len; i--) c[i + len] = c[i]
				m += len
			}
			file = sprintf("%s-%d.pol", prefix, v)
			for (i = 0; i < m; i++) printf "%c", c[i] > file
			close(file)
		}
	}'
	for v in 1 2 3 4 5 6; do
		[ -f "$work/mut/$k-$base-$v.pol" ] && run "mutated/$k-$base-$v" any "$work/mut/$k-$base-$v.pol"
	done
done <"$list"

# ---------------------------------------------------------------------------
# 4. deep nesting and long chains

mkdir -p "$work/deep"
d=$work/deep
awk 'BEGIN { printf "policy p for person {\n  let x = "; for (i = 0; i < 10000; i++) printf "("; printf "1"; for (i = 0; i < 10000; i++) printf ")"; printf "\n  eligible when x > 0 \"m\"\n}\n" }' >"$d/parens.pol"
awk 'BEGIN { printf "policy p for person {\n  let x = "; for (i = 0; i < 10000; i++) printf "("; printf "\n" }' >"$d/parens-unclosed.pol"
awk 'BEGIN { printf "policy p for person {\n  eligible when "; for (i = 0; i < 10000; i++) printf "not "; printf "true \"m\"\n}\n" }' >"$d/not.pol"
awk 'BEGIN { printf "policy p for person {\n  let x = "; for (i = 0; i < 10000; i++) printf "-"; printf "1\n  eligible when x > 0 \"m\"\n}\n" }' >"$d/minus.pol"
awk 'BEGIN { printf "policy p for person {\n  let x = "; for (i = 0; i < 10000; i++) printf "- "; printf "1\n  eligible when x > 0 \"m\"\n}\n" }' >"$d/minus-spaced.pol"
awk 'BEGIN { printf "policy p for person {\n  let a = 1\n  let x = a"; for (i = 1; i < 100000; i++) printf " + a"; printf "\n  eligible when x > 0 \"m\"\n}\n" }' >"$d/sum-100000.pol"
awk 'BEGIN { printf "policy p for person {\n  eligible when true"; for (i = 1; i < 100000; i++) printf " and true"; printf " \"m\"\n}\n" }' >"$d/and-100000.pol"
awk 'BEGIN { printf "policy p for person {\n  let a = 1\n  let x = a"; for (i = 1; i < 100000; i++) printf (i % 2 ? " * a" : " - a"); printf "\n  eligible when x > 0 \"m\"\n}\n" }' >"$d/mixed-100000.pol"
awk 'BEGIN { printf "policy p for person {\n  eligible when "; for (i = 0; i < 2000; i++) printf "%s {\n", (i % 2 ? "any \"m\"" : "all"); printf "true \"m\"\n"; for (i = 0; i < 2000; i++) printf "}\n"; printf "}\n" }' >"$d/groups-2000.pol"
awk 'BEGIN { printf "policy p for person {\n  eligible when "; for (i = 0; i < 2000; i++) printf "%s {\n", (i % 2 ? "any \"m\"" : "all"); printf "true \"m\"\n" }' >"$d/groups-unclosed.pol"
awk 'BEGIN { printf "policy p for person {\n  let x = "; for (i = 0; i < 10000; i++) printf "if true then "; printf "1"; for (i = 0; i < 10000; i++) printf " else 0"; printf "\n  eligible when x > 0 \"m\"\n}\n" }' >"$d/if-10000.pol"
awk 'BEGIN { printf "function f(x: int) : int = x\npolicy p for person {\n  let x = "; for (i = 0; i < 10000; i++) printf "f("; printf "1"; for (i = 0; i < 10000; i++) printf ")"; printf "\n  eligible when x > 0 \"m\"\n}\n" }' >"$d/calls-10000.pol"
awk 'BEGIN { printf "policy p for household {\n  let x = household.members"; for (i = 0; i < 10000; i++) printf " where true"; printf "\n  eligible when count(x) > 0 \"m\"\n}\n" }' >"$d/where-10000.pol"
awk 'BEGIN { printf "policy p for person {\n  let x = 1 in "; for (i = 0; i < 10000; i++) printf "["; printf "\n}\n" }' >"$d/brackets.pol"
awk 'BEGIN { printf "test \"t\" as of 2024-01-01 {\n  given household { members ["; for (i = 0; i < 5000; i++) printf "{ members [ "; printf "\n}\n" }' >"$d/given-nesting.pol"
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "function f%d(x: int) : int = f%d(x) + 1\n", i, (i + 1) % 3000 }' >"$d/function-cycle-3000.pol"
awk 'BEGIN { printf "function f0(x: int) : int = x\n"; for (i = 1; i < 5000; i++) printf "function f%d(x: int) : int = f%d(x) + 1\n", i, i - 1;
	printf "policy p for person {\n  eligible when f4999(1) > 0 \"m\"\n}\n" }' >"$d/function-chain-5000.pol"
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "policy p%d for person {\n  eligible when p%d.eligible \"m\"\n}\n", i, (i + 1) % 3000 }' >"$d/policy-cycle-3000.pol"
awk 'BEGIN { print "policy p for person {"; for (i = 0; i < 5000; i++) printf "  let name_%d = %d\n", i, i;
	print "  eligible when all {"; for (i = 0; i < 1500; i++) printf "    nmae_%d > 0 \"m\"\n", i; print "  }\n}" }' >"$d/many-typos.pol"
awk 'BEGIN { print "policy p for person {"; for (i = 0; i < 20000; i++) printf "  let l%d = l%d + 1\n", i, i + 1; printf "  let l20000 = 1\n  eligible when l0 > 0 \"m\"\n}\n" }' >"$d/let-forward-chain.pol"
for f in "$d"/*.pol; do
	run "deep/$(basename "$f")" any "$f"
done
# nothing deep may pass unnoticed: a cycle through 3,000 functions is recursion
if run "deep/function-cycle-3000 is reported" 1 "$d/function-cycle-3000.pol"; then :; fi

# ---------------------------------------------------------------------------
# 5. odd files and paths

o=$work/odd
mkdir -p "$o"
head -c 1048576 /dev/zero >"$o/nul-1MB.pol"
printf 'policy p for person {\n  eligible when true "m"\n}\n\0\0\0' >"$o/nul-tail.pol"
: >"$o/empty.pol"
awk 'BEGIN { for (i = 0; i < 90000; i++) printf "let a%d ", i; printf "\n" }' | head -c 1048576 >"$o/line-1MB-tokens.pol"
awk 'BEGIN { printf "policy p for person { eligible when true \""; for (i = 0; i < 349525; i++) printf "长"; printf "\" }\n" }' >"$o/line-1MB-message.pol"
awk 'BEGIN { for (i = 0; i < 1048576 / 4; i++) printf "人，（"; printf "\n" }' | head -c 1048576 >"$o/line-1MB-fullwidth.pol"
awk 'BEGIN { srand(7); for (i = 0; i < 1048576; i++) printf "%c", 128 + int(rand() * 64) }' >"$o/line-1MB-continuation-bytes.pol"
awk 'BEGIN { printf "policy p for person {\n  eligible when x"; for (i = 0; i < 200000; i++) printf "x"; printf " > 0 \"m\"\n}\n" }' >"$o/name-200k.pol"
awk 'BEGIN { printf "policy p for person {\n  let x = "; for (i = 0; i < 100000; i++) printf "9"; printf "\n  eligible when x > 0 \"m\"\n}\n" }' >"$o/number-100k-digits.pol"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "\n"; printf "policy\n" }' >"$o/newlines-100k.pol"
printf '\357\273\277module bom\n' >"$o/bom.pol"
printf 'policy p for person {\r  eligible when true "m"\r}\r' >"$o/cr-only.pol"
for f in "$o"/*.pol; do
	run "odd/$(basename "$f")" any "$f"
done
run "odd/empty.pol is clean" 0 "$o/empty.pol"
run "odd/line-1MB-message.pol is clean" 0 "$o/line-1MB-message.pol"

mkdir -p "$o/no-pol/sub"
echo "not a policy" >"$o/no-pol/readme.txt"
echo "((((" >"$o/no-pol/sub/x.pl"
run "odd/directory without .pol files" any "$o/no-pol"
mkdir -p "$o/empty-dir"
run "odd/empty directory" any "$o/empty-dir"
run "odd/nonexistent path" 2 "$work/no/such/file.pol"
run "odd/nonexistent directory" 2 "$work/no/such/dir/"
run "odd/a file and a nonexistent path" 2 "$seeds/crlf.pol" "$work/missing.pol"
mkdir -p "$o/dir.pol"
run "odd/directory named .pol" any "$o/dir.pol"
mkdir -p "$o/links/inner"
cp "$seeds/crlf.pol" "$o/links/inner/p.pol"
if ln -s loop "$o/loop" 2>/dev/null && ln -s .. "$o/links/inner/up" 2>/dev/null; then
	run "odd/dangling symlink" any "$o/loop"
	run "odd/symlink loop in directory" any "$o/links"
fi
mkdir -p "$o/fifo"
if mkfifo "$o/fifo/x.pol" 2>/dev/null; then
	run "odd/fifo in directory" any "$o/fifo"
fi
# an endless character device as input: read it until "too large", not until memory runs out
if [ -z "$sanitized" ] && [ -r /dev/zero ]; then
	t0=$(now_ms)
	(
		ulimit -v 1048576 2>/dev/null
		timeout $LIMIT "$HUIMIN" check /dev/zero >"$work/out" 2>&1
		echo $? >"$work/rc"
	)
	rc=$(cat "$work/rc")
	if [ "$rc" = 2 ] && ! grep -q "out of memory" "$work/out"; then
		pass
	else
		fail "odd/dev-zero" "exit $rc, expected 2 with a file-too-large message ($(($(now_ms) - t0)) ms)" /dev/zero
	fi
fi

# many files: a directory of 2,000 small modules
mkdir -p "$o/many"
awk -v dir="$o/many" 'BEGIN { for (i = 0; i < 2000; i++) { f = sprintf("%s/m%04d.pol", dir, i);
	printf "module m%04d\n%sfunction f%04d(x: int) : int = %s + 1\n", i, (i ? sprintf("use m%04d\n", i - 1) : ""), i, (i ? sprintf("f%04d(x)", i - 1) : "x") > f; close(f) } }'
run "odd/2000 modules using each other" any "$o/many"

# ---------------------------------------------------------------------------
# 6. a 50,000-line policy file: clean, and fast

big=$work/big-50000.pol
awk -v LINES=50000 -f "$work/gen-big.awk" >"$big"
lines=$(wc -l <"$big")
best=
tries=0
while :; do
	tries=$((tries + 1))
	run "big/50000-line policy ($lines lines)" 0 "$big" || break
	elapsed_ms=$(cpu_ms "$HUIMIN" check "$big")
	if [ -s "$work/out" ]; then
		failed=$((failed + 1))
		passed=$((passed - 1))
		echo "FAIL: big/50000-line policy: output where none was expected:"
		head -n 20 "$work/out" | sed 's/^/       | /'
		keep big "$big"
		break
	fi
	if [ -z "$best" ] || [ "$elapsed_ms" -lt "$best" ]; then
		best=$elapsed_ms
	fi
	if [ -n "$sanitized" ] || [ "$best" -le 500 ] || [ "$tries" -ge 5 ]; then
		break
	fi
	passed=$((passed - 1))   # a retry of the same test
done
if [ -n "$best" ]; then
	secs=$(awk -v ms="$best" 'BEGIN { printf "%.3f", ms / 1000 }')
	if [ -n "$sanitized" ]; then
		echo "50,000-line policy: checked cleanly in ${secs} s (sanitized build: the 0.5 s limit does not apply)"
	elif [ "$best" -le 500 ]; then
		echo "50,000-line policy: checked cleanly in ${secs} s of processor time (limit 0.5 s)"
	else
		failed=$((failed + 1))
		passed=$((passed - 1))
		echo "FAIL: big/50000-line policy: ${secs} s (best of $tries), limit 0.5 s"
		keep big "$big"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
