#include <catch2/catch.hpp>

#include "models/workload/workload.hpp"

using namespace cimsim;

TEST_CASE("a YAML workload builds the same graph as a zoo entry of that shape", "[workload]") {
  TransformerShape s =
      find_workload(std::string(CIMSIM_SOURCE_DIR) + "/configs/workloads/tiny_decoder.yaml");
  CHECK(s.name == "tiny-decoder");
  CHECK(s.kv_heads == 2);
  WorkloadRequest r;
  r.seq = 8;
  Workload w = build_transformer(s, r);
  // Per layer: q, o 256x256; k, v 256x128 (2 KV heads of 64); gate, up, down 256x1024; LM head.
  const std::int64_t per_layer = 2 * 256 * 256 + 2 * 256 * 128 + 3 * 256 * 1024;
  CHECK(w.weight_parameters() == 2 * per_layer + 256 * 1000);
  CHECK(w.weight_macs() == 8 * 2 * per_layer + 1 * 256 * 1000);
  CHECK(w.dynamic_macs() == 2 * 2 * (4LL * 8 * 64 * 8));
}
