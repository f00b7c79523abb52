// The SystemC replay of a mapping against the analytical evaluator. Each TEST_CASE runs in its
// own process (SystemC elaborates once).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "hw/system/chip_replay.hpp"
#include "models/arch/arch_spec.hpp"

using namespace cimsim;

namespace {

struct Case {
  ArchSpec arch;
  Workload workload;
  Mapping mapping;
  CostTable costs;
  Evaluation analytical;
};

Case make(const std::string& arch_file, const std::string& model, WorkloadRequest request) {
  Case c;
  c.arch = load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/" + arch_file, nullptr);
  c.workload = build_transformer(find_workload(model), request);
  c.mapping = map_workload(c.arch, c.workload);
  c.costs = build_cost_table(c.arch);
  Workspace ws;
  c.analytical = evaluate(c.workload, c.mapping, c.costs, ws);
  return c;
}

void check_counts(const ActionCounts& simulated, const ActionCounts& analytical) {
  for (int a = 0; a < kNumActions; ++a) {
    INFO(action_name(static_cast<Action>(a)));
    CHECK(simulated.count[a] == analytical.count[a]);
  }
}

}  // namespace

TEST_CASE("replay without contention: same counts, same latency as the closed form", "[replay]") {
  Case c = make("reram_chiplets.yaml", "bert-base", WorkloadRequest{});
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/false);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
  CHECK(r.analytical_latency_s == c.analytical.latency_s);
}

TEST_CASE("replay with shared vector units: same counts, contention only adds latency",
          "[replay]") {
  WorkloadRequest r4;
  r4.seq = 128;
  r4.batch = 4;
  Case c = make("reram_chiplets.yaml", "bert-base", r4);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/true);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s >= c.analytical.latency_s * (1 - 1e-9));
  for (double u : r.vector_unit_utilization) CHECK(u <= 1.0 + 1e-9);
  // BERT-base spans 14 chiplets in snake order: activations cross links between them.
  REQUIRE_FALSE(r.links.empty());
  for (const auto& l : r.links) {
    CHECK(l.utilization > 0.0);
    CHECK(l.utilization <= 1.0 + 1e-9);
    CHECK(std::abs(l.to_x - l.from_x) + std::abs(l.to_y - l.from_y) == 1);
  }
}

TEST_CASE("replay of weights that do not fit: sequential ops and reprogramming, as the closed form",
          "[replay]") {
  Case c = make("reram_chiplets.yaml", "gpt2-small", WorkloadRequest{});
  REQUIRE_FALSE(c.mapping.fits);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/true);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
}
