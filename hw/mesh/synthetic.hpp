// The mesh alone under synthetic traffic: the entry point of `cimsim` mesh runs.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "hw/mesh/mesh.hpp"

namespace cimsim {

struct MeshSyntheticOptions {
  MeshParams mesh;  // MeshParams::from_arch(arch), or defaults; mesh.k_x, mesh.k_y set the size
  std::string pattern = "uniform";              // uniform | transpose | hotspot
  std::vector<double> injection_rates = {0.1};  // flits/node/cycle; several = a sweep
  int packet_flits = 4;
  double hotspot_fraction = 0.2;
  int hotspot_node = -1;  // -1 = centre
  std::uint64_t warmup_cycles = 2000;
  std::uint64_t measure_cycles = 10000;
  std::uint64_t drain_cycles_max = 20000;  // at least; long hops get four longest-route T0s
  std::uint64_t seed = 1;
  // Link utilization CSV (write_link_utilization_csv). With several rates, one file per rate:
  // "dir/name.csv" becomes "dir/name.rate0.3000.csv". Empty: none.
  std::string csv_path;
};

// The CSV path of `rate`, one of `rates`: `path` itself when only one rate runs, else
// "name.rate0.3000.csv", with more decimals where four do not tell the rates apart.
std::string csv_path_for_rate(const std::string& path, const std::vector<double>& rates,
                              double rate);

// Elaborates one mesh and runs every rate in one process (each rate: reset, warm-up, measure,
// drain), printing the parameters, the theory and one table row per rate. Call at most once per
// process (SystemC elaborates once). Returns 0; bad options throw UserError. If `results` is not
// null it receives the statistics of each rate.
int run_mesh_synthetic(const MeshSyntheticOptions& options, std::ostream& out,
                       std::vector<MeshStats>* results = nullptr);

}  // namespace cimsim
