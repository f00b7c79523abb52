#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <string>

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

TEST_CASE(
    "the GPU model is within 25% of every measured A100, H100 and H200 figure it is "
    "checked on, but the two known to be out",
    "[gpu][validation]") {
  // Two are known to be out (docs/validation.md): the H100's BERT-base seq 384 batch 1 energy
  // (-25.7%; the model's energy is low at small batch on both Hopper cards) and the H200's INT8
  // GEMM at M = 64 (-27.9%; cuBLASLt's small-M INT8 kernel is slower than the fill factor, fitted
  // on FP16, predicts). A point that leaves its band, or one of these coming back, fails here.
  const std::set<std::string> known_out = {"H100-SXM5-80GB BERT-base seq 384 batch 1 mJ",
                                           "H200-SXM-141GB INT8 GEMM 64x12288x12288 ms"};
  int banded = 0;
  for (const auto& p : validate_gpu_model()) {
    if (!p.banded()) continue;
    ++banded;
    const std::string id = p.card + " " + p.case_name + " " + p.unit;
    INFO(id << ": measured " << p.measured << ", modelled " << p.modelled);
    CHECK(p.in_band() != (known_out.count(id) == 1));
    CHECK(p.in_band() == (std::fabs(p.error()) <= 0.25));
  }
  CHECK(banded == 55);
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

TEST_CASE("GPU energy adds up from its parts, and the board energies are the card's", "[gpu]") {
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  Workload w = bert(128, 1);
  GpuEvaluation e = evaluate_gpu(w, a100, {"fp16", true});
  CHECK(e.energy_j() == Approx(e.compute_j + e.on_chip_j + e.hbm_j + e.compute_overhead_j +
                               e.transfer_overhead_j + e.awake_j));
  CHECK(e.hbm_j == Approx(e.hbm_bytes * 8 * 3.97e-12).epsilon(1e-12));
  CHECK(e.awake_j == Approx(54.6 * e.latency_s).epsilon(1e-12));
  // At FP16 every MAC costs the card's board energy and every HBM bit its board energy; the rest
  // is the vector work (norms, softmax, GELU: 73 159 680 operations, docs/gpu-model.md section
  // 6), each an FP16 FMA of 1.5 pJ at 45 nm, 0.9 V scaled to 7 nm, 0.75 V.
  const double board =
      static_cast<double>(w.total_macs()) * 2.383e-12 + e.hbm_bytes * 8 * 24.26e-12;
  const double fma16 = 1.5e-12 * 7.0 / 45.0 * (0.75 / 0.9) * (0.75 / 0.9);
  CHECK(e.dynamic_j() - board == Approx(73159680.0 * fma16).epsilon(1e-6));
}

TEST_CASE("an INT8 MAC carries half the FP16 overhead; attention stays FP16, fused or not",
          "[gpu]") {
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  Workload w = bert(128, 8);
  const GpuNamedEnergy named = gpu_named_energy(a100);
  const double overhead = 2.383e-12 - named.fp16_mac_j;
  const double attention = static_cast<double>(w.dynamic_macs());
  const double weight = static_cast<double>(w.weight_macs());
  for (bool fused : {true, false}) {
    INFO("fused " << fused);
    GpuEvaluation i8 = evaluate_gpu(w, a100, {"int8", fused});
    CHECK(i8.compute_overhead_j ==
          Approx(weight * overhead / 2 + attention * overhead).epsilon(1e-9));
    GpuEvaluation f16 = evaluate_gpu(w, a100, {"fp16", fused});
    CHECK(f16.compute_overhead_j == Approx((weight + attention) * overhead).epsilon(1e-9));
  }
}

TEST_CASE("an INT8 GEMM runs at the card's INT8 efficiency", "[gpu]") {
  GpuCard h200 = load_gpu_card("H200-SXM-141GB", nullptr);
  const double m = 8192, k = 12288, n = 12288, bytes = k * n + m * k + 2.0 * m * n;
  // The tile overhead of 128 FP16 K elements takes the same time in INT8: at the INT8 achieved
  // rate, 128 x (1979 x 0.475) / (989.4 x 0.69) elements (177).
  const double int8_overhead = 128 * (1979 * 0.475) / (989.4 * 0.69);
  CHECK(gpu_gemm_seconds(h200, "int8", m, k, n, 1, bytes) ==
        Approx(2.0 * m * k * n / (1979e12 * 0.475 * k / (k + int8_overhead)) + 4.0e-6)
            .epsilon(1e-12));
}

TEST_CASE("a shallow GEMM spreads each tile's fixed work over less depth", "[gpu]") {
  GpuCard h200 = load_gpu_card("H200-SXM-141GB", nullptr);
  REQUIRE(h200.gemm_k_overhead == 128);
  // BERT-base's projection at batch 128 (M = 16384, K = 768): compute-bound, past saturation.
  const double m = 16384, k = 768, n = 768, bytes = 2.0 * (k * n + m * k + m * n);
  CHECK(gpu_gemm_depth_factor(h200, "fp16", k) == Approx(768.0 / 896.0).epsilon(1e-15));
  CHECK(gpu_gemm_seconds(h200, "fp16", m, k, n, 1, bytes) ==
        Approx(2.0 * m * k * n / (989.4e12 * 0.69 * 768.0 / 896.0) + 4.0e-6).epsilon(1e-12));
  // The fused attention kernel accumulates over every key: its d_head is not its depth.
  const double few_bytes = 1.0;  // compute-bound whatever the depth
  CHECK(gpu_gemm_seconds(h200, "fp16", m, 64, n, 1, few_bytes, GemmDepth::unbounded) ==
        Approx(2.0 * m * 64 * n / (989.4e12 * 0.69) + 4.0e-6).epsilon(1e-12));
  // A card without the overhead (the A100's, not measured) keeps its rate at any depth.
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  CHECK(gpu_gemm_depth_factor(a100, "int8", 64) == 1.0);
}

TEST_CASE("the A100 at its calibration GEMM draws its TDP, as derived", "[gpu]") {
  // fit_card.py derives the A100's awake power so that LLMCompass's 2048x12288x12288 GEMM draws
  // the 400 W TDP at its measured 2.36 ms; at the model's own time for it (2.365 ms, +0.2%) the
  // model's power is within that of the limit.
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  const double m = 2048, k = 12288, n = 12288, bytes = 2.0 * (k * n + m * k + m * n);
  const double seconds = gpu_gemm_seconds(a100, "fp16", m, k, n, 1, bytes);
  const double joules = gpu_kernel_energy_j(a100, m * k * n, bytes, seconds);
  CHECK(joules / seconds == Approx(a100.tdp.si).epsilon(0.003));
}

namespace {
// A complete card (the H200's values) with one line replaced.
std::string card_text(const std::string& key, const std::string& value) {
  std::string text =
      "name: x\nnode: {value: 5nm, source: s}\nsupply_voltage: {value: 0.75V, source: s}\n"
      "tensor_fp16_tflops: {value: 989.4, source: s}\ntensor_int8_tops: {value: 1979, source: s}\n"
      "vector_fp32_tflops: {value: 67, source: s}\nsms: {value: 132, source: s}\n"
      "clock: {value: 1.98GHz, source: s}\nhbm_capacity: {value: 141GB, source: s}\n"
      "hbm_bandwidth: {value: 4800GB/s, source: s}\n"
      "hbm_energy_per_bit: {value: 3.97pJ/bit, source: s}\nl2_size: {value: 60MiB, source: s}\n"
      "register_file_per_sm: {value: 256KiB, source: s}\n"
      "shared_memory_per_sm: {value: 228KiB, source: s}\n"
      "nvlink_bandwidth: {value: 900GB/s, source: s}\ntdp: {value: 700W, source: s}\n"
      "gemm_efficiency: {value: 0.683, source: s}\n"
      "gemm_saturation_tokens: {value: 280, source: s}\n"
      "gemm_efficiency_floor: {value: 0.74, source: s}\n"
      "gemm_k_overhead: {value: 128, source: s}\n"
      "memory_efficiency: {value: 0.857, source: s}\n"
      "int8_gemm_efficiency: {value: 0.468, source: s}\n"
      "kernel_overhead: {value: 4.1us, source: s}\nawake_power: {value: 120.5W, source: s}\n"
      "board_energy_per_mac: {value: 1.702pJ, source: s}\n"
      "board_energy_per_hbm_bit: {value: 18.46pJ/bit, source: s}\n";
  const auto at = text.find(key + ": ");
  const auto end = text.find('\n', at);
  return text.replace(at, end - at, key + ": {value: " + value + ", source: s}");
}
GpuCard parse_card(const std::string& text) {
  return parse_gpu_card(ConfigNode::load_string(text, "card.yaml", nullptr, true));
}
}  // namespace

TEST_CASE("a card whose board figures are impossible is refused at its line", "[gpu]") {
  CHECK(parse_card(card_text("tdp", "700W")).awake_power.si == 120.5);
  REQUIRE_THROWS_WITH(parse_card(card_text("board_energy_per_mac", "0.2pJ")),
                      Catch::Contains("card.yaml:25") && Catch::Contains("board_energy_per_mac") &&
                          Catch::Contains("below the 0.333 pJ"));
  REQUIRE_THROWS_WITH(parse_card(card_text("board_energy_per_hbm_bit", "5pJ/bit")),
                      Catch::Contains("card.yaml:26") &&
                          Catch::Contains("board_energy_per_hbm_bit") &&
                          Catch::Contains("below the 5.66 pJ/bit"));
  REQUIRE_THROWS_WITH(parse_card(card_text("awake_power", "700W")),
                      Catch::Contains("card.yaml:24") && Catch::Contains("awake_power") &&
                          Catch::Contains("must be below the TDP (700 W)"));
  // Board energies that would draw over twice the TDP at the peak rates:
  // 1.702 pJ x 494.7 T MACs/s = 842 W passes; 3 pJ (1484 W) does not. 18.46 pJ/bit x 38.4 Tbit/s
  // = 709 W passes; 40 pJ/bit (1536 W) does not.
  // INT8 below FP16 is a real card (V100: no INT8 tensor path), not an error.
  CHECK(parse_card(card_text("tensor_int8_tops", "62")).tensor_int8_ops == 62e12);
  REQUIRE_THROWS_WITH(parse_card(card_text("board_energy_per_mac", "3pJ")),
                      Catch::Contains("card.yaml:25") &&
                          Catch::Contains("MACs alone would draw 1484 W, over twice the TDP"));
  REQUIRE_THROWS_WITH(parse_card(card_text("board_energy_per_hbm_bit", "40pJ/bit")),
                      Catch::Contains("card.yaml:26") &&
                          Catch::Contains("traffic alone would draw 1536 W, over twice the TDP"));
}

TEST_CASE("a missing card key is reported, not blamed on a neighbour it resembles", "[gpu]") {
  // gemm_k_overhead missing: kernel_overhead, read later, is one edit away from it.
  std::string text = card_text("tdp", "700W");
  text.erase(text.find("gemm_k_overhead"),
             text.find('\n', text.find("gemm_k_overhead")) - text.find("gemm_k_overhead") + 1);
  REQUIRE_THROWS_WITH(parse_card(text), Catch::Contains("missing required key 'gemm_k_overhead'") &&
                                            !Catch::Contains("unknown key 'kernel_overhead'"));
}

TEST_CASE("a card's rates start at one unit, so its times stay finite", "[gpu]") {
  REQUIRE_THROWS_WITH(parse_card(card_text("hbm_bandwidth", "1e-300bit/s")),
                      Catch::Contains("card.yaml:10") && Catch::Contains("'hbm_bandwidth'") &&
                          Catch::Contains("at least 0.125B/s"));
  REQUIRE_THROWS_WITH(parse_card(card_text("nvlink_bandwidth", "1e-300bit/s")),
                      Catch::Contains("card.yaml:15") && Catch::Contains("'nvlink_bandwidth'"));
  REQUIRE_THROWS_WITH(parse_card(card_text("clock", "1e-300Hz")),
                      Catch::Contains("'clock'") && Catch::Contains("at least 1Hz"));
  CHECK(parse_card(card_text("hbm_bandwidth", "1bit/s")).hbm_bandwidth.si == 1.0);
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

TEST_CASE("GPU memory: no cache for an encoder, no score matrix when fused, whole heads per GPU",
          "[gpu]") {
  GpuCard a100 = load_gpu_card("A100-SXM4-80GB", nullptr);
  // BERT-base seq 128: FP16 weights plus the largest activation (the FFN's 128 x 3072), with no
  // KV cache (it was 12 layers x 2 x 128 x 768 x 2 B = 4.72 MB more).
  WorkloadRequest r;
  r.seq = 128;
  Workload bert = build_transformer(find_workload("bert-base"), r);
  CHECK(evaluate_gpu(bert, a100, {"fp16", true}).memory_needed_bytes ==
        Approx(bert.weight_parameters() * 2.0 + 128.0 * 3072 * 2));
  // At seq 65536 the scores are 12 x 65536^2 x 2 B = 103 GB: written unfused (two GPUs, whole
  // heads), never written fused (one GPU).
  r.seq = 65536;
  Workload long_bert = build_transformer(find_workload("bert-base"), r);
  const GpuEvaluation fused = evaluate_gpu(long_bert, a100, {"fp16", true});
  const GpuEvaluation unfused = evaluate_gpu(long_bert, a100, {"fp16", false});
  CHECK(fused.gpus == 1);
  CHECK(fused.memory_needed_bytes < 80e9);
  CHECK(unfused.memory_needed_bytes > 12.0 * 65536 * 65536 * 2);
  CHECK(unfused.gpus == 2);
  // Llama-2-7B decode at context 4096: batch 220 needs 7 GPUs' memory, so 8, a divisor of its 32
  // heads; past 32 GPUs no count gives whole heads, and the even split is flagged.
  WorkloadRequest d;
  d.phase = "decode";
  d.context = 4096;
  d.batch = 220;
  const GpuEvaluation e =
      evaluate_gpu(build_transformer(find_workload("llama2-7b"), d), a100, {"fp16", true});
  CHECK(std::ceil(e.memory_needed_bytes / 80e9) == 7);
  CHECK(e.gpus == 8);
  CHECK(e.whole_heads);
  d.batch = 2048;
  const GpuEvaluation past =
      evaluate_gpu(build_transformer(find_workload("llama2-7b"), d), a100, {"fp16", true});
  CHECK_FALSE(past.whole_heads);
  CHECK(past.gpus == static_cast<int>(std::ceil(past.memory_needed_bytes / 80e9)));
  // Llama-3-8B (32 heads, 8 KV heads) at context 1M, batch 2: the cache is 275 GB, so 4 GPUs,
  // two KV heads (69 GB) and a quarter of the 16 GB of weights each; at batch 8 one KV head's
  // cache alone (137 GB) holds on no GPU.
  WorkloadRequest g;
  g.phase = "decode";
  g.context = 1 << 20;
  g.batch = 2;
  const GpuEvaluation gqa =
      evaluate_gpu(build_transformer(find_workload("llama3-8b"), g), a100, {"fp16", true});
  CHECK(gqa.whole_heads);
  CHECK(gqa.gpus == 4);
  g.batch = 8;
  CHECK_FALSE(evaluate_gpu(build_transformer(find_workload("llama3-8b"), g), a100, {"fp16", true})
                  .whole_heads);
}

TEST_CASE("unknown GPU cards are user errors with a hint", "[gpu]") {
  REQUIRE_THROWS_WITH(
      load_gpu_card("A100-SXM4-80G", nullptr),
      Catch::Contains("unknown GPU 'A100-SXM4-80G' (did you mean 'A100-SXM4-80GB'?)"));
  // A prefix is a near miss too, and the list names cards as --gpu takes them.
  REQUIRE_THROWS_WITH(load_gpu_card("A100", nullptr),
                      Catch::Contains("(did you mean 'A100-SXM4-80GB'?)") &&
                          Catch::Contains("A100-SXM4-80GB, H100-SXM5-80GB, H200-SXM-141GB"));
}
