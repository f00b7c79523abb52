#!/usr/bin/env python3
"""Measure a CUDA GPU for cimsim's GPU card (configs/gpu/*.yaml) and its validation table.

What it measures, each the way docs/gpu-model.md's equations use it:
  - GEMM time over M (FP16, and INT8 through torch._int_mm) for the LLMCompass shapes
    M x 12288 x 12288 and the BERT-base projections: gives gemm_efficiency (large M),
    gemm_saturation_tokens and gemm_efficiency_floor (small M), memory_efficiency (M = 64
    streams the weights);
  - a device-to-device copy: achieved HBM bandwidth;
  - an almost empty kernel replayed in a CUDA graph: the per-kernel overhead;
  - fused attention (scaled_dot_product_attention) at the BERT shapes;
  - BERT-base end to end (PyTorch eager ops captured in one CUDA graph; per-layer weights
    distinct, so they stream from HBM as in a real pass), with its kernel count from the profiler;
  - board energy from NVML's energy counter while each of these runs back to back for seconds,
    and at idle: power and energy per pass, to check the model's energy (section 5).

Method: random inputs, never zeros; warm-up before timing;
CUDA events around CUDA-graph replays; medians of repeated replays; weights rotated over several
buffers so that small GEMMs do not run from L2. The card's clocks and power limit are left as
found and recorded.

Usage: python3 measure_gpu.py OUT_DIR [SECTIONS]   (writes OUT_DIR/gpu_measurements.json and
prints a table; SECTIONS is a comma-separated subset of gemm, int8, copy, kernel_overhead, attention,
bert, bert_fused, power, power_busy, gpt2_decode; all by default)
"""

import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback

import torch
import torch.nn.functional as F

DEV = torch.device("cuda")
RESULTS = {"errors": []}


def section(name):
    """Run a measurement section; record its failure instead of losing the others."""

    def wrap(fn):
        def run(*args, **kwargs):
            t0 = time.time()
            try:
                return fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - recorded and reported, the run goes on
                RESULTS["errors"].append({"section": name, "trace": traceback.format_exc()})
                print(f"[{name}] FAILED:\n{traceback.format_exc()}", flush=True)
            finally:
                print(f"[{name}] {time.time() - t0:.1f} s", flush=True)

        return run

    return wrap


# ---------------------------------------------------------------- NVML (board power and energy)
class Nvml:
    def __init__(self):
        self.ok = False
        try:
            import pynvml

            pynvml.nvmlInit()
            self.nv = pynvml
            self.h = pynvml.nvmlDeviceGetHandleByIndex(0)
            self.ok = True
        except Exception:  # noqa: BLE001
            RESULTS["errors"].append({"section": "nvml", "trace": traceback.format_exc()})

    def energy_mj(self):
        return self.nv.nvmlDeviceGetTotalEnergyConsumption(self.h) if self.ok else None

    def state(self):
        if not self.ok:
            return {}
        nv, h = self.nv, self.h
        s = {}
        for key, fn in [
            ("power_w", lambda: nv.nvmlDeviceGetPowerUsage(h) / 1e3),
            ("sm_clock_mhz", lambda: nv.nvmlDeviceGetClockInfo(h, nv.NVML_CLOCK_SM)),
            ("mem_clock_mhz", lambda: nv.nvmlDeviceGetClockInfo(h, nv.NVML_CLOCK_MEM)),
            ("temperature_c", lambda: nv.nvmlDeviceGetTemperature(h, nv.NVML_TEMPERATURE_GPU)),
            ("pstate", lambda: nv.nvmlDeviceGetPerformanceState(h)),
            ("throttle_reasons", lambda: nv.nvmlDeviceGetCurrentClocksThrottleReasons(h)),
        ]:
            try:
                s[key] = fn()
            except Exception as e:  # noqa: BLE001
                s[key] = f"unavailable: {e}"
        return s

    def static_info(self):
        if not self.ok:
            return {}
        nv, h = self.nv, self.h
        info = {}
        for key, fn in [
            ("name", lambda: nv.nvmlDeviceGetName(h)),
            ("driver", lambda: nv.nvmlSystemGetDriverVersion()),
            ("enforced_power_limit_w", lambda: nv.nvmlDeviceGetEnforcedPowerLimit(h) / 1e3),
            ("default_power_limit_w", lambda: nv.nvmlDeviceGetPowerManagementDefaultLimit(h) / 1e3),
            ("max_sm_clock_mhz", lambda: nv.nvmlDeviceGetMaxClockInfo(h, nv.NVML_CLOCK_SM)),
            ("max_mem_clock_mhz", lambda: nv.nvmlDeviceGetMaxClockInfo(h, nv.NVML_CLOCK_MEM)),
            ("memory_total_bytes", lambda: nv.nvmlDeviceGetMemoryInfo(h).total),
        ]:
            try:
                v = fn()
                info[key] = v.decode() if isinstance(v, bytes) else v
            except Exception as e:  # noqa: BLE001
                info[key] = f"unavailable: {e}"
        return info


