#!/bin/sh
# run-load.sh -- a short run of bench/serve-load.sh: 32 connections for
# 10 seconds against /v1/calculate, no request failing, memory flat.
: "${HUIMIN:?HUIMIN is not set}" "${SRCDIR:?SRCDIR is not set}"
command -v wrk > /dev/null || { echo "wrk is needed"; exit 77; }
HUIMIN=$HUIMIN DURATION=${SERVE_LOAD_SECONDS:-10} sh "$SRCDIR/bench/serve-load.sh"
