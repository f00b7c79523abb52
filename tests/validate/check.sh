#!/usr/bin/env bash
# Pins `cimsim validate` (every chip in configs/chips/ against its paper) to a golden table, so a
# change that moves a modelled silicon figure shows up in review with its diff; with
# `--command validate-gpu`, the GPU model's table against measured GPUs (expected_gpu_table.txt).
#   check.sh [--update] [--command validate|validate-gpu] CIMSIM_BINARY
# The command exits 1 while a chip is outside its band (docs/validation.md lists which); this
# check compares the table itself. Exit status: 0 same table, 1 differs (or cimsim crashed).
set -u
update=0
command=validate
while [[ $# -gt 1 ]]; do
  case "$1" in
    --update) update=1; shift ;;
    --command) command=$2; shift 2 ;;
    *) break ;;
  esac
done
cimsim=$1
here=$(cd "$(dirname "$0")" && pwd)
case "$command" in
  validate) golden="$here/expected_table.txt" ;;
  validate-gpu) golden="$here/expected_gpu_table.txt" ;;
  *) echo "check.sh: unknown command '$command' (validate or validate-gpu)" >&2; exit 2 ;;
esac
actual=$("$cimsim" "$command")
status=$?
if [[ $status -ne 0 && $status -ne 1 ]]; then
  echo "cimsim $command failed with exit code $status" >&2
  exit 1
fi
if [[ $update -eq 1 ]]; then
  printf '%s\n' "$actual" > "$golden"
  echo "wrote $golden"
  exit 0
fi
if ! diff -u "$golden" <(printf '%s\n' "$actual"); then
  echo "cimsim $command: the table moved; if intended, run tests/validate/check.sh --update --command $command" >&2
  exit 1
fi