NVML = Nvml()


# ---------------------------------------------------------------- timing helpers
def capture(fn, calls):
    """A CUDA graph that calls fn(i) for i in range(calls)."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for i in range(min(calls, 3)):  # warm-up: cuBLAS picks its kernels and workspaces here
            fn(i)
    torch.cuda.current_stream().wait_stream(s)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for i in range(calls):
            fn(i)
    torch.cuda.synchronize()
    return g


def time_graph(g, calls, target_s=0.15, min_replays=5, max_replays=2000):
    """Median seconds per call over replays of g (each replay makes `calls` calls)."""
    g.replay()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    g.replay()
    end.record()
    torch.cuda.synchronize()
    once = max(start.elapsed_time(end) / 1e3, 1e-6)
    replays = int(min(max_replays, max(min_replays, target_s / once)))
    times = []
    for _ in range(replays):
        start.record()
        g.replay()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3 / calls)
    return statistics.median(times), min(times), max(times), replays


def l2_bytes():
    return getattr(torch.cuda.get_device_properties(0), "L2_cache_size", 50 * 2**20)


def buffers_to_leave_l2(bytes_each, cap=256):
    """How many copies of an operand to rotate over so that a pass over them is 4x the L2."""
    return int(max(1, min(cap, math.ceil(4 * l2_bytes() / bytes_each))))


def randn(*shape, dtype=torch.float16):
    return (torch.randn(*shape, device=DEV, dtype=torch.float32) * 0.5).to(dtype)


# ---------------------------------------------------------------- measurements
@section("device")
def measure_device():
    p = torch.cuda.get_device_properties(0)
    RESULTS["device"] = {
        "torch_name": p.name,
        "multiprocessors": p.multi_processor_count,
        "l2_cache_bytes": l2_bytes(),
        "total_memory_bytes": p.total_memory,
        "compute_capability": f"{p.major}.{p.minor}",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cublas_lt": getattr(torch.backends.cuda, "preferred_blas_library", lambda: "?")().__str__(),
        "nvml": NVML.static_info(),
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        RESULTS["device"]["nvidia_smi"] = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,power.limit,clocks.max.sm,"
             "clocks.max.mem,memory.total,pstate", "--format=csv"],
            capture_output=True, text=True, timeout=20).stdout
    except Exception as e:  # noqa: BLE001
        RESULTS["device"]["nvidia_smi"] = f"unavailable: {e}"


@section("idle_power")
def measure_idle():
    torch.cuda.synchronize()
    time.sleep(2.0)
    e0, t0 = NVML.energy_mj(), time.time()
    time.sleep(4.0)
    e1, t1 = NVML.energy_mj(), time.time()
    RESULTS["idle"] = {"seconds": t1 - t0, "energy_j": (e1 - e0) / 1e3 if e0 is not None else None,
                       "power_w": (e1 - e0) / 1e3 / (t1 - t0) if e0 is not None else None,
                       "state": NVML.state()}


def gemm_fp16(m, k, n, calls=None):
    """Time y = x W^T (F.linear, the PyTorch layer layout) with W rotated out of L2."""
    nbuf = buffers_to_leave_l2(k * n * 2)
    weights = [randn(n, k) for _ in range(nbuf)]
    x = randn(m, k)
    ys = [torch.empty(m, n, device=DEV, dtype=torch.float16) for _ in range(2)]
    calls = calls or max(nbuf, 8)

    def fn(i):
        torch.matmul(x, weights[i % nbuf].t(), out=ys[i % 2])

    g = capture(fn, calls)
    med, lo, hi, reps = time_graph(g, calls)
    # correctness of one product against FP32 (a wrong kernel would time anything)
    ref = x.float() @ weights[0].float().t()
    got = (x @ weights[0].t()).float()
    rel = (torch.linalg.norm(got - ref) / torch.linalg.norm(ref)).item()
    del g, weights, ys
    torch.cuda.empty_cache()
    return {"precision": "fp16", "m": m, "k": k, "n": n, "weight_buffers": nbuf,
            "seconds": med, "seconds_min": lo, "seconds_max": hi, "replays": reps,
            "tflops": 2 * m * k * n / med / 1e12, "rel_error_vs_fp32": rel}


def gemm_int8(m, k, n):
    """torch._int_mm(x, W^T) with W stored (n, k) row-major, i.e. a column-major K x N operand:
    the layout cuBLASLt's INT8 kernels want (a row-major K x N operand is much slower)."""
    nbuf = buffers_to_leave_l2(k * n)
    weights = [torch.randint(-127, 128, (n, k), device=DEV, dtype=torch.int8) for _ in range(nbuf)]
    x = torch.randint(-127, 128, (m, k), device=DEV, dtype=torch.int8)
    calls = max(nbuf, 8)

    def fn(i):
        torch._int_mm(x, weights[i % nbuf].t())

    g = capture(fn, calls)
    med, lo, hi, reps = time_graph(g, calls)
    exact = torch._int_mm(x[:32], weights[0].t()).to(torch.float64)
    ref = x[:32].to(torch.float64) @ weights[0].t().to(torch.float64)
    del g, weights
    torch.cuda.empty_cache()
    return {"precision": "int8", "layout": "weights (n, k), passed transposed", "m": m, "k": k,
            "n": n, "weight_buffers": nbuf, "seconds": med, "seconds_min": lo,
            "seconds_max": hi, "replays": reps, "tops": 2 * m * k * n / med / 1e12,
            "exact": bool(torch.equal(exact, ref))}


