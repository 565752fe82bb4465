#!/usr/bin/env bash
# scripts/test.sh -- install what is needed, build huimin and run every test.
#
# Stages:
#   == deps         install missing Debian packages (apt-get, as root)
#   == build        configure and build in build/default
#   == check        make check in build/default
#   == sanitizers   build in build/sanitize with ASan+UBSan, make check
#   == fuzz         build the libFuzzer targets in build/fuzz (clang), run each
#                   for HM_FUZZ_SECONDS (default 25) and replay the regression
#                   inputs of tests/fuzz/regress (scripts/fuzz.sh)
#   == distcheck    make distcheck in build/default
#
# Ends with a line "N passed, N failed" summed from the test-suite.log of
# both builds, and exits non-zero if any stage failed.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

stage=setup
passed=0
failed=0
counted=()

header() {
	stage=$1
	printf '\n== %s\n' "$1"
}

# count_results DIR: add the PASS and FAIL counts of DIR/test-suite.log to
# the totals (ERROR and XPASS count as failed too).
count_results() {
	local log=$1/test-suite.log
	[ -f "$log" ] || return 0
	local p f
	p=$(awk '/^# PASS:/ {print $3; exit}' "$log")
	f=$(awk '/^# (FAIL|ERROR|XPASS):/ {n += $3} END {print n + 0}' "$log")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	counted+=("$1")
}

# show_failures DIR: print the log of every test under DIR that failed.
show_failures() {
	local log trs
	while IFS= read -r log; do
		trs=${log%.log}.trs
		[ -f "$trs" ] || continue
		if grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$trs"; then
			printf '\n---- %s\n' "$log"
			cat "$log"
		fi
	done < <(find "$1" -name '*.log' -path '*tests*' | sort)
	if [ -f "$1/test-suite.log" ]; then
		printf '\n---- %s (header)\n' "$1/test-suite.log"
		sed -n '1,/^# ERROR:/p' "$1/test-suite.log"
	fi
}

# run_check DIR: make check in DIR; on failure show the failing tests' logs.
run_check() {
	local dir=$1 rc=0
	# a log left by an earlier run must not be counted if this one fails
	# before the tests start
	rm -f "$dir/test-suite.log"
	make -C "$dir" -j"$HM_JOBS" check || rc=$?
	count_results "$dir"
	if [ "$rc" -ne 0 ]; then
		show_failures "$dir"
		return "$rc"
	fi
}

summary() {
	local rc=$?
	trap - EXIT
	printf '\n'
	if [ "$rc" -ne 0 ]; then
		printf 'FAILED in stage: %s (exit %d)\n' "$stage" "$rc"
	fi
	printf '%d passed, %d failed\n' "$passed" "$failed"
	exit "$rc"
}
trap summary EXIT

header deps
hm_install_deps

header build
hm_build build/default

header check
run_check build/default

header sanitizers
hm_build build/sanitize --enable-asan --enable-ubsan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
CK_FORK=no \
	run_check build/sanitize

header fuzz
scripts/fuzz.sh --check "${HM_FUZZ_SECONDS:-25}"

header distcheck
make -C build/default -j"$HM_JOBS" distcheck

stage=finished
printf '\nall stages passed (test results from: %s)\n' "${counted[*]}"
