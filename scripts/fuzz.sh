#!/usr/bin/env bash
# scripts/fuzz.sh -- build the libFuzzer targets of tests/fuzz and run them.
#
#   scripts/fuzz.sh TARGET SECONDS [OPTION...]   a campaign of one target
#   scripts/fuzz.sh --check SECONDS              every target for SECONDS, then
#                                                every regression input (scripts/test.sh)
#   scripts/fuzz.sh --replay [TARGET...]         only the regression inputs
#   scripts/fuzz.sh --build                      only build
#
# Targets: policy, bytecode, facts, config, csv (tests/fuzz/fuzz_TARGET.c).
# They are built with clang, ASan, UBSan and libFuzzer in build/fuzz.  The
# corpus grows in build/fuzz/corpus/TARGET; seeds are made afresh from the
# tree's tests and examples in build/fuzz/seeds/TARGET.  An input that
# crashes, hangs or leaks is written to tests/fuzz/crashes/TARGET/: once
# the bug is fixed, move it to tests/fuzz/regress/TARGET/ and commit it.
# OPTIONs are passed to libFuzzer (-jobs=2, -max_len=N, ...).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

TARGETS=(policy bytecode facts config csv)
DIR=build/fuzz
# an input running longer than this (seconds) is reported as a hang
TIMEOUT=${HM_FUZZ_TIMEOUT:-10}

usage() {
	sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

fuzz_build() {
	command -v clang >/dev/null 2>&1 || hm_die "clang is needed (apt-get install clang libclang-rt-14-dev)"
	# campaigns may start side by side: one builds at a time
	mkdir -p "$DIR"
	local rc=0
	exec 9>"$DIR/.build-lock"
	flock 9
	hm_build "$DIR" CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		--enable-asan --enable-ubsan --enable-fuzz || rc=$?
	exec 9>&-
	return "$rc"
}

is_target() {
	local t
	for t in "${TARGETS[@]}"; do
		[ "$t" = "$1" ] && return 0
	done
	return 1
}

# seed FOLDER FILE...: copy each FILE into FOLDER under a name that says
# where it came from
seed() {
	local to=$1 f
	shift
	for f in "$@"; do
		[ -f "$f" ] && cp "$f" "$to/$(printf '%s' "$f" | tr '/' '_')"
	done
	return 0
}

# make_seeds TARGET: build/fuzz/seeds/TARGET from the tree
make_seeds() {
	local t=$1 to=$DIR/seeds/$1 f
	rm -rf "$to"
	mkdir -p "$to"
	case $t in
	policy)
		seed "$to" $(find examples stdlib tests -name '*.pol' | sort)
		# a pack: examples.sources and a module that uses it, split by %%
		for f in examples/policies/*.pol; do
			[ "$f" = examples/policies/sources.pol ] && continue
			{ cat examples/policies/sources.pol; printf '%%%%\n'; cat "$f"; } \
				>"$to/pack_$(basename "$f")"
		done
		;;
	bytecode)
		local i=0
		for f in examples/policies examples/tutorial tests/batch/small.pol \
			$(find tests/golden/valid tests/pol stdlib -name '*.pol' | sort); do
			i=$((i + 1))
			"$DIR/huimin" compile "$f" -o "$to/$i.hmc" >/dev/null 2>&1 || rm -f "$to/$i.hmc"
		done
		;;
	facts)
		seed "$to" examples/households/*.json tests/needs/*.json tests/explain/*.json \
			$(find tests -name '*.given' | sort)
		;;
	config)
		seed "$to" $(find tests examples plugins -name '*.conf' | sort)
		printf '[run]\npopulation = r\n[source r]\nplugin = csv\ndirectory = d\nkey.t = id\n%%%%\nsource.r.person.x=t.x money per month in yuan\nrun.threads=2\nrun.as_of=2024-08-01\n' \
			>"$to/sets.conf"
		;;
	csv)
		seed "$to" tests/fuzz/csv/*.csv $(find tests/batch -name '*.csv' | sort)
		;;
	esac
}

# run TARGET SECONDS [OPTION...]: fuzz, keeping the corpus; 0 when nothing
# was found
run() {
	local t=$1 secs=$2
	shift 2
	local bin=$DIR/tests/fuzz/fuzz_$t
	make_seeds "$t"
	mkdir -p "$DIR/corpus/$t" "tests/fuzz/crashes/$t"
	hm_log "fuzzing $t for $secs s"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$bin" -max_total_time="$secs" -timeout="$TIMEOUT" -print_final_stats=1 \
		-artifact_prefix="tests/fuzz/crashes/$t/" "$@" "$DIR/corpus/$t" "$DIR/seeds/$t"
}

# replay TARGET: run every regression input of TARGET once
replay() {
	local t=$1 files
	files=$(find "tests/fuzz/regress/$t" -type f 2>/dev/null | sort)
	[ -n "$files" ] || return 0
	hm_log "replaying $(printf '%s\n' "$files" | wc -l) regression inputs of $t"
	# shellcheck disable=SC2086
	"$DIR/tests/fuzz/fuzz_$t" -timeout="$TIMEOUT" $files
}

[ $# -ge 1 ] || usage
case $1 in
--build)
	fuzz_build
	;;
--replay)
	shift
	[ $# -gt 0 ] || set -- "${TARGETS[@]}"
	fuzz_build
	rc=0
	for t in "$@"; do
		is_target "$t" || hm_die "no fuzz target $t (${TARGETS[*]})"
		replay "$t" || rc=1
	done
	exit "$rc"
	;;
--check)
	[ $# -eq 2 ] || usage
	fuzz_build
	failed=()
	for t in "${TARGETS[@]}"; do
		if ! run "$t" "$2" 2>"$DIR/$t.log"; then
			cat "$DIR/$t.log" >&2
			failed+=("$t")
		else
			grep -E 'DONE|^stat::average_exec_per_sec' "$DIR/$t.log" >&2 || true
		fi
		if ! replay "$t" >"$DIR/$t-replay.log" 2>&1; then
			cat "$DIR/$t-replay.log" >&2
			failed+=("$t (regression inputs)")
		fi
	done
	if [ "${#failed[@]}" -ne 0 ]; then
		hm_log "fuzzing found a problem in: ${failed[*]} (inputs in tests/fuzz/crashes/)"
		exit 1
	fi
	;;
-*)
	usage
	;;
*)
	[ $# -ge 2 ] || usage
	is_target "$1" || hm_die "no fuzz target $1 (${TARGETS[*]})"
	fuzz_build
	run "$@"
	;;
esac