@section("int8")
def measure_int8():
    rows = []
    for m in [64, 2048, 8192]:
        rows.append(dict(gemm_int8(m, 12288, 12288), suite="llmcompass"))
        print(f"  int8 {m}x12288x12288: {rows[-1]['seconds']*1e3:.4f} ms "
              f"{rows[-1]['tops']:.1f} TOPS exact {rows[-1]['exact']}", flush=True)
    RESULTS["gemm_int8"] = rows


@section("gemm")
def measure_gemms():
    rows = []
    for m in [1, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]:
        rows.append(dict(gemm_fp16(m, 12288, 12288), suite="llmcompass"))
        print(f"  fp16 {m}x12288x12288: {rows[-1]['seconds']*1e3:.4f} ms "
              f"{rows[-1]['tflops']:.1f} TFLOPS", flush=True)
    for m in [128, 384, 16384, 49152]:
        for k, n in [(768, 2304), (768, 768), (768, 3072), (3072, 768)]:
            rows.append(dict(gemm_fp16(m, k, n), suite="bert-base"))
    rows.append(dict(gemm_fp16(8192, 8192, 8192, calls=4), suite="square"))
    RESULTS["gemm"] = rows


@section("copy")
def measure_copy():
    n = 2 * 2**30 // 2  # 2 GiB of FP16 each way
    src, dst = randn(n), torch.empty(n, device=DEV, dtype=torch.float16)
    g = capture(lambda i: dst.copy_(src), 4)
    med, lo, hi, reps = time_graph(g, 4)
    RESULTS["copy"] = {"bytes_read_plus_written": 4 * n, "seconds": med,
                       "gb_per_s": 4 * n / med / 1e9, "replays": reps}
    del src, dst, g
    torch.cuda.empty_cache()


