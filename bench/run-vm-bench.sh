#!/bin/sh
# run-vm-bench.sh [BUILD-DIR] [HOUSEHOLDS] -- build and run the VM
# micro-benchmark over the example pack (default build/default, 1,000,000
# households), with the tracing hook off and on in the same run.
set -e
cd "$(dirname "$0")/.."
build=${1:-build/default}
n=${2:-1000000}
[ -f "$build/Makefile" ] || { echo "run-vm-bench: no build in $build (run scripts/test.sh or configure first)" >&2; exit 2; }
make -s -C "$build" bench/vm_bench
"$build/bench/vm_bench" --households "$n" --coverage examples/policies
