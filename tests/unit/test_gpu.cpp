#include <catch2/catch.hpp>
#include <cmath>

#include "cli/gpu_validation.hpp"
#include "models/gpu/gpu_model.hpp"

using namespace cimsim;

namespace {
Workload bert(int seq, int batch) {
  WorkloadRequest r;
  r.seq = seq;
  r.batch = batch;
  return build_transformer(find_workload("bert-base"), r);
}
}  // namespace

TEST_CASE("the GPU model is within 25% of every published A100 measurement", "[gpu][validation]") {
  for (const auto& p : validate_gpu_model()) {
    INFO(p.case_name << ": measured " << p.measured_ms << " ms, modelled " << p.modelled_ms
                     << " ms");
    CHECK(std::fabs(p.error()) <= 0.25);
  }
}

TEST_CASE("a large GEMM is a roofline with the card's efficiency", "[gpu]") {
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  const double m = 4096, k = 4096, n = 4096, bytes = 2.0 * (k * n + m * k + m * n);
  // M above gemm_saturation_tokens: compute-bound at 0.84 of 312 TFLOPS, plus one kernel overhead.
  CHECK(gpu_gemm_seconds(a100, "fp16", m, k, n, 1, bytes) ==
        Approx(2.0 * m * k * n / (312e12 * 0.84) + 5e-6).epsilon(1e-12));
  // A single token row is bound by streaming the weights at 0.8 of 2039 GB/s.
  CHECK(gpu_gemm_seconds(a100, "fp16", 1, k, n, 1, 2.0 * k * n) ==
        Approx(2.0 * k * n / (2039e9 * 0.8) + 5e-6).epsilon(1e-12));
}

TEST_CASE("fusion: one GEMM for Q, K and V, one attention kernel, elementwise ops folded",
          "[gpu]") {
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  Workload w = bert(128, 1);
  // Embedding gather, then per layer: QKV, attention, O, norm, FFN up, FFN down, norm.
  CHECK(evaluate_gpu(w, a100, {"fp16", true}).kernels == 1 + 12 * 7);
  CHECK(evaluate_gpu(w, a100, {"fp16", false}).kernels == static_cast<int>(w.ops.size()));
  CHECK(w.ops.size() == 1 + 12 * 14);
}

TEST_CASE("GPU energy adds up from its parts and its static power is derived from TDP", "[gpu]") {
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  GpuEvaluation e = evaluate_gpu(bert(128, 8), a100, {"int8", true});
  CHECK(e.energy_j() == Approx(e.compute_j + e.on_chip_j + e.hbm_j + e.static_j));
  CHECK(e.hbm_j == Approx(e.hbm_bytes * 8 * 3.97e-12).epsilon(1e-12));
  CHECK(e.static_j == Approx(e.static_power_w * e.latency_s).epsilon(1e-12));
  CHECK(e.static_power_w > 0);
  CHECK(e.static_power_w < 400);
  CHECK(e.data_movement_fraction() > 0.5);  // operands and HBM outweigh the arithmetic
}

TEST_CASE("a model that does not fit one GPU is split over the fewest that hold it", "[gpu]") {
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  WorkloadRequest r;
  r.phase = "decode";
  r.context = 4096;
  r.batch = 64;
  Workload w = build_transformer(find_workload("llama2-7b"), r);
  GpuEvaluation e = evaluate_gpu(w, a100, {"fp16", true});
  // FP16 weights 13.2 GB plus a KV cache of 2 x 32 layers x 4096 x 4097 tokens x 64 x 2 B.
  const double kv = 2.0 * 32 * 32 * 128 * 4097 * 64 * 2;
  CHECK(e.memory_needed_bytes > w.weight_parameters() * 2.0 + kv);
  CHECK(e.gpus == static_cast<int>(std::ceil(e.memory_needed_bytes / 80e9)));
  CHECK(e.gpus == 2);
  WorkloadRequest small = r;
  small.batch = 1;
  CHECK(evaluate_gpu(build_transformer(find_workload("llama2-7b"), small), a100, {"fp16", true})
            .gpus == 1);
}

TEST_CASE("unknown GPU cards are user errors with a hint", "[gpu]") {
  REQUIRE_THROWS_WITH(
      load_gpu_card("A100-SXM4-80G", nullptr),
      Catch::Contains("unknown GPU 'A100-SXM4-80G' (did you mean 'a100_sxm4_80gb'?)"));
}
