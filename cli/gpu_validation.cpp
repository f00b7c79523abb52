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

// What tools/gpu_measure/measure_gpu.py measured on one card (results/*.json; where a figure was
// measured in more than one run, the mean).
struct Measured {
  const char* card;
  const char* runs;
  double gemm_ms[3];                  // FP16 M x 12288 x 12288 at M = 64, 2048, 8192
  double bert_ms[6], bert_mj[6];      // BERT-base fused, the six sizes below
  double decode_ms[3], decode_mj[3];  // GPT-2 medium decode, batch 1, 16, 64
  double gemm8192_cubed_mj, copy_mj, copy_ms;
  double gemv_mj, gemm64_mj, layer_norm_mj;
};

constexpr Measured kH200{"h200_sxm_141gb",
                         "runs 1-4",
                         {0.07418, 0.98872, 3.66121},
                         {0.4467, 0.5267, 0.6389, 1.5868, 5.8396, 18.2128},
                         {120.05, 206.17, 382.50, 1125.95, 4185.22, 13196.16},
                         {0.98784, 1.36784, 2.63816},
                         {234.67, 493.06, 1335.71},
                         1204.35,
                         821.25,
                         1.54836,
                         49.37,
                         54.22,
                         65.75};
constexpr Measured kH100{"h100_sxm5_80gb",
                         "one run",
                         {0.10823, 0.99274, 3.61878},
                         {0.4337, 0.5321, 0.6767, 1.6538, 6.1995, 18.8722},
                         {126.20, 225.45, 419.50, 1165.39, 4394.06, 13566.47},
                         {1.00877, 1.53854, 3.34602},
                         {258.25, 607.47, 1734.77},
                         1188.31,
                         907.22,
                         1.75339,
                         57.29,
                         75.74,
                         67.44};

void measured_points(const Measured& d, std::vector<GpuValidationPoint>& points) {
  const GpuCard card = load_gpu_card(d.card, nullptr);
  const std::string gemms =
      fmt::format("this project ({}), PyTorch 2.11 cuBLAS FP16 GEMM in a CUDA graph", d.runs);
  const double ms[] = {64, 2048, 8192};
  for (int i = 0; i < 3; ++i) {
    const double m = ms[i], k = 12288, n = 12288, bytes = 2.0 * (k * n + m * k + m * n);
    double s = gpu_gemm_seconds(card, "fp16", m, k, n, 1, bytes);
    points.push_back({card.name, fmt::format("GEMM {:g}x12288x12288", m), gemms, "ms", d.gemm_ms[i],
                      s * 1e3, "calibration"});
  }
  // BERT-base in the fusion the fused mode assumes: GELU in the up projection's cuBLASLt
  // epilogue, each residual add with its layer norm one compiled kernel, flash attention.
  const std::string bert = fmt::format(
      "this project ({}), PyTorch 2.11 BERT-base FP16, fused as the model assumes, CUDA graph; "
      "energy from NVML while it runs back to back",
      d.runs);
  const std::pair<int, int> sizes[] = {{128, 1},  {384, 1},   {128, 8},
                                       {128, 32}, {128, 128}, {384, 128}};
  for (int i = 0; i < 6; ++i) {
    const auto [seq, batch] = sizes[i];
    GpuEvaluation e = evaluate_gpu(bert_base(seq, batch), card, GpuOptions{"fp16", true});
    const std::string name = fmt::format("BERT-base seq {} batch {}", seq, batch);
    points.push_back({card.name, name, bert, "ms", d.bert_ms[i], e.latency_s * 1e3, "check"});
    points.push_back({card.name, name, bert, "mJ", d.bert_mj[i], e.energy_j() * 1e3, "check"});
  }
  // GPT-2 medium, one decode step over a 1024-token KV cache: the weights and the cache stream
  // from HBM, the regime where the GPU is memory- and launch-bound.
  const std::string decode = fmt::format(
      "this project ({}), PyTorch 2.11 GPT-2 medium FP16 decode step, fused as the model "
      "assumes, CUDA graph; energy from NVML while it runs back to back",
      d.runs);
  const int batches[] = {1, 16, 64};
  for (int i = 0; i < 3; ++i) {
    WorkloadRequest r;
    r.phase = "decode";
    r.context = 1024;
    r.batch = batches[i];
    GpuEvaluation e = evaluate_gpu(build_transformer(find_workload("gpt2-medium"), r), card,
                                   GpuOptions{"fp16", true});
    const std::string name = fmt::format("GPT-2 medium decode batch {}", batches[i]);
    points.push_back({card.name, name, decode, "ms", d.decode_ms[i], e.latency_s * 1e3, "check"});
    points.push_back({card.name, name, decode, "mJ", d.decode_mj[i], e.energy_j() * 1e3, "check"});
  }
  // Board energy of single kernels run back to back.
  const std::string power =
      fmt::format("this project ({}), NVML energy over 5-8 s of back-to-back calls", d.runs);
  auto gemm_energy = [&](double m, double k, double n) {
    const double bytes = 2.0 * (k * n + m * k + m * n);
    return gpu_kernel_energy_j(card, m * k * n, bytes,
                               gpu_gemm_seconds(card, "fp16", m, k, n, 1, bytes));
  };
  // A copy and a layer norm as memory kernels (the norm's few operations per byte never bind).
  auto memory_seconds = [&](double bytes) { return gpu_memory_kernel_seconds(card, bytes, 0); };
  auto memory_energy = [&](double bytes) {
    return gpu_kernel_energy_j(card, 0, bytes, memory_seconds(bytes));
  };
  const double copy_bytes = 4.0 * 1024 * 1024 * 1024;  // 2 GiB read and 2 GiB written
  points.push_back({card.name, "GEMM 8192x8192x8192", power, "mJ", d.gemm8192_cubed_mj,
                    gemm_energy(8192, 8192, 8192) * 1e3, "calibration"});
  // The board figure per HBM bit comes from this copy at its measured time; the model times
  // the copy as weight streaming (see the copy's time below), so it charges less awake energy.
  points.push_back({card.name, "copy 2 GiB", power, "mJ", d.copy_mj,
                    memory_energy(copy_bytes) * 1e3, "calibration"});
  // Known limits: reads cost less per bit than the copy's mix of reads and writes; under the
  // power cap the clocks and voltage drop and every operation costs less; a layer norm's
  // reductions cost more per byte than streaming does; a copy's writes slow it.
  points.push_back({card.name, "GEMV 1x12288x12288 (reads)", power, "mJ", d.gemv_mj,
                    gemm_energy(1, 12288, 12288) * 1e3, "diagnostic"});
  points.push_back({card.name, "GEMM 64x12288x12288 (capped)", power, "mJ", d.gemm64_mj,
                    gemm_energy(64, 12288, 12288) * 1e3, "diagnostic"});
  const double ln_bytes = 2.0 * 2 * 49152 * 768;
  points.push_back({card.name, "layer norm 49152x768", power, "mJ", d.layer_norm_mj,
                    memory_energy(ln_bytes) * 1e3, "diagnostic"});
  points.push_back({card.name, "copy 2 GiB",
                    fmt::format("this project ({}), copy_ in a CUDA graph", d.runs), "ms",
                    d.copy_ms, memory_seconds(copy_bytes) * 1e3, "diagnostic"});
}

