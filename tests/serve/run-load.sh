#!/bin/sh
# run-load.sh -- a short run of bench/serve-load.sh: 32 connections for
# 10 seconds against /v1/calculate, no request failing, memory flat.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
command -v wrk > /dev/null || { echo "wrk is needed"; exit 77; }
# AddressSanitizer's quarantine holds freed memory: there its leak check
# at exit stands for the memory bound
if ldd "$HUIMIN" 2> /dev/null | grep -q libasan; then
    MAX_RSS_GROWTH_KB=10000000
    export MAX_RSS_GROWTH_KB
fi
HUIMIN=$HUIMIN DURATION=${SERVE_LOAD_SECONDS:-10} sh "$SRCDIR/bench/serve-load.sh"
