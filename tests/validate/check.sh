#!/usr/bin/env bash
# Pins `cimsim validate` (every chip in configs/chips/ against its paper) to a golden table, so a
# change that moves a modelled silicon figure shows up in review with its diff.
#   check.sh [--update] CIMSIM_BINARY
# The command exits 1 while a chip is outside its band (docs/validation.md lists which); this
# check compares the table itself. Exit status: 0 same table, 1 differs (or cimsim crashed).
set -u
update=0
if [[ "${1:-}" == "--update" ]]; then
  update=1
  shift
fi
cimsim=$1
here=$(cd "$(dirname "$0")" && pwd)
golden="$here/expected_table.txt"
actual=$("$cimsim" validate)
status=$?
if [[ $status -ne 0 && $status -ne 1 ]]; then
  echo "cimsim validate failed with exit code $status" >&2
  exit 1
fi
if [[ $update -eq 1 ]]; then
  printf '%s\n' "$actual" > "$golden"
  echo "wrote $golden"
  exit 0
fi
if ! diff -u "$golden" <(printf '%s\n' "$actual"); then
  echo "cimsim validate: the table moved; if intended, run tests/validate/check.sh --update" >&2
  exit 1
fi
