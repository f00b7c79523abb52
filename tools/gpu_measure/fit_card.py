#!/usr/bin/env python3
"""Fit the GPU cards' achieved-efficiency and board-power values to a measured H200 and H100.

Input: the raw measurements tools/gpu_measure/measure_gpu.py wrote on an NVIDIA H200
(tools/gpu_measure/results/h200_2026-11-28*.json, runs 1-3, each on a fresh machine; run 4,
the GPT-2 decode checks, was measured after the fit and is not read here).

Latency (docs/gpu-model.md section 2),
  t_GEMM = max(2MKN / (P eta_0 phi(M) K / (K + K_0)), bytes / (B eta_mem)) + t_k:
  - K_0     = fixed work per output tile in K elements: the grid 0, 16, ..., 256, each with a
              coarse search of M_sat, phi_min and t_k (M_sat step 32, phi_min step 0.05), the
              least squared log error chosen; then M_sat, phi_min and t_k searched finely at it;
  - eta_0   = FP16 rate of the largest GEMM (8192x12288x12288) over the datasheet peak, over its
              depth factor 12288 / (12288 + K_0) (eta_0 is the rate of an infinitely deep GEMM);
              the INT8 efficiency likewise, with the INT8 overhead K_0 (P_int8 eta_int8) /
              (P_fp16 eta_0) elements: the tile's fixed work takes the same time at either
              precision;
  - eta_mem = bytes the M = 64 GEMM moves (2 (KN + MK + MN)) over its time, over the datasheet
              bandwidth (the weight-streaming point, as for the A100's LLMCompass calibration);
  - M_sat, phi_min, t_k: exhaustive grid search (M_sat step 8, phi_min step 0.01, t_k step
              0.1 us) for the least squared log error over every measured FP16 GEMM with M >= 16
              (27 GEMMs: M x 12288 x 12288, the BERT-base projections at M = 128 ... 49152, and
              8192^3); t_k is bounded by measurement: at least an empty kernel's time in a CUDA
              graph, at most the fastest GEMM's whole time. The fit is shallow in M_sat and
              phi_min together (on the H200, M_sat 1080 with phi_min 0.95 errs 1.2% more, in
              RMS), and in K_0: the coarse search picks 128 on both cards, where a fine search at
              112 fits the H200 0.02% better and 144 ties on the H100.

Board energy (docs/gpu-model.md section 5), E = P_awake t + MACs e_mac + HBM bits e_bit:
  - P_awake = NVML energy over 4 s with the clocks up and no kernel running (mean of the runs);
  - e_bit   = (energy per 2 GiB copy - P_awake t) / bits moved (read + written);
  - e_mac   = (energy per 8192^3 GEMM - P_awake t - bytes 8 e_bit) / MACs, at the power cap.
Both are board-level, all-in: cimsim subtracts the energies it names (datapath, operands, L2,
DRAM core) and reports the rest as overhead.

The H100 (tools/gpu_measure/results/h100_2026-11-28.json, one run) is fitted the same way.

The A100, which was not measured, is derived here so that the derivation is checked with the fit:
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

# Measured cards: their result files and datasheet peaks (the cards' tensor_fp16_tflops and
# hbm_bandwidth). The H200's runs 1-3 (run 4, GPT-2 decode, was measured after the fit).
MEASURED = {
    "h200_sxm_141gb": ("h200_2026-11-28.json", "h200_2026-11-28_run2.json",
                       "h200_2026-11-28_run3.json"),
    "h100_sxm5_80gb": ("h100_2026-11-28.json",),
}
# INT8 GEMMs with the operand layout cuBLASLt's INT8 kernels want (run 5; the INT8 GEMMs in runs
# 1 and the H100's run passed a row-major K x N operand, a slow path, and are not used).
INT8_RUN = "h200_2026-11-28_run5.json"
# The LLMCompass A100 GEMM 2048x12288x12288 time (shared/reference README, section 2).
A100_CALIBRATION_GEMM_SECONDS = 2.36e-3


def card_path(card):
    return os.path.join(ROOT, "configs/gpu", card + ".yaml")


def card_number(card, key, unit):
    """A number the fit takes from a card (a datasheet figure), which must be in `unit`."""
    number, written = card_value(card_path(card), key)
    if number is None or written != unit:
        sys.exit(f"{card_path(card)}: {key} must be a number in '{unit}', found {number} {written}")
    return number


def load(files):
    return [json.load(open(os.path.join(ROOT, "tools/gpu_measure/results", f))) for f in files]


def gemm_model(r, peak, bandwidth, eta0, eta_mem, m_sat, floor, t_k, k0):
    m, k, n = r["m"], r["k"], r["n"]
    fill = min(1.0, max(floor, m / m_sat))
    compute = 2.0 * m * k * n / (peak * eta0 * fill * k / (k + k0))
    memory = 2.0 * (k * n + m * k + m * n) / (bandwidth * eta_mem)
    return max(compute, memory) + t_k


def fit_measured(card, files):
    """One card's values from its runs; also its GEMMs and fitted latency parameters."""
    peak = card_number(card, "tensor_fp16_tflops", "") * 1e12
    bandwidth = card_number(card, "hbm_bandwidth", "GB/s") * 1e9  # GB/s in the cards
    runs = load(files)
    gemms = runs[0]["gemm"]
    big = next(r for r in gemms if r["suite"] == "llmcompass" and r["m"] == 8192)
    m64 = next(r for r in gemms if r["suite"] == "llmcompass" and r["m"] == 64)
    eta_big = 2.0 * 8192 * 12288 * 12288 / big["seconds"] / peak
    eta_mem = round(2.0 * (12288 * 12288 + 2 * 64 * 12288) / m64["seconds"] / bandwidth, 3)
    points = [r for r in gemms if r["m"] >= 16]

    # t_k lies between an empty kernel's time in a CUDA graph and the fastest GEMM's whole time.
    t_k_low = math.ceil(runs[0]["kernel_overhead"]["graph_tiny_kernel_seconds"] * 1e7)
    t_k_high = math.floor(min(r["seconds"] for r in points) * 1e7)

    def search(k0, m_sats, floors):
        eta0 = round(eta_big * (12288 + k0) / 12288, 3)
        terms = [(2.0 * r["m"] * r["k"] * r["n"] / (peak * eta0 * r["k"] / (r["k"] + k0)),
                  2.0 * (r["k"] * r["n"] + r["m"] * r["k"] + r["m"] * r["n"])
                  / (bandwidth * eta_mem), r["m"], math.log(r["seconds"])) for r in points]
        best = None
        for m_sat in m_sats:
            for floor in floors:
                busy = [max(c / min(1.0, max(floor, m / m_sat)), mem) for c, mem, m, _ in terms]
                for t_k_tenths in range(t_k_low, t_k_high + 1):
                    t_k = t_k_tenths * 1e-7
                    sq = sum((math.log(b + t_k) - y) ** 2 for b, (_, _, _, y) in zip(busy, terms))
                    if best is None or sq < best[0]:
                        best = (sq, (eta0, m_sat, floor, t_k))
        return best

    coarse = [search(k0, range(64, 2049, 32), [f / 100.0 for f in range(10, 100, 5)])
              for k0 in range(0, 257, 16)]
    k0 = 16 * min(range(len(coarse)), key=lambda i: coarse[i][0])
    eta0, m_sat, floor, t_k = search(k0, range(64, 2049, 8), [f / 100.0 for f in range(10, 100)])[1]

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
    values = {
        "gemm_efficiency": eta0, "memory_efficiency": eta_mem,
        "gemm_saturation_tokens": m_sat, "gemm_efficiency_floor": floor, "gemm_k_overhead": k0,
        "kernel_overhead": round(t_k * 1e6, 1),  # us
        "awake_power": round(awake, 1),  # W
        "board_energy_per_mac": round(e_mac * 1e12, 3),  # pJ
        "board_energy_per_hbm_bit": round(e_bit * 1e12, 2),  # pJ/bit
    }
    return values, points, (peak, bandwidth, eta0, eta_mem, m_sat, floor, t_k, k0)


