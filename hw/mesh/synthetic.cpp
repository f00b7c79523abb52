#include "hw/mesh/synthetic.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "hw/mesh/report.hpp"
#include "models/core/error.hpp"

namespace cimsim {

std::string csv_path_for_rate(const std::string& path, double rate, bool sweep) {
  if (!sweep) return path;
  std::filesystem::path p(path);
  const std::string ext = p.has_extension() ? p.extension().string() : std::string(".csv");
  p.replace_extension();
  return p.string() + fmt::format(".rate{:.4f}", rate) + ext;
}

int run_mesh_synthetic(const MeshSyntheticOptions& o, std::ostream& out,
                       std::vector<MeshStats>* results) {
  o.mesh.validate();
  TrafficSpec traffic;
  traffic.pattern = parse_traffic_pattern(o.pattern);
  traffic.packet_flits = o.packet_flits;
  traffic.hotspot_fraction = o.hotspot_fraction;
  traffic.hotspot_node = o.hotspot_node;
  if (o.injection_rates.empty()) throw UserError("error: mesh: give at least one injection rate");
  for (double r : o.injection_rates) {
    traffic.injection_rate = r;
    traffic.validate(o.mesh.k_x, o.mesh.k_y);
  }

  const MeshParams& p = o.mesh;
  const double hops = expected_mean_hops(traffic, p.k_x, p.k_y);
  out << fmt::format(
      "mesh {}x{}, XY routing, wormhole, {} flit buffers, router {} cycles, link {} cycles, "
      "{}-bit flits at {:g} GHz ({:g} Gb/s per link), {:g} pJ/bit\n",
      p.k_x, p.k_y, p.buffer_depth_flits, p.router_cycles, p.link_cycles, p.flit_bits,
      p.clock_hz * 1e-9, p.link_bandwidth_bits_per_s() * 1e-9, p.energy_per_bit_j * 1e12);
  out << fmt::format(
      "traffic {}, {}-flit packets, Bernoulli injection, seed {}; warm-up {} cycles, window {} "
      "cycles\n",
      o.pattern, o.packet_flits, o.seed, o.warmup_cycles, o.measure_cycles);
  out << fmt::format(
      "theory: mean hops {:.4f} (this pattern, exact); zero-load latency {:.2f} "
      "cycles; ideal saturation {:.4f} flits/node/cycle (XY channel load)\n",
      hops, mesh_zero_load_latency(p, hops, o.packet_flits),
      ideal_saturation_rate(traffic, p.k_x, p.k_y));
  if (traffic.pattern == TrafficPattern::uniform)
    out << fmt::format(
        "        Dally-Towles uniform with self-traffic: hops {:.4f}, bisection "
        "bound 4/k = {:.4f}\n",
        dally_towles_uniform_hops(p.k_x, p.k_y), 4.0 / std::max(p.k_x, p.k_y));

  MeshSimulation sim(p);
  std::vector<MeshStats> runs;
  for (double r : o.injection_rates) {
    MeshRunSpec spec;
    spec.traffic = traffic;
    spec.traffic.injection_rate = r;
    spec.warmup_cycles = o.warmup_cycles;
    spec.measure_cycles = o.measure_cycles;
    spec.drain_cycles_max = o.drain_cycles_max;
    spec.seed = o.seed;
    runs.push_back(sim.run(spec));
    if (!o.csv_path.empty())
      write_link_utilization_csv(runs.back(),
                                 csv_path_for_rate(o.csv_path, r, o.injection_rates.size() > 1));
  }
  print_mesh_table(runs, out);
  const MeshStats& last = runs.back();
  const double window_s = static_cast<double>(last.measure_cycles) * p.clock_period_s();
  out << fmt::format(
      "link energy at offered {:.4f}: {} flit-hops x {} bits x {:g} pJ/bit = {:.4g} pJ in the "
      "window ({:.4g} mW)\n",
      last.offered_rate, last.link_flits, p.flit_bits, p.energy_per_bit_j * 1e12,
      static_cast<double>(last.link_flits) * p.flit_bits * p.energy_per_bit_j * 1e12,
      static_cast<double>(last.link_flits) * p.flit_bits * p.energy_per_bit_j / window_s * 1e3);
  print_mesh_utilization(last, out);
  if (results) *results = std::move(runs);
  return 0;
}

}  // namespace cimsim