@section("kernel_overhead")
def measure_kernel_overhead():
    x = torch.zeros(1, device=DEV)
    calls = 400
    g = capture(lambda i: x.add_(1.0), calls)
    med, lo, hi, reps = time_graph(g, calls)
    # eager launches from Python, host-timed (what an unfused framework pays per op)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(2000):
        x.add_(1.0)
    torch.cuda.synchronize()
    eager = (time.perf_counter() - t0) / 2000
    ln_rows = []
    for tokens in [128, 384, 16384, 49152]:
        h = randn(tokens, 768)
        w, b = randn(768), randn(768)
        o = torch.empty_like(h)
        gl = capture(lambda i: o.copy_(F.layer_norm(h, (768,), w, b)), 20)
        lm, _, _, _ = time_graph(gl, 20)
        ln_rows.append({"tokens": tokens, "seconds_layer_norm_plus_copy": lm})
        del gl
    RESULTS["kernel_overhead"] = {"graph_tiny_kernel_seconds": med, "eager_launch_seconds": eager,
                                  "layer_norm": ln_rows}


@section("attention")
def measure_attention():
    rows = []
    for batch, seq in [(1, 128), (1, 384), (128, 128), (128, 384)]:
        q, k, v = (randn(batch, 12, seq, 64) for _ in range(3))
        o = torch.empty_like(q)
        g = capture(lambda i: o.copy_(F.scaled_dot_product_attention(q, k, v)), 10)
        med, _, _, _ = time_graph(g, 10)
        rows.append({"batch": batch, "seq": seq, "heads": 12, "d_head": 64,
                     "seconds_attention_plus_copy": med})
        del g
    RESULTS["attention"] = rows


# ---------------------------------------------------------------- BERT-base end to end
def layer_weights(d, ffn):
    """One transformer layer's weights, FP16, small enough that activations stay finite: the
    fused QKV projection, the output projection, two norms and the FFN."""
    return {"wqkv": randn(3 * d, d) * 0.05, "bqkv": randn(3 * d) * 0.05,
            "wo": randn(d, d) * 0.05, "bo": randn(d) * 0.05,
            "g1": 1 + randn(d) * 0.05, "b1": randn(d) * 0.05,
            "w1": randn(ffn, d) * 0.05, "bf1": randn(ffn) * 0.05,
            "w2": randn(d, ffn) * 0.05, "bf2": randn(d) * 0.05,
            "g2": 1 + randn(d) * 0.05, "b2": randn(d) * 0.05}


class Bert:
    """BERT-base encoder (Devlin et al., 2019): 12 layers, d 768, 12 heads, FFN 3072, FP16."""

    def __init__(self, vocab=30522, layers=12, d=768, heads=12, ffn=3072, max_pos=512):
        self.d, self.heads, self.ffn = d, heads, ffn
        self.tok = randn(vocab, d)
        self.pos = randn(max_pos, d)
        self.layers = [layer_weights(d, ffn) for _ in range(layers)]

    def forward(self, ids, fused=False):
        """fused=False: PyTorch eager ops (10 kernels a layer). fused=True: the fusion
        docs/gpu-model.md's fused mode assumes (7 a layer): GELU in the up projection's cuBLASLt
        epilogue, and each residual add and layer norm one compiled kernel."""
        batch, seq = ids.shape
        d, h = self.d, self.heads
        x = (F.embedding(ids, self.tok) + self.pos[:seq]).reshape(batch * seq, d)
        for p in self.layers:
            qkv = F.linear(x, p["wqkv"], p["bqkv"]).view(batch, seq, 3, h, d // h)
            q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
            a = F.scaled_dot_product_attention(q, k, v)
            a = a.transpose(1, 2).reshape(batch * seq, d)
            o = F.linear(a, p["wo"], p["bo"])
            if fused:
                x = ADD_LAYER_NORM(o, x, p["g1"], p["b1"])
                f = torch._addmm_activation(p["bf1"], x, p["w1"].t(), use_gelu=True)
                x = ADD_LAYER_NORM(F.linear(f, p["w2"], p["bf2"]), x, p["g2"], p["b2"])
            else:
                x = F.layer_norm(o + x, (d,), p["g1"], p["b1"])
                f = F.gelu(F.linear(x, p["w1"], p["bf1"]))
                x = F.layer_norm(F.linear(f, p["w2"], p["bf2"]) + x, (d,), p["g2"], p["b2"])
        return x


def add_layer_norm(y, x, g, b):
    return F.layer_norm(y + x, (x.shape[-1],), g, b)


ADD_LAYER_NORM = add_layer_norm


def count_kernels(fn):
    from torch.profiler import ProfilerActivity, profile

    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA
               and not e.name.startswith("Memcpy") and not e.name.startswith("Memset")]
    by_name = {}
    for e in kernels:
        by_name.setdefault(e.name[:90], [0, 0.0])
        by_name[e.name[:90]][0] += 1
        by_name[e.name[:90]][1] += e.time_range.elapsed_us() / 1e6
    return len(kernels), sorted(([n, c, s] for n, (c, s) in by_name.items()), key=lambda r: -r[2])


