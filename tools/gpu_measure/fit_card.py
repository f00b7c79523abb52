#!/usr/bin/env python3
"""Fit the GPU cards' achieved-efficiency and board-power values to a measured H200.

Input: the raw measurements tools/gpu_measure/measure_gpu.py wrote on an NVIDIA H200
(tools/gpu_measure/results/h200_2026-11-28*.json, runs 1-3, each on a fresh machine; run 4,
the GPT-2 decode checks, was measured after the fit and is not read here).

Latency (docs/gpu-model.md section 2), t_GEMM = max(2MKN / (P eta_0 phi(M)), bytes / (B eta_mem)) + t_k:
  - eta_0   = FP16 rate of the largest GEMM (8192x12288x12288) over the datasheet peak;
  - eta_mem = bytes the M = 64 GEMM moves (2 (KN + MK + MN)) over its time, over the datasheet
              bandwidth (the weight-streaming point, as for the A100's LLMCompass calibration);
  - M_sat, phi_min, t_k: exhaustive grid search (M_sat step 8, phi_min step 0.01, t_k step
              0.1 us) for the least squared log error over every measured FP16 GEMM with M >= 16
              (27 GEMMs: M x 12288 x 12288, the BERT-base projections at M = 128 ... 49152, and
              8192^3); t_k is bounded by measurement: at least an empty kernel's time in a CUDA
              graph, at most the fastest GEMM's whole time. The fit is shallow in M_sat and
              phi_min together (M_sat 1080 with phi_min 0.95 errs 0.4% more, in RMS).

Board energy (docs/gpu-model.md section 5), E = P_awake t + MACs e_mac + HBM bits e_bit:
  - P_awake = NVML energy over 4 s with the clocks up and no kernel running (mean of the runs);
  - e_bit   = (energy per 2 GiB copy - P_awake t) / bits moved (read + written);
  - e_mac   = (energy per 8192^3 GEMM - P_awake t - bytes 8 e_bit) / MACs, at the power cap.
Both are board-level, all-in: cimsim subtracts the energies it names (datapath, operands, L2,
DRAM core) and reports the rest as overhead.

Cards without a measurement, derived here so that the derivation is checked with the fit:
  - H100-SXM5-80GB: the same GH100 die, node, supply and 700 W limit, so the H200's values
    (HBM3 instead of HBM3e: an assumption, stated in the card);
  - A100-SXM4-80GB: e_mac scaled by the project's F V^2 rule, S(7 nm)/S(5 nm) = 7/5 at 0.75 V;
    e_bit's DRAM-core part (the card's hbm_energy_per_bit) unscaled and the rest scaled by 7/5;
    P_awake = TDP - the power of its calibration GEMM (2048x12288x12288 in 2.36 ms), so that at
    that GEMM the board sits at its power limit, as the H200 measurably does at its peak GEMM.

Usage: fit_card.py              print the fitted values and the error at every measured GEMM
       fit_card.py --check      exit 1 if a card in configs/gpu differs from the fit
Pure Python 3 standard library.
"""

import json
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = [os.path.join(ROOT, "tools/gpu_measure/results", f)
           for f in ("h200_2026-11-28.json", "h200_2026-11-28_run2.json",
                     "h200_2026-11-28_run3.json")]

H200_PEAK_FP16 = 989.4e12  # configs/gpu/h200_sxm_141gb.yaml tensor_fp16_tflops (datasheet)
H200_HBM_BANDWIDTH = 4.8e12  # B/s, datasheet
A100_TDP, A100_PEAK_FP16, A100_ETA0, A100_HBM_BIT = 400.0, 312e12, 0.84, 3.97e-12
A100_OVER_H200_SCALE = 7.0 / 5.0  # S(F, V) = (F / 45 nm)(V / 0.9 V)^2, both at 0.75 V


def load():
    runs = [json.load(open(p)) for p in RESULTS]
    return runs


def gemm_model(r, eta0, eta_mem, m_sat, floor, t_k):
    m, k, n = r["m"], r["k"], r["n"]
    fill = min(1.0, max(floor, m / m_sat))
    compute = 2.0 * m * k * n / (H200_PEAK_FP16 * eta0 * fill)
    memory = 2.0 * (k * n + m * k + m * n) / (H200_HBM_BANDWIDTH * eta_mem)
    return max(compute, memory) + t_k


