#!/bin/sh
# Bootstrap the autotools build from a fresh checkout.
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf --force --install