def fit():
    cards, gemm_tables = {}, {}
    for card, files in MEASURED.items():
        cards[card], points, params = fit_measured(card, files)
        gemm_tables[card] = (points, params)
    # INT8: the largest INT8 GEMM over the INT8 peak, on the H200; the H100 is the same die.
    int8 = load([INT8_RUN])[0]["gemm_int8"]
    if any(r.get("layout") != "weights (n, k), passed transposed" for r in int8):
        sys.exit(f"{INT8_RUN}: its INT8 GEMMs must pass the K x N operand column-major")
    big = next(r for r in int8 if r["m"] == 8192)
    # Over its depth factor, as eta_0. The tile's fixed time is the same at either precision, so
    # in INT8 elements at the INT8 achieved rate the overhead is K_0 r eta_int8 / eta_0, with
    # r = P_int8 / P_fp16; eta_int8 = measured (12288 + K_0 r eta_int8 / eta_0) / 12288, solved.
    h200 = cards["h200_sxm_141gb"]
    peak8 = card_number("h200_sxm_141gb", "tensor_int8_tops", "")
    ratio = peak8 / card_number("h200_sxm_141gb", "tensor_fp16_tflops", "")
    measured = 2.0 * 8192 * 12288 * 12288 / big["seconds"] / (peak8 * 1e12)
    h200["int8_gemm_efficiency"] = round(
        measured / (1.0 - measured * h200["gemm_k_overhead"] * ratio
                    / (12288 * h200["gemm_efficiency"])), 3)
    cards["h100_sxm5_80gb"]["int8_gemm_efficiency"] = cards["h200_sxm_141gb"]["int8_gemm_efficiency"]
    # A100: the H200's per-MAC and on-chip per-bit energies scaled by F V^2 (S = (F / 45 nm)
    # (V / 0.9 V)^2, both cards at 0.75 V, so S_A100 / S_H200 = 7 / 5); awake power from its TDP.
    scale = card_number("a100_sxm4_80gb", "node", "nm") / card_number("h200_sxm_141gb", "node", "nm")
    hbm_bit = card_number("a100_sxm4_80gb", "hbm_energy_per_bit", "pJ/bit") * 1e-12
    tdp = card_number("a100_sxm4_80gb", "tdp", "W")
    h200 = cards["h200_sxm_141gb"]
    a_mac = round(h200["board_energy_per_mac"] * scale, 3) * 1e-12
    a_bit = round((hbm_bit + (h200["board_energy_per_hbm_bit"] * 1e-12 - hbm_bit) * scale)
                  * 1e12, 2) * 1e-12
    m, k, n, seconds = 2048.0, 12288.0, 12288.0, A100_CALIBRATION_GEMM_SECONDS
    a_power = (m * k * n * a_mac + 2.0 * (k * n + m * k + m * n) * 8.0 * a_bit) / seconds
    cards["a100_sxm4_80gb"] = {"board_energy_per_mac": round(a_mac * 1e12, 3),
                               "board_energy_per_hbm_bit": round(a_bit * 1e12, 2),
                               "awake_power": round(tdp - a_power, 1),
                               # no A100 INT8 measurement: its FP16 efficiency, assumed
                               "int8_gemm_efficiency": card_number("a100_sxm4_80gb",
                                                                   "gemm_efficiency", "")}
    return cards, gemm_tables


