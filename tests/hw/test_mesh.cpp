// The SystemC chiplet mesh against Dally and Towles' theory ("Principles and Practices of
// Interconnection Networks", 2004, ch. 3 and 23). Each TEST_CASE that simulates runs in its own
// process (see CMakeLists.txt): SystemC elaborates once per process.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "hw/mesh/mesh.hpp"
#include "hw/mesh/report.hpp"
#include "hw/mesh/synthetic.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/error.hpp"

using namespace cimsim;

namespace {

MeshParams mesh(int k) {
  MeshParams p;  // defaults: 256-bit flits, 8-flit buffers, router 3 cycles, link 2 cycles
  p.k_x = p.k_y = k;
  return p;
}

MeshRunSpec uniform(double rate, std::uint64_t window) {
  MeshRunSpec s;
  s.traffic.pattern = TrafficPattern::uniform;
  s.traffic.injection_rate = rate;
  s.traffic.packet_flits = 4;
  s.warmup_cycles = 1000;
  s.measure_cycles = window;
  s.seed = 7;
  return s;
}

// Uniform traffic at low load: hop count and zero-load latency against the closed forms.
void check_low_load(int k, double rate, std::uint64_t window) {
  MeshSimulation sim(mesh(k));
  const MeshStats s = sim.run(uniform(rate, window));
  const double n = k * k;
  // Destinations exclude the source, so the mean over N(N-1) pairs is N/(N-1) times the textbook
  // mean over all N^2 pairs, 2(k^2-1)/(3k).
  const double textbook = 2.0 * (k * k - 1.0) / (3.0 * k);
  const double expected_hops = textbook * n / (n - 1.0);
  const double t0 = mesh_zero_load_latency(sim.params(), expected_hops, 4);
  std::printf(
      "%dx%d uniform rate %.3f: %llu packets, mean hops %.4f (exact for destination != source "
      "%.4f, Dally-Towles incl. self %.4f); mean latency %.3f cycles, zero-load formula %.3f "
      "(at measured hops %.3f), mean contention %.3f cycles\n",
      k, k, rate, static_cast<unsigned long long>(s.packets_delivered), s.mean_hops, expected_hops,
      textbook, s.mean_latency_cycles, t0, s.zero_load_latency_cycles, s.mean_excess_cycles);
  REQUIRE(s.drained);
  REQUIRE(s.packets_delivered > 5000);
  CHECK(expected_hops == Approx(expected_mean_hops(TrafficSpec{}, k, k)).epsilon(1e-12));
  CHECK(s.mean_hops == Approx(expected_hops).epsilon(0.02));
  // The measured hop count is the textbook figure scaled by N/(N-1), not the textbook figure
  // itself (they differ by 6.7% at k = 4): the test tells them apart.
  if (k == 4) CHECK(std::abs(s.mean_hops - textbook) > 0.04 * textbook);
  // Zero-load latency: no packet beats H (t_r + t_l) + t_r + (P - 1), an uncontended one meets it
  // exactly, and at this load the mean is within 1% of it at the expected hop count.
  CHECK(s.min_excess_cycles == 0.0);
  CHECK(s.mean_excess_cycles < 0.01 * t0);
  CHECK(s.mean_latency_cycles == Approx(t0).epsilon(0.02));
}

// Sweeps uniform load; returns the first saturated rate (mesh_saturated), or 0 if none.
double saturation(int k, double from, double to, double step) {
  MeshSimulation sim(mesh(k));
  double zero_load_latency = 0.0, last_stable = 0.0, last_latency = 0.0;
  for (double rate = from; rate <= to + 1e-9; rate += step) {
    MeshRunSpec spec = uniform(rate, 4000);
    spec.warmup_cycles = 2000;
    spec.drain_cycles_max = 4000;
    const MeshStats s = sim.run(spec);
    const bool saturated = mesh_saturated(s);
    std::printf("%dx%d uniform rate %.3f: accepted %.4f, mean latency %.2f (zero-load %.2f)%s\n", k,
                k, rate, s.accepted_rate, s.mean_latency_cycles, s.zero_load_latency_cycles,
                saturated ? "  saturated" : "");
    if (rate == from) zero_load_latency = s.mean_latency_cycles;
    if (saturated) {
      const double bound = 4.0 / k;
      std::printf(
          "%dx%d: saturates at %.3f flits/node/cycle (last stable %.3f) = %.2f of the "
          "bisection bound 4/k = %.3f; exact XY bound for destination != source %.4f\n",
          k, k, rate, last_stable, rate / bound, bound, ideal_saturation_rate(TrafficSpec{}, k, k));
      // Latency rises toward saturation.
      CHECK(last_latency > 1.3 * zero_load_latency);
      return rate;
    }
    last_stable = rate;
    last_latency = s.mean_latency_cycles;
  }
  return 0.0;
}

}  // namespace

