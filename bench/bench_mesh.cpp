// Simulator speed of the SystemC chiplet mesh (hw/mesh): simulated flits and packets per second
// of wall time, uniform random traffic on 4x4 and 8x8 meshes at a moderate and a high load.
// SystemC elaborates once per process, so each configuration runs in a forked child.
//
//   cimsim_mesh_bench            all configurations
//   cimsim_mesh_bench K RATE     one k x k mesh at RATE flits/node/cycle
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "bench/run_each_in_child.hpp"
#include "hw/mesh/mesh.hpp"

namespace {

int run_one(int k, double rate) {
  cimsim::MeshParams p;
  p.k_x = p.k_y = k;
  cimsim::MeshSimulation sim(p);
  cimsim::MeshRunSpec spec;
  spec.traffic.injection_rate = rate;
  spec.traffic.packet_flits = 4;
  spec.warmup_cycles = 2000;
  spec.measure_cycles = k <= 4 ? 200000 : 50000;
  spec.drain_cycles_max = 20000;
  const auto t0 = std::chrono::steady_clock::now();
  const cimsim::MeshStats s = sim.run(spec);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "%dx%d uniform rate %.2f: %llu cycles in %.3f s wall = %.0f cycles/s; %.3g flits/s, "
      "%.3g packets/s simulated; mean latency %.2f cycles\n",
      k, k, rate, static_cast<unsigned long long>(s.cycles_simulated), wall,
      s.cycles_simulated / wall, s.total_flits_ejected / wall, s.total_packets_ejected / wall,
      s.mean_latency_cycles);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3) return run_one(std::atoi(argv[1]), std::atof(argv[2]));
  const std::vector<std::pair<int, double>> configs = {{4, 0.3}, {4, 0.6}, {8, 0.2}, {8, 0.35}};
  return cimsim::bench::run_each_in_child(
      configs, [](const std::pair<int, double>& c) { return run_one(c.first, c.second); });
}