# The unit each fitted key is written in, in the cards.
UNITS = {"gemm_efficiency": "", "memory_efficiency": "", "gemm_saturation_tokens": "",
         "gemm_efficiency_floor": "", "gemm_k_overhead": "", "int8_gemm_efficiency": "",
         "kernel_overhead": "us",
         "awake_power": "W", "board_energy_per_mac": "pJ", "board_energy_per_hbm_bit": "pJ/bit"}


def card_value(path, key):
    """(number, unit) of a card's `key: {value: ...}`, or (None, None)."""
    text = open(path).read()
    m = re.search(r"^" + key + r":\s*\{value:\s*([0-9.]+)\s*([A-Za-z/]*)", text, re.M)
    return (float(m.group(1)), m.group(2)) if m else (None, None)


def main():
    cards, gemm_tables = fit()
    if "--check" in sys.argv:
        bad = 0
        for card, values in cards.items():
            path = card_path(card)
            for key, want in values.items():
                got, unit = card_value(path, key)
                if got is None or abs(got - want) > 1e-9 * max(1.0, abs(want)) or unit != UNITS[key]:
                    print(f"{path}: {key} is {got} {unit}, the fit gives {want} {UNITS[key]}")
                    bad += 1
        print("cards match the fit" if bad == 0 else f"{bad} card values differ from the fit")
        sys.exit(1 if bad else 0)
    for card, values in cards.items():
        print(card, values)
    for card, (points, params) in gemm_tables.items():
        print(f"\n{'GEMM (' + card + ', FP16)':<30} {'measured us':>12} {'fitted us':>10} {'error':>7}")
        for r in points:
            model = gemm_model(r, *params)
            print(f"{r['m']:>6}x{r['k']:>5}x{r['n']:>5}               {r['seconds'] * 1e6:12.2f} "
                  f"{model * 1e6:10.2f} {100 * (model / r['seconds'] - 1):+6.1f}%")


if __name__ == "__main__":
    main()
