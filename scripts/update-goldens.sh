#!/usr/bin/env bash
# Regenerates tests/golden/*.json from tests/golden/cases.txt. Run after an intended model
# change and say in the commit why the numbers moved.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
grep -v '^#' tests/golden/cases.txt | while read -r name arch args; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086
  ./build/cli/cimsim run "$arch" $args --json "tests/golden/$name.json" >/dev/null
  echo "updated tests/golden/$name.json"
done