// INT8 GEMMs on the H200 (run 5: torch._int_mm, the K x N operand column-major).
void int8_points(std::vector<GpuValidationPoint>& points) {
  const GpuCard h200 = load_gpu_card("h200_sxm_141gb", nullptr);
  const char* source = "this project (run 5), PyTorch 2.11 torch._int_mm INT8 GEMM in a CUDA graph";
  for (auto [m, ms, role] :
       {std::tuple{64.0, 0.05743, "check"}, std::tuple{2048.0, 0.67287, "check"},
        std::tuple{8192.0, 2.67226, "calibration"}}) {
    const double k = 12288, n = 12288, bytes = k * n + m * k + 2.0 * m * n;
    points.push_back({h200.name, fmt::format("INT8 GEMM {:g}x12288x12288", m), source, "ms", ms,
                      gpu_gemm_seconds(h200, "int8", m, k, n, 1, bytes) * 1e3, role});
  }
}

}  // namespace

std::vector<GpuValidationPoint> validate_gpu_model() {
  std::vector<GpuValidationPoint> points;
  a100_points(points);
  measured_points(kH200, points);
  int8_points(points);
  measured_points(kH100, points);
  return points;
}

std::string gpu_validation_table(const std::vector<GpuValidationPoint>& points) {
  std::string s = fmt::format("{:<15} {:<29} {:>4} {:>11} {:>11} {:>8}  {:<4}  {}\n", "card",
                              "case", "unit", "measured", "modelled", "error", "band", "role");
  int outside = 0;
  for (const auto& p : points) {
    const char* band = !p.banded() ? "-" : p.in_band() ? "in" : "out";
    outside += p.banded() && !p.in_band();
    s += fmt::format("{:<15} {:<29} {:>4} {:>11.4g} {:>11.4g} {:>+7.1f}%  {:<4}  {}\n", p.card,
                     p.case_name, p.unit, p.measured, p.modelled, 100.0 * p.error(), band, p.role);
  }
  return s + (outside == 0 ? "every calibration and check point inside its band (+-25%)\n"
                           : fmt::format("{} point(s) outside their band (+-25%); "
                                         "docs/validation.md says why\n",
                                         outside));
}

}  // namespace cimsim
