#include <catch2/catch.hpp>

#include "models/core/error.hpp"
#include "models/workload/workload.hpp"

using namespace cimsim;

namespace {
Workload prefill(const std::string& name, int seq, int batch = 1) {
  WorkloadRequest r;
  r.seq = seq;
  r.batch = batch;
  return build_transformer(find_workload(name), r);
}
}  // namespace

TEST_CASE("BERT-base at sequence 128 has the published MAC counts", "[workload]") {
  Workload w = prefill("bert-base", 128);
  CHECK(w.weight_macs() == 10'871'635'968LL);
  CHECK(w.dynamic_macs() == 301'989'888LL);
  CHECK(w.total_macs() == 11'173'625'856LL);
  CHECK(w.weight_parameters() == 84'934'656LL);  // 12 x (4 x 768^2 + 2 x 768 x 3072)
}

TEST_CASE("decoder weight counts match the published model sizes", "[workload]") {
  // GPT-2 small: 124M parameters = 85.0M in blocks + 38.6M tied embedding/LM head + biases etc.
  CHECK(prefill("gpt2-small", 16).weight_parameters() == 84'934'656LL + 768LL * 50257);
  // Llama-2-7B: 32 x (4 x 4096^2 + 3 x 4096 x 11008) + LM head 4096 x 32000; with the input
  // embedding (another 131M) this is the published 6.74B.
  CHECK(prefill("llama2-7b", 16).weight_parameters() == 6'476'005'376LL + 131'072'000LL);
  // Llama-3-8B: grouped-query attention shrinks K and V to 8 x 128 columns.
  CHECK(prefill("llama3-8b", 16).weight_parameters() ==
        32LL * (2 * 4096LL * 4096 + 2 * 4096LL * 1024 + 3 * 4096LL * 14336) + 4096LL * 128256);
}

TEST_CASE("decode attends over the KV cache", "[workload]") {
  WorkloadRequest r;
  r.phase = "decode";
  r.context = 512;
  r.batch = 2;
  Workload w = build_transformer(find_workload("llama2-7b"), r);
  // Per layer and sequence: QK^T and AV each 32 heads x 1 x 128 x 513.
  CHECK(w.dynamic_macs() == 2LL * 32 * 2 * (32LL * 128 * 513));
  // Every weight is used once per generated token per sequence.
  CHECK(w.weight_macs() == 2 * w.weight_parameters());
}

TEST_CASE("ViT-B/16 projects 196 patches and classifies the class token", "[workload]") {
  Workload w = prefill("vit-b16", 197);
  const Op& patch = w.ops[1];
  CHECK(patch.name == "patch_embed");
  CHECK(patch.m == 196);
  CHECK(patch.k == 768);
  CHECK(w.ops.back().name == "classifier");
  CHECK(w.ops.back().m == 1);
}

TEST_CASE("unknown workloads are user errors with a hint", "[workload]") {
  REQUIRE_THROWS_WITH(find_workload("bert-bsae"),
                      Catch::Contains("unknown workload 'bert-bsae' (did you mean 'bert-base'?)"));
}