def energy_window(replay, seconds, calls_per_replay=1):
    """Run replay() back to back for `seconds` after a 1.5 s ramp; board energy per call."""
    ramp_end = time.time() + 1.5
    while time.time() < ramp_end:
        replay()
        torch.cuda.synchronize()
    e0, t0, n = NVML.energy_mj(), time.time(), 0
    while time.time() - t0 < seconds:
        for _ in range(4):
            replay()
        n += 4
        torch.cuda.synchronize()
    t1, e1 = time.time(), NVML.energy_mj()
    state = NVML.state()
    if e0 is None:
        return {"calls": n * calls_per_replay, "seconds": t1 - t0, "state": state}
    joules = (e1 - e0) / 1e3
    return {"calls": n * calls_per_replay, "seconds": t1 - t0, "energy_j": joules,
            "power_w": joules / (t1 - t0), "energy_per_call_j": joules / (n * calls_per_replay),
            "wall_seconds_per_call": (t1 - t0) / (n * calls_per_replay), "state": state}


BERT_POINTS = [(1, 128), (1, 384), (128, 128), (128, 384)]


def measure_bert_variant(model, fused, points):
    rows = []
    for batch, seq in points:
        ids = torch.randint(0, 30522, (batch, seq), device=DEV)
        out = {}
        model.forward(ids, fused)  # compiles the fused add-and-norm for this shape, if fused
        torch.cuda.synchronize()

        def fn(i, ids=ids, out=out):
            out["y"] = model.forward(ids, fused)

        g = capture(fn, 1)
        med, lo, hi, reps = time_graph(g, 1, target_s=0.5)
        finite = bool(torch.isfinite(out["y"]).all().item())
        try:
            kernels, top = count_kernels(lambda: model.forward(ids, fused))
        except Exception:  # noqa: BLE001
            RESULTS["errors"].append({"section": "profiler", "trace": traceback.format_exc()})
            kernels, top = None, []
        row = {"variant": "fused" if fused else "eager", "batch": batch, "seq": seq,
               "seconds": med, "seconds_min": lo, "seconds_max": hi, "replays": reps,
               "kernels": kernels, "kernel_time_by_name": top[:12], "finite": finite}
        if NVML.ok:
            row["energy"] = energy_window(g.replay, 5.0)
        rows.append(row)
        print(f"  BERT-base {row['variant']} b{batch} s{seq}: {med*1e3:.3f} ms, {kernels} kernels, "
              f"{row.get('energy', {}).get('power_w', float('nan')):.0f} W", flush=True)
        del g
        torch.cuda.empty_cache()
    return rows


@section("bert")
def measure_bert():
    torch.manual_seed(0)
    RESULTS["bert"] = measure_bert_variant(Bert(), False, BERT_POINTS)


