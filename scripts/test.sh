#!/usr/bin/env bash
# Sets up, builds and runs every test (unit, golden, config errors, examples, tools).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j "$jobs"
