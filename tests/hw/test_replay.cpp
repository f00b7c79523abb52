// The SystemC replay of a mapping against the analytical evaluator. Each TEST_CASE runs in its
// own process (SystemC elaborates once).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <utility>

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
  // Every remote input's bits cross `hops` links and `hops + 1` routers: the busy time the
  // replay books on links and routers adds up to the closed form.
  double link_s = 0, router_s = 0;
  for (size_t i = 0; i < c.workload.ops.size(); ++i) {
    for (int src : c.workload.ops[i].inputs) {
      const int from = c.mapping.op_chiplet[src], to = c.mapping.op_chiplet[i];
      if (from == to) continue;
      const double s = static_cast<double>(c.workload.ops[src].output_elements) *
                       c.costs.activation_bits / c.costs.link_bandwidth_bps;
      link_s += s * c.mapping.hops(from, to);
      router_s += s * (c.mapping.hops(from, to) + 1);
    }
  }
  double link_busy = 0, router_busy = 0;
  for (const auto& l : r.links) link_busy += l.utilization * r.latency_s;
  REQUIRE(r.routers.size() == c.mapping.chiplet_position.size());
  for (const auto& u : r.routers) {
    CHECK(u.utilization >= 0.0);
    CHECK(u.utilization <= 1.0 + 1e-9);
    router_busy += u.utilization * u.output_ports * r.latency_s;
  }
  CHECK(link_busy == Approx(link_s).epsilon(1e-6));
  CHECK(router_busy == Approx(router_s).epsilon(1e-6));
}

TEST_CASE("replay of weights that do not fit: sequential ops and reprogramming, as the closed form",
          "[replay]") {
  Case c = make("reram_chiplets.yaml", "gpt2-small", WorkloadRequest{});
  REQUIRE_FALSE(c.mapping.fits);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/true);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
}

namespace {

// Runs the replay in a forked child (SystemC elaborates once per process) and returns its
// latency and transaction count.
std::pair<double, std::uint64_t> replay_in_child(const Case& c, const ReplayOptions& options) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    const ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, options);
    const std::pair<double, std::uint64_t> out{r.latency_s, r.transactions};
    const bool ok = write(fds[1], &out, sizeof(out)) == sizeof(out);
    close(fds[1]);
    std::_Exit(ok ? 0 : 1);
  }
  close(fds[1]);
  std::pair<double, std::uint64_t> out{0, 0};
  const bool got = read(fds[0], &out, sizeof(out)) == sizeof(out);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(got);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

}  // namespace

TEST_CASE("replay with contention does not depend on the quantum", "[replay]") {
  // The dispatcher issues rows in time order however far it runs ahead, so a kernel sync on
  // every step (quantum 0) and one per millisecond give the same contended latency, exactly.
  WorkloadRequest r2;
  r2.seq = 128;
  r2.batch = 2;
  Case c = make("reram_chiplets.yaml", "bert-base", r2);
  ReplayOptions every_step;
  every_step.quantum_s = 0;
  ReplayOptions coarse;
  coarse.quantum_s = 1e-3;
  const auto a = replay_in_child(c, every_step);
  const auto b = replay_in_child(c, coarse);
  CHECK(a.second == b.second);
  CHECK(a.first == b.first);
  CHECK(a.first > c.analytical.latency_s);  // the vector units are shared: contention adds
}