@section("bert_fused")
def measure_bert_fused(points):
    global ADD_LAYER_NORM
    try:
        ADD_LAYER_NORM = torch.compile(add_layer_norm, dynamic=False)
        RESULTS["bert_fused_add_layer_norm"] = "torch.compile (inductor)"
    except Exception:  # noqa: BLE001
        RESULTS["errors"].append({"section": "compile", "trace": traceback.format_exc()})
        RESULTS["bert_fused_add_layer_norm"] = "eager (compile failed)"
    torch.manual_seed(0)
    RESULTS["bert_fused"] = measure_bert_variant(Bert(), True, points)


@section("power")
def measure_power():
    rows = []
    # Peak FP16 GEMM: sets the board energy per MAC (at the power cap).
    a, b = randn(8192, 8192), randn(8192, 8192)
    c = torch.empty(8192, 8192, device=DEV, dtype=torch.float16)
    g = capture(lambda i: torch.matmul(a, b, out=c), 4)
    e = energy_window(g.replay, 8.0, calls_per_replay=4)
    e.update(case="gemm fp16 8192x8192x8192", flops_per_call=2 * 8192**3)
    rows.append(e)
    del g, a, b, c
    # Weight streaming: M = 64 over the LLMCompass weights.
    nbuf = buffers_to_leave_l2(12288 * 12288 * 2)
    ws = [randn(12288, 12288) for _ in range(nbuf)]
    x = randn(64, 12288)
    y = torch.empty(64, 12288, device=DEV, dtype=torch.float16)
    calls = max(nbuf, 8)
    g = capture(lambda i: torch.matmul(x, ws[i % nbuf].t(), out=y), calls)
    e = energy_window(g.replay, 5.0, calls_per_replay=calls)
    e.update(case="gemm fp16 64x12288x12288", flops_per_call=2 * 64 * 12288**2,
             hbm_bytes_per_call=2 * (12288**2 + 2 * 64 * 12288))
    rows.append(e)
    del g, ws
    # HBM copy
    n = 2**30
    src, dst = randn(n), torch.empty(n, device=DEV, dtype=torch.float16)
    g = capture(lambda i: dst.copy_(src), 4)
    e = energy_window(g.replay, 5.0, calls_per_replay=4)
    e.update(case="copy 2 GiB fp16", hbm_bytes_per_call=4 * n)
    rows.append(e)
    del g, src, dst
    torch.cuda.empty_cache()
    RESULTS["power"] = rows


