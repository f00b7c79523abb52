#!/usr/bin/env bash
# Runs one example from the repository root and diffs its output with expected_output.txt.
#   run_example.sh CIMSIM EXAMPLE_DIR [--update]
set -euo pipefail
cimsim=$1
dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck disable=SC2046
actual=$("$cimsim" $(cat "$dir/command"))
if [ "${3:-}" = "--update" ]; then
  printf '%s\n' "$actual" > "$dir/expected_output.txt"
  echo "updated $dir/expected_output.txt"
  exit 0
fi
if ! diff -u "$dir/expected_output.txt" <(printf '%s\n' "$actual"); then
  echo "example $(basename "$dir"): output differs from expected_output.txt" >&2
  exit 1
fi