TEST_CASE("mesh theory: hop counts and bisection bounds in closed form", "[mesh]") {
  for (int k : {2, 3, 4, 5, 8}) {
    const double n = k * k;
    CHECK(dally_towles_uniform_hops(k, k) == Approx(2.0 * (k * k - 1.0) / (3.0 * k)));
    CHECK(expected_mean_hops(TrafficSpec{}, k, k) ==
          Approx(dally_towles_uniform_hops(k, k) * n / (n - 1.0)).epsilon(1e-12));
    if (k % 2 == 0 && k > 2)  // channel load k/4 per unit rate, scaled by N/(N-1)
      CHECK(ideal_saturation_rate(TrafficSpec{}, k, k) ==
            Approx(4.0 / k * (n - 1.0) / n).epsilon(1e-12));
  }
  TrafficSpec transpose;
  transpose.pattern = TrafficPattern::transpose;
  // 4x4 transpose: |x-y| hops each way over the 12 off-diagonal nodes -> 2 * 20 / 12.
  CHECK(expected_mean_hops(transpose, 4, 4) == Approx(40.0 / 12.0));
  TrafficSpec hot;
  hot.pattern = TrafficPattern::hotspot;
  hot.hotspot_fraction = 1.0;
  // Everyone sends to the centre: its ejection port carries N-1 units of load.
  CHECK(ideal_saturation_rate(hot, 4, 4) == Approx(1.0 / 15.0));
  CHECK_THROWS_AS(parse_traffic_pattern("bitcomp"), UserError);
  CHECK_THROWS_AS(transpose.validate(4, 2), UserError);
}

TEST_CASE("mesh parameters from the architecture's link card", "[mesh]") {
  const ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  const MeshParams p = MeshParams::from_arch(arch);
  CHECK(p.k_x == 4);
  CHECK(p.k_y == 4);
  CHECK(p.clock_hz == Approx(1e9));
  CHECK(p.flit_bits == 256);  // UCIe x16 32 GB/s at 1 GHz
  CHECK(p.link_cycles == 2);  // 2 ns per hop
  CHECK(p.energy_per_bit_j == Approx(0.5e-12));
  CHECK(p.link_bandwidth_bits_per_s() == Approx(256e9));
  MeshParams bad = p;
  bad.buffer_depth_flits = 0;
  CHECK_THROWS_AS(bad.validate(), UserError);
}

TEST_CASE("mesh 4x4 uniform low load: hop count and zero-load latency", "[mesh][sim]") {
  check_low_load(4, 0.02, 100000);
}

TEST_CASE("mesh 8x8 uniform low load: hop count and zero-load latency", "[mesh][sim]") {
  check_low_load(8, 0.01, 60000);
}

TEST_CASE("mesh 4x4 uniform saturates near the bisection bound 4/k", "[mesh][sim]") {
  const double sat = saturation(4, 0.025, 1.0, 0.025);
  CHECK(sat >= 0.5 * 4.0 / 4);
  CHECK(sat <= 1.05 * 4.0 / 4);
}

TEST_CASE("mesh 8x8 uniform saturates near the bisection bound 4/k", "[mesh][sim]") {
  const double sat = saturation(8, 0.0125, 0.6, 0.0125);
  CHECK(sat >= 0.5 * 4.0 / 8);
  CHECK(sat <= 1.05 * 4.0 / 8);
}

TEST_CASE("mesh zero-load latency follows other router and link pipeline depths", "[mesh][sim]") {
  MeshParams p = mesh(4);
  p.router_cycles = 1;
  p.link_cycles = 1;
  p.buffer_depth_flits = 3;  // = credit round trip 2 t_l + t_r: a lone packet never stalls
  MeshSimulation sim(p);
  MeshRunSpec spec = uniform(0.02, 60000);
  spec.traffic.packet_flits = 8;
  const MeshStats s = sim.run(spec);
  const double t0 = 2.6666666666666667 * 2 + 1 + 7;
  std::printf("4x4, t_r = t_l = 1, 8-flit packets: mean latency %.3f, zero-load formula %.3f\n",
              s.mean_latency_cycles, t0);
  REQUIRE(s.packets_delivered > 1000);
  CHECK(s.min_excess_cycles == 0.0);
  CHECK(s.mean_latency_cycles == Approx(t0).epsilon(0.02));
}

