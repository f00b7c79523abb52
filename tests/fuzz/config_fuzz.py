#!/usr/bin/env python3
"""Seeded mutation test of the configuration path: bad input must give a clear error, never a
crash or a silently wrong number (DESIGN.md, "Errors for users, panics for bugs").

Each case takes a shipped architecture or GPU card, replaces one value with a hostile one (zero,
negative, huge, NaN, infinity, text, a list, a wrong unit, ...) and runs `cimsim run` on it. It
passes when cimsim either
  - exits 0 with a JSON report whose energies, latencies and area are finite and non-negative, or
  - exits 2 with one message that says "error" and names the mutated file.
Anything else (another exit code, a signal, a hang past 60 s, NaN or infinity in a report) fails.

Usage: config_fuzz.py CIMSIM [--seed N] [--cases N]
"""

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASES = {
    "arch": ["configs/arch/reram_chiplets.yaml", "configs/arch/sram_chiplets.yaml",
             "configs/arch/nor_flash_chiplets.yaml", "configs/chips/wang_vlsi22/arch.yaml",
             "configs/chips/neurram_nature22/arch.yaml", "configs/chips/sinangil_jssc21/arch.yaml"],
    "gpu": ["configs/gpu/h200_sxm_141gb.yaml", "configs/gpu/a100_sxm4_80gb.yaml"],
}
HOSTILE = ["0", "-1", "-0", "1e308", "1e-300", "nan", ".nan", "inf", ".inf", "-.inf", '""', "[]",
           "{}", "~", "abc", "3.5", "65536", "1000000000", "0x10", "true", "0V", "1e9GHz", "0B",
           "1ZB", "-5ns", "1e-30s", "2", "1", "0.5"]
VALUE = re.compile(r"^(\s*[\w.]+:\s*)(\{value:\s*)?([^,}#\s][^,}#]*?)(\s*(?:[,}#].*)?)$")


def finite_numbers(node, path=""):
    """Every number in a JSON report, with its path."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from finite_numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from finite_numbers(v, f"{path}[{i}]")
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path, node


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cimsim")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=120)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    failures = 0
    outcomes = {"ran": 0, "refused": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for case in range(a.cases):
            kind = rng.choice(sorted(BASES))
            base = rng.choice(BASES[kind])
            lines = open(os.path.join(ROOT, base)).read().split("\n")
            candidates = [i for i, l in enumerate(lines)
                          if not l.lstrip().startswith("#") and VALUE.match(l)]
            i = rng.choice(candidates)
            m = VALUE.match(lines[i])
            value = rng.choice(HOSTILE)
            lines[i] = m.group(1) + (m.group(2) or "") + value + m.group(4)
            mutated = os.path.join(tmp, f"case{case}.yaml")
            open(mutated, "w").write("\n".join(lines))
            report = os.path.join(tmp, f"case{case}.json")
            if kind == "arch":
                args = [a.cimsim, "run", mutated]
            else:
                args = [a.cimsim, "run", os.path.join(ROOT, BASES["arch"][0]), "--gpu", mutated]
            args += ["--workload", "bert-base", "--seq", "16", "--json", report]
            where = f"case {case}: {base} line {i + 1} -> {lines[i].strip()!r}"
            try:
                p = subprocess.run(args, capture_output=True, text=True, timeout=60)
            except subprocess.TimeoutExpired:
                print(f"FAIL {where}: no answer in 60 s")
                failures += 1
                continue
            if p.returncode == 2:
                outcomes["refused"] += 1
                if "error" not in p.stderr or f"case{case}.yaml" not in p.stderr:
                    print(f"FAIL {where}: exit 2 without a located error: {p.stderr.strip()!r}")
                    failures += 1
                continue
            if p.returncode != 0:
                print(f"FAIL {where}: exit {p.returncode}: {(p.stderr or p.stdout)[-400:]!r}")
                failures += 1
                continue
            outcomes["ran"] += 1
            bad = [(k, v) for k, v in finite_numbers(json.load(open(report)))
                   if not math.isfinite(v)]
            if bad:
                print(f"FAIL {where}: the report holds {bad[:3]}")
                failures += 1
    print(f"{a.cases} mutated configurations: {outcomes['ran']} ran, {outcomes['refused']} refused "
          f"with a located error, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
