// Simulator speed of the SystemC replay of a mapping (hw/system): simulated transactions (rows
// sent by b_transport to tiles, vector units and the DRAM port; a tile forwards each to its
// arrays and ADC bank, two more calls, printed separately) per second of wall time, for
// BERT-base (sequence 128) on the default 4x4 chiplet package, batch 1 and 8, and per chiplet
// module its tiles and their busy time. SystemC elaborates once per process, so each
// configuration runs in a forked child.
//
//   cimsim_replay_bench                   all configurations
//   cimsim_replay_bench MODEL BATCH       one workload
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "bench/run_each_in_child.hpp"
#include "hw/system/chip_replay.hpp"
#include "models/arch/arch_spec.hpp"

namespace {

int run_one(const std::string& model, int batch) {
  using namespace cimsim;
  const ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  WorkloadRequest request;
  request.seq = 128;
  request.batch = batch;
  const Workload w = build_transformer(find_workload(model), request);
  const Mapping map = map_workload(arch, w);
  const CostTable costs = build_cost_table(arch);
  const auto t0 = std::chrono::steady_clock::now();
  ReplayOptions options;  // contention on, the package's routers
  options.mesh = MeshParams::from_arch(arch);
  const ChipReplayResult r = replay_in_systemc(w, map, costs, options);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "%s seq 128 batch %d: %llu transactions in %.4f s wall (whole replay call) = %.2f M/s; "
      "sc_start alone %.4f s = %.2f M/s; all b_transport calls incl. tile -> arrays/ADC bank "
      "%llu = %.2f M/s in sc_start; outside it (evaluation, elaboration, results) %.2f ms, "
      "module teardown %.2f ms; simulated latency %.4f us (analytical %.4f us); %llu packets "
      "through the routers, %llu of them unobstructed (booked whole), %.4f us beyond zero-load "
      "latency in all\n",
      model.c_str(), batch, static_cast<unsigned long long>(r.transactions), wall,
      r.transactions / wall / 1e6, r.sim_wall_s, r.transactions / r.sim_wall_s / 1e6,
      static_cast<unsigned long long>(r.component_transactions),
      r.component_transactions / r.sim_wall_s / 1e6, (r.wall_s - r.sim_wall_s) * 1e3,
      (wall - r.wall_s) * 1e3, r.latency_s * 1e6, r.analytical_latency_s * 1e6,
      static_cast<unsigned long long>(r.mesh_packets),
      static_cast<unsigned long long>(r.mesh_packets_at_once), r.mesh_excess_s * 1e6);
  // Per chiplet module: tiles placed on it, their arrays' busy time summed, its vector unit's.
  std::printf("  %zu chiplet modules (tiles, arrays busy us, vector unit busy us):",
              r.chiplets.size());
  for (const ChipletUse& c : r.chiplets) {
    std::printf(" %s %d %.1f %.1f;", c.name.c_str(), c.tiles, c.array_busy_s * 1e6,
                c.vector_unit_busy_s * 1e6);
  }
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3) return run_one(argv[1], std::atoi(argv[2]));
  const std::vector<std::pair<std::string, int>> configs = {{"bert-base", 1}, {"bert-base", 8}};
  return cimsim::bench::run_each_in_child(
      configs, [](const std::pair<std::string, int>& c) { return run_one(c.first, c.second); });
}
