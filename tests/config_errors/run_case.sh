#!/usr/bin/env bash
# Runs one config-error case and checks that cimsim rejects it the way the case expects.
#
#   run_case.sh [--update] CIMSIM_BINARY CASE_DIR
#
# CASE_DIR holds:
#   args             the command line after `cimsim`, on one line; the token ARCH stands for
#                    arch.yaml (passed relative to CASE_DIR, so messages carry no machine paths)
#   arch.yaml        the bad (or good) architecture, when the case needs one
#   expected_stderr  the exact error cimsim must print
#   configs/         optional: the case's own config folder (tech/*.yaml, link/*.yaml), used
#                    instead of the project's, for cases about bad or missing preset cards
#
# cimsim runs inside CASE_DIR with an environment cleared to PATH and CIMSIM_CONFIG_DIR
# (CIMSIM_CONFIG_DIR=configs when the case has its own configs/ folder).
# The case passes when cimsim exits with code 2, prints nothing on stdout, and prints exactly
# expected_stderr on stderr. Exit status: 0 pass, 1 fail.
#
# With --update, the observed stderr is written to expected_stderr (only when cimsim exited 2
# with an empty stdout); review the diff before committing it.
set -u

update=0
if [[ "${1:-}" == "--update" ]]; then
  update=1
  shift
fi
if [[ $# -ne 2 ]]; then
  echo "usage: run_case.sh [--update] CIMSIM_BINARY CASE_DIR" >&2
  exit 1
fi

binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
case_dir="$(cd "$2" && pwd)" || { echo "no case folder '$2'" >&2; exit 1; }
name="$(basename "$case_dir")"

if [[ ! -x "$binary" ]]; then
  echo "$name: cimsim binary '$1' is not executable" >&2
  exit 1
fi
if [[ ! -f "$case_dir/args" ]]; then
  echo "$name: missing '$case_dir/args'" >&2
  exit 1
fi
if [[ $update -eq 0 && ! -f "$case_dir/expected_stderr" ]]; then
  echo "$name: missing '$case_dir/expected_stderr' (create it with --update)" >&2
  exit 1
fi

read -r -a words < "$case_dir/args"
argv=()
for w in "${words[@]}"; do
  if [[ "$w" == "ARCH" ]]; then argv+=("arch.yaml"); else argv+=("$w"); fi
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

envv=("PATH=$PATH")
if [[ -d "$case_dir/configs" ]]; then
  envv+=("CIMSIM_CONFIG_DIR=configs")
elif [[ -n "${CIMSIM_CONFIG_DIR:-}" ]]; then
  envv+=("CIMSIM_CONFIG_DIR=$CIMSIM_CONFIG_DIR")
fi

(cd "$case_dir" && env -i "${envv[@]}" "$binary" "${argv[@]}" >"$tmp/stdout" 2>"$tmp/stderr")
code=$?

failed=0
if [[ $code -ne 2 ]]; then
  echo "$name: expected exit code 2, got $code" >&2
  failed=1
fi
if [[ -s "$tmp/stdout" ]]; then
  echo "$name: expected nothing on stdout, got:" >&2
  head -c 2000 "$tmp/stdout" >&2
  failed=1
fi

if [[ $update -eq 1 ]]; then
  if [[ $failed -ne 0 ]]; then
    echo "$name: not updating expected_stderr" >&2
    cat "$tmp/stderr" >&2
    exit 1
  fi
  if [[ -f "$case_dir/expected_stderr" ]] && cmp -s "$tmp/stderr" "$case_dir/expected_stderr"; then
    echo "$name: expected_stderr unchanged"
  else
    cp "$tmp/stderr" "$case_dir/expected_stderr"
    echo "$name: wrote expected_stderr:"
    cat "$case_dir/expected_stderr"
  fi
  exit 0
fi

if ! cmp -s "$tmp/stderr" "$case_dir/expected_stderr"; then
  echo "$name: stderr differs from expected_stderr (--- expected, +++ actual):" >&2
  diff -u --label expected_stderr --label actual_stderr "$case_dir/expected_stderr" "$tmp/stderr" >&2
  failed=1
fi

if [[ $failed -ne 0 ]]; then
  echo "$name: FAIL" >&2
  exit 1
fi
echo "$name: ok"
exit 0
