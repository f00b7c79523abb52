#include "cli/gpu_validation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <tuple>

#include "models/gpu/gpu_model.hpp"

namespace cimsim {

namespace {

Workload bert_base(int seq, int batch) {
  WorkloadRequest r;
  r.seq = seq;
  r.batch = batch;
  return build_transformer(find_workload("bert-base"), r);
}

// One kernel's energy as the model charges it: the board energies per FP16 MAC and per HBM bit
// (the named parts plus their overheads) and the awake power for the kernel's modelled time.
double kernel_energy_j(const GpuCard& g, double macs, double hbm_bytes, double seconds) {
  return macs * g.board_energy_per_mac.si + hbm_bytes * 8.0 * g.board_energy_per_hbm_bit.si +
         g.awake_power.si * seconds;
}

void a100_points(std::vector<GpuValidationPoint>& points) {
  const GpuCard a100 = load_gpu_card("a100_sxm4_80gb", nullptr);
  const char* trt = "NVIDIA TensorRT demoBERT README, A100-40GB, FP16, average latency";
  struct Bert {
    int seq, batch;
    double ms;
    const char* role;
  };
  for (const Bert& b : {Bert{128, 1, 0.67, "calibration"}, Bert{128, 128, 16.1, "check"},
                        Bert{384, 1, 1.31, "calibration"}, Bert{384, 128, 51.3, "check"}}) {
    GpuEvaluation e = evaluate_gpu(bert_base(b.seq, b.batch), a100, GpuOptions{"fp16", true});
    points.push_back({a100.name, fmt::format("BERT-base seq {} batch {}", b.seq, b.batch), trt,
                      "ms", b.ms, e.latency_s * 1e3, b.role});
  }
  const char* llmcompass = "LLMCompass (Zhang et al., ISCA 2024) artifact, real A100 FP16 GEMM";
  for (auto [m, ms] : {std::pair{64.0, 0.190}, std::pair{2048.0, 2.36}}) {
    const double k = 12288, n = 12288;
    const double bytes = 2.0 * (k * n + m * k + m * n);
    double s = gpu_gemm_seconds(a100, "fp16", m, k, n, 1, bytes);
    points.push_back({a100.name, fmt::format("GEMM {:g}x12288x12288", m), llmcompass, "ms", ms,
                      s * 1e3, "calibration"});
  }
}

// Measured by tools/gpu_measure/measure_gpu.py on an H200 (results/h200_2026-11-28*.json; four
// runs on fresh machines, where a figure was measured in more than one, their mean).
void h200_points(std::vector<GpuValidationPoint>& points) {
  const GpuCard h200 = load_gpu_card("h200_sxm_141gb", nullptr);
  const char* gemms = "this project, H200, PyTorch 2.11 cuBLAS FP16 GEMM in a CUDA graph";
  for (auto [m, ms] :
       {std::pair{64.0, 0.07418}, std::pair{2048.0, 0.98872}, std::pair{8192.0, 3.66121}}) {
    const double k = 12288, n = 12288;
    const double bytes = 2.0 * (k * n + m * k + m * n);
    double s = gpu_gemm_seconds(h200, "fp16", m, k, n, 1, bytes);
    points.push_back({h200.name, fmt::format("GEMM {:g}x12288x12288", m), gemms, "ms", ms, s * 1e3,
                      "calibration"});
  }
  // BERT-base in the fusion the fused mode assumes: GELU in the up projection's cuBLASLt
  // epilogue, each residual add with its layer norm one compiled kernel, flash attention.
  const char* bert =
      "this project, H200, PyTorch 2.11 BERT-base FP16, fused as the model assumes, CUDA graph; "
      "energy from NVML while it runs back to back";
  struct Bert {
    int seq, batch;
    double ms, mj;
  };
  for (const Bert& b : {Bert{128, 1, 0.4467, 120.05}, Bert{384, 1, 0.5267, 206.17},
                        Bert{128, 8, 0.6389, 382.50}, Bert{128, 32, 1.5868, 1125.95},
                        Bert{128, 128, 5.8396, 4185.22}, Bert{384, 128, 18.2128, 13196.16}}) {
    GpuEvaluation e = evaluate_gpu(bert_base(b.seq, b.batch), h200, GpuOptions{"fp16", true});
    const std::string name = fmt::format("BERT-base seq {} batch {}", b.seq, b.batch);
    points.push_back({h200.name, name, bert, "ms", b.ms, e.latency_s * 1e3, "check"});
    points.push_back({h200.name, name, bert, "mJ", b.mj, e.energy_j() * 1e3, "check"});
  }
  // GPT-2 medium, one decode step over a 1024-token KV cache (run 4): the weights and the cache
  // stream from HBM, the regime where the GPU is memory- and launch-bound.
  const char* decode =
      "this project, H200, PyTorch 2.11 GPT-2 medium FP16 decode step, fused as the model "
      "assumes, CUDA graph; energy from NVML while it runs back to back";
  for (auto [batch, ms, mj] : {std::tuple{1, 0.98784, 234.67}, std::tuple{16, 1.36784, 493.06},
                               std::tuple{64, 2.63816, 1335.71}}) {
    WorkloadRequest r;
    r.phase = "decode";
    r.context = 1024;
    r.batch = batch;
    GpuEvaluation e = evaluate_gpu(build_transformer(find_workload("gpt2-medium"), r), h200,
                                   GpuOptions{"fp16", true});
    const std::string name = fmt::format("GPT-2 medium decode batch {}", batch);
    points.push_back({h200.name, name, decode, "ms", ms, e.latency_s * 1e3, "check"});
    points.push_back({h200.name, name, decode, "mJ", mj, e.energy_j() * 1e3, "check"});
  }
  // Board energy of single kernels run back to back.
  const char* power = "this project, H200, NVML energy over 5-8 s of back-to-back calls";
  auto gemm_energy = [&](double m, double k, double n) {
    const double bytes = 2.0 * (k * n + m * k + m * n);
    return kernel_energy_j(h200, m * k * n, bytes,
                           gpu_gemm_seconds(h200, "fp16", m, k, n, 1, bytes));
  };
  const double copy_bytes = 4.0 * 1024 * 1024 * 1024;  // 2 GiB read and 2 GiB written
  const double copy_s =
      copy_bytes / (h200.hbm_bandwidth.si / 8.0 * h200.memory_efficiency) + h200.kernel_overhead.si;
  points.push_back({h200.name, "GEMM 8192x8192x8192", power, "mJ", 1204.35,
                    gemm_energy(8192, 8192, 8192) * 1e3, "calibration"});
  points.push_back({h200.name, "copy 2 GiB", power, "mJ", 821.25,
                    kernel_energy_j(h200, 0, copy_bytes, copy_s) * 1e3, "calibration"});
  // Known limits: reads cost less per bit than the copy's mix of reads and writes; under the
  // power cap the clocks and voltage drop and every operation costs less; a layer norm's
  // reductions cost more per byte than streaming does.
  points.push_back({h200.name, "GEMV 1x12288x12288 (reads)", power, "mJ", 49.37,
                    gemm_energy(1, 12288, 12288) * 1e3, "diagnostic"});
  points.push_back({h200.name, "GEMM 64x12288x12288 (capped)", power, "mJ", 54.22,
                    gemm_energy(64, 12288, 12288) * 1e3, "diagnostic"});
  const double ln_bytes = 2.0 * 2 * 49152 * 768;
  const double ln_s =
      ln_bytes / (h200.hbm_bandwidth.si / 8.0 * h200.memory_efficiency) + h200.kernel_overhead.si;
  points.push_back({h200.name, "layer norm 49152x768", power, "mJ", 65.75,
                    kernel_energy_j(h200, 0, ln_bytes, ln_s) * 1e3, "diagnostic"});
  points.push_back({h200.name, "copy 2 GiB", gemms, "ms", 1.54798, copy_s * 1e3, "diagnostic"});
}

}  // namespace

std::vector<GpuValidationPoint> validate_gpu_model() {
  std::vector<GpuValidationPoint> points;
  a100_points(points);
  h200_points(points);
  return points;
}

std::string gpu_validation_table(const std::vector<GpuValidationPoint>& points) {
  std::string s = fmt::format("{:<15} {:<29} {:>4} {:>11} {:>11} {:>8}  {}\n", "card", "case",
                              "unit", "measured", "modelled", "error", "role");
  for (const auto& p : points) {
    s += fmt::format("{:<15} {:<29} {:>4} {:>11.4g} {:>11.4g} {:>+7.1f}%  {}\n", p.card,
                     p.case_name, p.unit, p.measured, p.modelled, 100.0 * p.error(), p.role);
  }
  return s;
}

}  // namespace cimsim
