#include "hw/mesh/synthetic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "hw/mesh/report.hpp"
#include "models/core/error.hpp"

namespace cimsim {

std::string csv_path_for_rate(const std::string& path, const std::vector<double>& rates,
                              double rate) {
  if (rates.size() < 2) return path;
  // Four decimals, or as many more as it takes to tell the rates apart (0.10001 and 0.10004
  // were both "rate0.1000", and the second file replaced the first).
  int decimals = 4;
  auto distinct = [&] {
    for (std::size_t i = 0; i < rates.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (rates[i] != rates[j] && fmt::format("{:.{}f}", rates[i], decimals) ==
                                        fmt::format("{:.{}f}", rates[j], decimals))
          return false;
      }
    }
    return true;
  };
  while (decimals < 17 && !distinct()) ++decimals;
  std::filesystem::path p(path);
  const std::string ext = p.has_extension() ? p.extension().string() : std::string(".csv");
  p.replace_extension();
  // Rates too close for 17 decimals (1e-20 and 2e-20) get their shortest exact form.
  const std::string shown =
      distinct() ? fmt::format("{:.{}f}", rate, decimals) : fmt::format("{}", rate);
  return p.string() + ".rate" + shown + ext;
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
  if (o.mesh.nodes() < 2) {
    throw UserError(fmt::format(
        "error: mesh: a {}x{} mesh has no die-to-die links for traffic to cross; give --k 2 or "
        "more, or an architecture with two chiplets or more",
        o.mesh.k_x, o.mesh.k_y));
  }
  for (double r : o.injection_rates) {
    traffic.injection_rate = r;
    traffic.validate(o.mesh.k_x, o.mesh.k_y);
  }

  const MeshParams& p = o.mesh;
  // A packet in flight when the window closes gets time to arrive: the default drain, or four
  // zero-load latencies of the longest route where hops are long (a 1 us hop is 1000 cycles).
  const double longest_route = mesh_zero_load_latency(p, static_cast<double>(p.k_x - 1 + p.k_y - 1),
                                                      static_cast<double>(o.packet_flits));
  const std::uint64_t drain_cycles =
      std::max(o.drain_cycles_max, static_cast<std::uint64_t>(std::ceil(4.0 * longest_route)));
  // SystemC's time (64 bits of its 1 ps resolution) runs on through every rate: refuse a run
  // that would pass its end instead of stopping with SystemC's overflow error.
  const double cycles_per_rate =
      static_cast<double>(o.warmup_cycles + o.measure_cycles + drain_cycles);
  const double simulated_s =
      cycles_per_rate * static_cast<double>(o.injection_rates.size()) * p.clock_period_s();
  const double systemc_end_s = 0.9 * 18446744.0;  // 2^64 ps, less a margin for rounding
  if (simulated_s > systemc_end_s) {
    throw UserError(fmt::format(
        "error: mesh: {} rate(s) of {:g} cycles (warm-up, window, drain) at {:g} Hz are {:.3g} s "
        "of simulated time, past what SystemC's time base holds ({:.3g} s); give fewer --cycles "
        "or --warmup, or a faster clock",
        o.injection_rates.size(), cycles_per_rate, p.clock_hz, simulated_s, systemc_end_s));
  }
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
    spec.drain_cycles_max = drain_cycles;
    spec.seed = o.seed;
    runs.push_back(sim.run(spec));
    if (!o.csv_path.empty())
      write_link_utilization_csv(runs.back(), csv_path_for_rate(o.csv_path, o.injection_rates, r));
  }
  print_mesh_table(runs, out);
  const MeshStats& last = runs.back();
  const double window_s = static_cast<double>(last.measure_cycles) * p.clock_period_s();
  out << fmt::format(
      "link energy at offered {:.4f}: {} flit-hops x {} bits x {:g} pJ/bit = {:.4g} pJ in the "
      "window ({:.4g} mW)\n",
      last.offered_rate, last.link_flits, p.flit_bits, p.energy_per_bit_j * 1e12,
      static_cast<double>(last.link_flits) * static_cast<double>(p.flit_bits) * p.energy_per_bit_j *
          1e12,
      static_cast<double>(last.link_flits) * static_cast<double>(p.flit_bits) * p.energy_per_bit_j /
          window_s * 1e3);
  print_mesh_utilization(last, out);
  if (results) *results = std::move(runs);
  return 0;
}

}  // namespace cimsim
