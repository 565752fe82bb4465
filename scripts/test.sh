#!/usr/bin/env bash
# scripts/test.sh -- install what is needed, build huimin and run every test.
#
# Stages:
#   == deps         install missing Debian packages (apt-get, as root)
#   == build        configure and build in build/default
#   == check        make check in build/default
#   == demo         scripts/demo.sh, the README's first command, must succeed
#   == sanitizers   build in build/sanitize with ASan+UBSan, make check
#   == fuzz         build the libFuzzer targets in build/fuzz (clang), run each
#                   for HM_FUZZ_SECONDS (default 25) and replay the regression
#                   inputs of tests/fuzz/regress (scripts/fuzz.sh)
#   == distcheck    make distcheck in build/default
#
# Ends with a line "N passed, N failed, N skipped" summed from the
# test-suite.log of both builds, and exits non-zero if any stage failed.
# In CI (CI=true) a skipped test fails its stage: a test that cannot run
# there (the postgres one without a server, say) proves nothing.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

stage=setup
passed=0
failed=0
skipped=0
counted=()

header() {
	stage=$1
	printf '\n== %s\n' "$1"
}

# count_results DIR: add the PASS, FAIL and SKIP counts of
# DIR/test-suite.log to the totals (ERROR and XPASS count as failed too);
# the SKIP count of DIR alone in dir_skipped.
count_results() {
	local log=$1/test-suite.log
	dir_skipped=0
	[ -f "$log" ] || return 0
	local p f
	p=$(awk '/^# PASS:/ {print $3; exit}' "$log")
	f=$(awk '/^# (FAIL|ERROR|XPASS):/ {n += $3} END {print n + 0}' "$log")
	dir_skipped=$(awk '/^# SKIP:/ {print $3; exit}' "$log")
	dir_skipped=${dir_skipped:-0}
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + dir_skipped))
	counted+=("$1")
}

# show_skips DIR: name every test under DIR that was skipped, with the
# reason its log gives
show_skips() {
	local trs
	while IFS= read -r trs; do
		if grep -q '^:test-result: SKIP' "$trs"; then
			printf 'skipped: %s: %s\n' "${trs%.trs}" \
				"$(grep -m1 -i 'skip' "${trs%.trs}.log" 2>/dev/null || echo 'no reason given')"
		fi
	done < <(find "$1" -name '*.trs' -path '*tests*' | sort)
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
	if [ "$dir_skipped" -gt 0 ]; then
		show_skips "$dir"
		if [ "${CI:-}" = true ]; then
			printf '%d tests skipped in %s: in CI every test must run\n' "$dir_skipped" "$dir"
			return 1
		fi
	fi
}

summary() {
	local rc=$?
	trap - EXIT
	printf '\n'
	if [ "$rc" -ne 0 ]; then
		printf 'FAILED in stage: %s (exit %d)\n' "$stage" "$rc"
	fi
	printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
	exit "$rc"
}
trap summary EXIT

header deps
hm_install_deps

header build
hm_build build/default

header check
run_check build/default

header demo
scripts/demo.sh > build/demo.log 2>&1 || { tail -n 30 build/demo.log; false; }
echo "scripts/demo.sh: ok ($(wc -l < build/demo.log) lines, build/demo.log)"

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