def fit():
    runs = load()
    gemms = runs[0]["gemm"]
    big = next(r for r in gemms if r["suite"] == "llmcompass" and r["m"] == 8192)
    m64 = next(r for r in gemms if r["suite"] == "llmcompass" and r["m"] == 64)
    eta0 = round(2.0 * 8192 * 12288 * 12288 / big["seconds"] / H200_PEAK_FP16, 3)
    eta_mem = round(2.0 * (12288 * 12288 + 2 * 64 * 12288) / m64["seconds"] / H200_HBM_BANDWIDTH, 3)
    points = [r for r in gemms if r["m"] >= 16]

    # t_k lies between an empty kernel's time in a CUDA graph and the fastest GEMM's whole time.
    t_k_low = math.ceil(runs[0]["kernel_overhead"]["graph_tiny_kernel_seconds"] * 1e7)
    t_k_high = math.floor(min(r["seconds"] for r in points) * 1e7)
    terms = [(2.0 * r["m"] * r["k"] * r["n"] / (H200_PEAK_FP16 * eta0),
              2.0 * (r["k"] * r["n"] + r["m"] * r["k"] + r["m"] * r["n"])
              / (H200_HBM_BANDWIDTH * eta_mem), r["m"], math.log(r["seconds"])) for r in points]
    best = None
    for m_sat in range(64, 2049, 8):
        for floor_pct in range(10, 100):
            floor = floor_pct / 100.0
            busy = [max(c / min(1.0, max(floor, m / m_sat)), mem) for c, mem, m, _ in terms]
            for t_k_tenths in range(t_k_low, t_k_high + 1):
                t_k = t_k_tenths * 1e-7
                sq = sum((math.log(b + t_k) - y) ** 2 for b, (_, _, _, y) in zip(busy, terms))
                if best is None or sq < best[0]:
                    best = (sq, (m_sat, floor, t_k))
    m_sat, floor, t_k = best[1]

    awake = sum(r["idle"]["power_w"] for r in runs) / len(runs)
    e_bit, e_mac = [], []
    for run in runs:
        copy = next(p for p in run["power"] if p["case"].startswith("copy"))
        moved_bits = copy["hbm_bytes_per_call"] * 8.0
        e_bit.append((copy["energy_per_call_j"] - awake * copy["wall_seconds_per_call"]) / moved_bits)
    e_bit = sum(e_bit) / len(e_bit)
    for run in runs:
        g = next(p for p in run["power"] if p["case"].startswith("gemm fp16 8192"))
        macs = g["flops_per_call"] / 2.0
        bits = 2.0 * 3 * 8192 * 8192 * 8.0
        e_mac.append((g["energy_per_call_j"] - awake * g["wall_seconds_per_call"] - bits * e_bit)
                     / macs)
    e_mac = sum(e_mac) / len(e_mac)

    h200 = {
        "gemm_efficiency": eta0, "memory_efficiency": eta_mem,
        "gemm_saturation_tokens": m_sat, "gemm_efficiency_floor": floor,
        "kernel_overhead": round(t_k * 1e6, 1),  # us
        "awake_power": round(awake, 1),  # W
        "board_energy_per_mac": round(e_mac * 1e12, 3),  # pJ
        "board_energy_per_hbm_bit": round(e_bit * 1e12, 2),  # pJ/bit
    }
    # A100: scaled per-MAC and on-chip per-bit energies; awake power from its TDP.
    a_mac = round(h200["board_energy_per_mac"] * A100_OVER_H200_SCALE, 3) * 1e-12
    a_bit = round((A100_HBM_BIT + (h200["board_energy_per_hbm_bit"] * 1e-12 - A100_HBM_BIT)
                   * A100_OVER_H200_SCALE) * 1e12, 2) * 1e-12
    m, k, n, seconds = 2048.0, 12288.0, 12288.0, 2.36e-3
    a_power = (m * k * n * a_mac + 2.0 * (k * n + m * k + m * n) * 8.0 * a_bit) / seconds
    a100 = {"board_energy_per_mac": round(a_mac * 1e12, 3),
            "board_energy_per_hbm_bit": round(a_bit * 1e12, 2),
            "awake_power": round(A100_TDP - a_power, 1)}
    h100 = {key: h200[key] for key in h200}
    return {"h200_sxm_141gb": h200, "h100_sxm5_80gb": h100, "a100_sxm4_80gb": a100}, points, (
        eta0, eta_mem, m_sat, floor, t_k)


def card_value(path, key):
    text = open(path).read()
    m = re.search(r"^" + key + r":\s*\{value:\s*([0-9.]+)", text, re.M)
    return float(m.group(1)) if m else None


def main():
    cards, points, params = fit()
    if "--check" in sys.argv:
        bad = 0
        for card, values in cards.items():
            path = os.path.join(ROOT, "configs/gpu", card + ".yaml")
            for key, want in values.items():
                got = card_value(path, key)
                if got is None or abs(got - want) > 1e-9 * max(1.0, abs(want)):
                    print(f"{path}: {key} is {got}, the fit gives {want}")
                    bad += 1
        print("cards match the fit" if bad == 0 else f"{bad} card values differ from the fit")
        sys.exit(1 if bad else 0)
    for card, values in cards.items():
        print(card, values)
    print(f"\n{'GEMM (H200, FP16)':<24} {'measured us':>12} {'fitted us':>10} {'error':>7}")
    for r in points:
        model = gemm_model(r, *params)
        print(f"{r['m']:>6}x{r['k']:>5}x{r['n']:>5}         {r['seconds'] * 1e6:12.2f} "
              f"{model * 1e6:10.2f} {100 * (model / r['seconds'] - 1):+6.1f}%")


if __name__ == "__main__":
    main()
