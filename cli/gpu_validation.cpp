#include "cli/gpu_validation.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/gpu/gpu_model.hpp"

namespace cimsim {

std::vector<GpuValidationPoint> validate_gpu_model() {
  const GpuCard a100 = load_gpu_card("a100_sxm4_80gb", nullptr);
  std::vector<GpuValidationPoint> points;
  const char* trt = "NVIDIA TensorRT demoBERT README, A100-40GB, FP16, average latency";
  struct Bert {
    int seq, batch;
    double ms;
    bool calibration;
  };
  for (const Bert& b : {Bert{128, 1, 0.67, true}, Bert{128, 128, 16.1, false},
                        Bert{384, 1, 1.31, true}, Bert{384, 128, 51.3, false}}) {
    WorkloadRequest r;
    r.seq = b.seq;
    r.batch = b.batch;
    Workload w = build_transformer(find_workload("bert-base"), r);
    GpuEvaluation e = evaluate_gpu(w, a100, GpuOptions{"fp16", true});
    points.push_back({fmt::format("BERT-base seq {} batch {}", b.seq, b.batch), trt, b.ms,
                      e.latency_s * 1e3, b.calibration});
  }
  const char* llmcompass = "LLMCompass (Zhang et al., ISCA 2024) artifact, real A100 FP16 GEMM";
  for (auto [m, ms] : {std::pair{64.0, 0.190}, std::pair{2048.0, 2.36}}) {
    const double k = 12288, n = 12288;
    const double bytes = 2.0 * (k * n + m * k + m * n);
    double s = gpu_gemm_seconds(a100, "fp16", m, k, n, 1, bytes);
    points.push_back({fmt::format("GEMM {:g}x12288x12288", m), llmcompass, ms, s * 1e3, true});
  }
  return points;
}

std::string gpu_validation_table(const std::vector<GpuValidationPoint>& points) {
  std::string s = fmt::format("{:<28} {:>12} {:>12} {:>8}  {}\n", "case (A100-SXM4-80GB model)",
                              "measured ms", "modelled ms", "error", "role");
  for (const auto& p : points) {
    s += fmt::format("{:<28} {:>12.3f} {:>12.3f} {:>+7.1f}%  {}\n", p.case_name, p.measured_ms,
                     p.modelled_ms, 100.0 * p.error(), p.calibration ? "calibration" : "check");
  }
  return s;
}

}  // namespace cimsim
