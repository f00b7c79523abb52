#!/usr/bin/env bash
# Sets up, builds and runs the main job: BERT-base (sequence 128, batch 1) on the default
# ReRAM chiplet architecture. Results go to out/default/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
./build/cli/cimsim run configs/arch/reram_chiplets.yaml --workload bert-base --seq 128 --batch 1 \
  --json out/default/report.json --csv out/default/per_op.csv