TEST_CASE("mesh runs are deterministic and reset between runs", "[mesh][sim]") {
  MeshSimulation sim(mesh(4));
  MeshRunSpec spec = uniform(0.3, 5000);
  const MeshStats a = sim.run(spec);
  spec.traffic.injection_rate = 0.9;  // saturate in between: queues must not leak into the next
  sim.run(spec);
  spec.traffic.injection_rate = 0.3;
  const MeshStats b = sim.run(spec);
  CHECK(a.packets_delivered == b.packets_delivered);
  CHECK(a.mean_latency_cycles == b.mean_latency_cycles);
  CHECK(a.mean_hops == b.mean_hops);
  REQUIRE(a.links.size() == b.links.size());
  for (std::size_t i = 0; i < a.links.size(); ++i)
    CHECK(a.links[i].busy_cycles == b.links[i].busy_cycles);
  spec.seed = 8;
  const MeshStats c = sim.run(spec);
  CHECK(c.mean_latency_cycles != a.mean_latency_cycles);
  CHECK_THROWS_AS(MeshSimulation(mesh(4)), InternalError);  // one elaboration per process
}

TEST_CASE("mesh transpose and hotspot traffic", "[mesh][sim]") {
  MeshSimulation sim(mesh(4));
  MeshRunSpec spec = uniform(0.05, 20000);
  spec.traffic.pattern = TrafficPattern::transpose;
  const MeshStats t = sim.run(spec);
  CHECK(t.mean_hops == Approx(40.0 / 12.0).epsilon(0.03));
  CHECK(t.min_excess_cycles == 0.0);
  spec.traffic.pattern = TrafficPattern::hotspot;
  spec.traffic.hotspot_fraction = 0.5;
  spec.traffic.injection_rate = 0.05;
  const MeshStats h = sim.run(spec);
  CHECK(h.mean_hops == Approx(expected_mean_hops(spec.traffic, 4, 4)).epsilon(0.03));
  // The hotspot (2,2) ejects about 0.5 * 15 * rate + its share of the rest: its router is busiest.
  const int hot = spec.traffic.resolved_hotspot(4, 4);
  for (int id = 0; id < 16; ++id)
    if (id != hot) CHECK(h.router_utilization[hot] > h.router_utilization[id]);
}

TEST_CASE("mesh synthetic entry point: table and link utilization CSV", "[mesh][sim]") {
  MeshSyntheticOptions o;
  o.mesh = mesh(4);
  o.injection_rates = {0.1, 0.2};
  o.measure_cycles = 3000;
  o.warmup_cycles = 500;
  o.csv_path = "mesh_links_test.csv";
  std::ostringstream out;
  std::vector<MeshStats> runs;
  REQUIRE(run_mesh_synthetic(o, out, &runs) == 0);
  REQUIRE(runs.size() == 2);
  const std::string text = out.str();
  std::printf("%s", text.c_str());
  CHECK(text.find("bisection bound 4/k = 1.0000") != std::string::npos);
  CHECK(text.find("accepted") != std::string::npos);
  // Link utilization agrees with the accepted throughput: total flit-hops / cycles.
  double busy = 0.0;
  for (const auto& l : runs[1].links) busy += l.utilization;
  CHECK(busy / 16 == Approx(runs[1].accepted_rate * runs[1].mean_hops).epsilon(0.05));
  CHECK(runs[1].links.size() == 48);  // 2 * 2 * k * (k - 1) directed links
  std::ostringstream csv;
  write_link_utilization_csv(runs[1], csv);
  CHECK(csv.str().rfind("from_x,from_y,to_x,to_y,direction,utilization\n0,0,1,0,E,", 0) == 0);
  std::FILE* f = std::fopen("mesh_links_test.rate0.2000.csv", "r");
  CHECK(f != nullptr);
  if (f) std::fclose(f);
  std::remove("mesh_links_test.rate0.1000.csv");
  std::remove("mesh_links_test.rate0.2000.csv");
}