class Gpt2Decode:
    """GPT-2 medium (Radford et al., 2019): 24 pre-norm layers, d 1024, 16 heads, FFN 4096,
    vocabulary 50257, FP16; one decode step over a KV cache of `context` tokens plus the new
    one, fused as docs/gpu-model.md's fused mode assumes (7 kernels a layer: QKV, attention, O,
    residual add with the next norm, FFN up with GELU in its epilogue, FFN down, residual add with
    the next norm). The step reads a cache already holding the new token's K and V: writing two
    d-wide vectors a layer into it is left out."""

    def __init__(self, batch, context, layers=24, d=1024, heads=16, ffn=4096, vocab=50257):
        self.d, self.heads, self.batch = d, heads, batch
        self.tok, self.pos = randn(vocab, d), randn(1024 + 1, d)
        self.g0, self.b0 = 1 + randn(d) * 0.05, randn(d) * 0.05
        self.layers = [dict(layer_weights(d, ffn),
                            k=randn(batch, heads, context + 1, d // heads),
                            v=randn(batch, heads, context + 1, d // heads))
                       for _ in range(layers)]
        self.lm_head = randn(vocab, d) * 0.05

    def step(self, ids, position):
        d, h, batch = self.d, self.heads, self.batch
        x = F.embedding(ids, self.tok) + self.pos[position]
        hn = F.layer_norm(x, (d,), self.g0, self.b0)
        for p in self.layers:
            q = F.linear(hn, p["wqkv"], p["bqkv"])[:, :d].unflatten(1, (h, d // h)).unsqueeze(2)
            a = F.scaled_dot_product_attention(q, p["k"], p["v"]).reshape(batch, d)
            x, hn = ADD_LAYER_NORM2(F.linear(a, p["wo"], p["bo"]), x, p["g1"], p["b1"])
            f = torch._addmm_activation(p["bf1"], hn, p["w1"].t(), use_gelu=True)
            x, hn = ADD_LAYER_NORM2(F.linear(f, p["w2"], p["bf2"]), x, p["g2"], p["b2"])
        return F.linear(hn, self.lm_head)


def add_layer_norm2(y, x, g, b):
    s = y + x
    return s, F.layer_norm(s, (x.shape[-1],), g, b)


ADD_LAYER_NORM2 = add_layer_norm2


@section("gpt2_decode")
def measure_gpt2_decode():
    global ADD_LAYER_NORM2
    ADD_LAYER_NORM2 = torch.compile(add_layer_norm2, dynamic=False)
    rows = []
    for batch in [1, 16, 64]:
        torch.manual_seed(0)
        model = Gpt2Decode(batch, 1024)
        ids = torch.randint(0, 50257, (batch,), device=DEV)
        out = {}
        model.step(ids, 1024)
        torch.cuda.synchronize()

        def fn(i, ids=ids, out=out, model=model):
            out["y"] = model.step(ids, 1024)

        g = capture(fn, 1)
        med, lo, hi, reps = time_graph(g, 1, target_s=0.5)
        try:
            kernels, top = count_kernels(lambda: model.step(ids, 1024))
        except Exception:  # noqa: BLE001
            RESULTS["errors"].append({"section": "profiler", "trace": traceback.format_exc()})
            kernels, top = None, []
        row = {"model": "gpt2-medium", "phase": "decode", "context": 1024, "batch": batch,
               "seconds": med, "seconds_min": lo, "seconds_max": hi, "replays": reps,
               "kernels": kernels, "kernel_time_by_name": top[:12],
               "finite": bool(torch.isfinite(out["y"]).all().item())}
        if NVML.ok:
            row["energy"] = energy_window(g.replay, 5.0)
        rows.append(row)
        print(f"  GPT-2 medium decode b{batch} ctx 1024: {med*1e3:.4f} ms, {kernels} kernels, "
              f"{row.get('energy', {}).get('power_w', float('nan')):.0f} W "
              f"{row.get('energy', {}).get('energy_per_call_j', float('nan'))*1e3:.3f} mJ", flush=True)
        del g, model
        torch.cuda.empty_cache()
    RESULTS["gpt2_decode"] = rows


@section("power_busy")
def measure_power_busy():
    """Board power while kernels run that do almost nothing (the floor while busy), while weights
    are only read (M = 1 GEMV), and while a memory kernel reads and writes (layer norm)."""
    rows = []
    x = torch.zeros(1, device=DEV)
    g = capture(lambda i: x.add_(1.0), 400)
    e = energy_window(g.replay, 5.0, calls_per_replay=400)
    e.update(case="tiny kernel (1-element add) in a CUDA graph")
    rows.append(e)
    del g
    nbuf = buffers_to_leave_l2(12288 * 12288 * 2)
    ws = [randn(12288, 12288) for _ in range(max(nbuf, 2))]
    v = randn(1, 12288)
    y = torch.empty(1, 12288, device=DEV, dtype=torch.float16)
    g = capture(lambda i: torch.matmul(v, ws[i % len(ws)].t(), out=y), 8)
    e = energy_window(g.replay, 5.0, calls_per_replay=8)
    e.update(case="gemv fp16 1x12288x12288", flops_per_call=2 * 12288**2,
             hbm_read_bytes_per_call=2 * (12288**2 + 12288), hbm_write_bytes_per_call=2 * 12288)
    rows.append(e)
    del g, ws
    h = randn(49152, 768)
    w, b = randn(768), randn(768)
    outs = [torch.empty_like(h) for _ in range(2)]
    g = capture(lambda i: torch.native_layer_norm(h, (768,), w, b, 1e-5)[0], 20)
    e = energy_window(g.replay, 5.0, calls_per_replay=20)
    e.update(case="layer norm 49152x768 fp16", hbm_read_bytes_per_call=2 * 49152 * 768,
             hbm_write_bytes_per_call=2 * 49152 * 768)
    rows.append(e)
    del g, h, outs
    torch.cuda.empty_cache()
    RESULTS["power_busy"] = rows


def summary():
    lines = ["", "==== summary ===="]
    d = RESULTS.get("device", {})
    lines.append(f"device {d.get('torch_name')} SMs {d.get('multiprocessors')} "
                 f"L2 {d.get('l2_cache_bytes')} nvml {d.get('nvml')}")
    if "idle" in RESULTS:
        lines.append(f"idle {RESULTS['idle'].get('power_w')} W")
    for r in RESULTS.get("gemm", []):
        lines.append(f"gemm {r['suite']:<10} {r['m']:>6}x{r['k']:>5}x{r['n']:>5} "
                     f"{r['seconds']*1e3:9.4f} ms {r['tflops']:7.1f} TFLOPS err {r['rel_error_vs_fp32']:.1e}")
    for r in RESULTS.get("gemm_int8", []):
        lines.append(f"int8 {r['m']:>6}x{r['k']}x{r['n']} {r['seconds']*1e3:9.4f} ms {r['tops']:7.1f} TOPS exact {r['exact']}")
    if "copy" in RESULTS:
        lines.append(f"copy {RESULTS['copy']['gb_per_s']:.0f} GB/s (read+write)")
    if "kernel_overhead" in RESULTS:
        k = RESULTS["kernel_overhead"]
        lines.append(f"tiny kernel in graph {k['graph_tiny_kernel_seconds']*1e6:.2f} us, eager "
                     f"{k['eager_launch_seconds']*1e6:.2f} us; LN {[(r['tokens'], round(r['seconds_layer_norm_plus_copy']*1e6, 2)) for r in k['layer_norm']]}")
    for r in RESULTS.get("attention", []):
        lines.append(f"sdpa b{r['batch']} s{r['seq']} {r['seconds_attention_plus_copy']*1e6:.2f} us")
    for r in RESULTS.get("bert", []) + RESULTS.get("bert_fused", []):
        e = r.get("energy", {})
        lines.append(f"bert {r['variant']} b{r['batch']} s{r['seq']} {r['seconds']*1e3:.4f} ms kernels {r['kernels']} "
                     f"{e.get('power_w', float('nan')):.1f} W {e.get('energy_per_call_j', float('nan'))*1e3:.3f} mJ/pass "
                     f"wall/pass {e.get('wall_seconds_per_call', float('nan'))*1e3:.4f} ms")
    for r in RESULTS.get("power", []) + RESULTS.get("power_busy", []):
        lines.append(f"power {r['case']}: {r.get('power_w', float('nan')):.1f} W, "
                     f"{r.get('energy_per_call_j', float('nan'))*1e3:.4f} mJ/call, "
                     f"{r['wall_seconds_per_call']*1e3 if 'wall_seconds_per_call' in r else float('nan'):.4f} ms/call, state {r.get('state')}")
    lines.append(f"errors: {len(RESULTS['errors'])}")
    print("\n".join(lines), flush=True)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else None
    os.makedirs(out_dir, exist_ok=True)
    measure_device()
    measure_idle()
    steps = {"gemm": measure_gemms, "int8": measure_int8, "copy": measure_copy, "kernel_overhead": measure_kernel_overhead,
             "attention": measure_attention, "bert": measure_bert,
             "bert_fused": lambda: measure_bert_fused(
                 BERT_POINTS[:2] + [(8, 128), (32, 128)] + BERT_POINTS[2:]),
             "power": measure_power, "power_busy": measure_power_busy,
             "gpt2_decode": measure_gpt2_decode}
    for name, step in steps.items():
        if only and name not in only:
            continue
        step()
        with open(os.path.join(out_dir, "gpu_measurements.json"), "w") as f:
            json.dump(RESULTS, f, indent=1, default=str)
    summary()


if __name__ == "__main__":
    main()
