// MeshParams from an architecture's package card: the simulated link carries exactly the card's
// bandwidth, and the input buffers cover the credit round trip however long the hop. The CSV
// names of a rate sweep tell every rate apart.
#include <catch2/catch.hpp>
#include <string>

#include "hw/mesh/mesh.hpp"
#include "hw/mesh/synthetic.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/config.hpp"

using namespace cimsim;

namespace {

MeshParams mesh_of(const std::string& clock, const std::string& link) {
  const std::string yaml =
      "name: mesh-test\n"
      "technology: {preset: reram_22nm}\n"
      "clock: " +
      clock +
      "\n"
      "crossbar:\n"
      "  rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n"
      "  adc: {type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2}\n"
      "tile: {arrays: 4, input_buffer: 1KiB, output_buffer: 1KiB}\n"
      "chiplet: {tiles: 2, global_buffer: 64KiB, vector_lanes: 4}\n"
      "package:\n"
      "  mesh: {columns: 2, rows: 1}\n"
      "  link: " +
      link +
      "\n"
      "  dram: {energy_per_bit: 4pJ/bit, bandwidth: 8GB/s}\n";
  return MeshParams::from_arch(
      parse_arch(ConfigNode::load_string(yaml, "mesh.yaml", nullptr), "mesh.yaml"));
}

}  // namespace

TEST_CASE("mesh params: a whole number of bits per chip cycle keeps the chip clock",
          "[mesh_params]") {
  // UCIe standard x16 at 1 GHz: 256-bit flits, 2-cycle hops, the 8-flit buffers of the default.
  const MeshParams p =
      mesh_of("1GHz", "{energy_per_bit: 0.5pJ/bit, bandwidth: 256Gbit/s, latency_per_hop: 2ns}");
  CHECK(p.flit_bits == 256);
  CHECK(p.clock_hz == 1e9);
  CHECK(p.link_cycles == 2);
  CHECK(p.buffer_depth_flits == 8);
}

TEST_CASE(
    "mesh params: a link slower than the clock or a fraction of a bit per cycle keeps its "
    "bandwidth",
    "[mesh_params]") {
  // 0.5 Gb/s at 1 GHz: 1-bit flits on routers clocked at 0.5 GHz (it was 1-bit flits at 1 GHz,
  // twice the card's bandwidth).
  MeshParams p =
      mesh_of("1GHz", "{energy_per_bit: 0.5pJ/bit, bandwidth: 0.5Gbit/s, latency_per_hop: 2ns}");
  CHECK(p.flit_bits == 1);
  CHECK(p.clock_hz == Approx(0.5e9).epsilon(1e-12));
  CHECK(p.link_bandwidth_bits_per_s() == Approx(0.5e9).epsilon(1e-12));
  CHECK(p.link_cycles == 1);  // 2 ns at 0.5 GHz
  // 1.9 Gb/s at 1 GHz: 2-bit flits at 0.95 GHz (it was 1-bit flits, 47% of the bandwidth lost).
  p = mesh_of("1GHz", "{energy_per_bit: 0.5pJ/bit, bandwidth: 1.9Gbit/s, latency_per_hop: 2ns}");
  CHECK(p.flit_bits == 2);
  CHECK(p.link_bandwidth_bits_per_s() == Approx(1.9e9).epsilon(1e-12));
  // 1e18 b/s at 100 MHz: 1e10-bit flits (the bit count overflowed an int before).
  p = mesh_of("100MHz", "{energy_per_bit: 0.5pJ/bit, bandwidth: 1e18bit/s, latency_per_hop: 2ns}");
  CHECK(p.flit_bits == 10000000000LL);
  CHECK(p.clock_hz == 1e8);
}

TEST_CASE("mesh params: input buffers cover the credit round trip of long hops", "[mesh_params]") {
  // 2 ns hops at 3 GHz are 6 cycles: a round trip of 2 x 6 + 3 = 15 flits (8-flit buffers held a
  // streaming packet to 8/15 of the link).
  MeshParams p =
      mesh_of("3GHz", "{energy_per_bit: 0.5pJ/bit, bandwidth: 768Gbit/s, latency_per_hop: 2ns}");
  CHECK(p.flit_bits == 256);
  CHECK(p.link_cycles == 6);
  CHECK(p.buffer_depth_flits == 15);
  // 1 us hops at 1 GHz: 1000 cycles, 2003 flits.
  p = mesh_of("1GHz", "{energy_per_bit: 0.5pJ/bit, bandwidth: 256Gbit/s, latency_per_hop: 1us}");
  CHECK(p.link_cycles == 1000);
  CHECK(p.buffer_depth_flits == 2003);
}

TEST_CASE("mesh sweep CSV names tell every rate apart", "[mesh_params]") {
  CHECK(csv_path_for_rate("out/links.csv", {0.3}, 0.3) == "out/links.csv");
  CHECK(csv_path_for_rate("out/links.csv", {0.1, 0.3}, 0.3) == "out/links.rate0.3000.csv");
  CHECK(csv_path_for_rate("links", {0.1, 0.3}, 0.1) == "links.rate0.1000.csv");
  // Four decimals would give both "rate0.1000".
  CHECK(csv_path_for_rate("l.csv", {0.10001, 0.10004}, 0.10001) == "l.rate0.10001.csv");
  CHECK(csv_path_for_rate("l.csv", {0.10001, 0.10004}, 0.10004) == "l.rate0.10004.csv");
  // Rates that 17 decimals do not tell apart get their shortest exact form.
  CHECK(csv_path_for_rate("l.csv", {1e-20, 2e-20}, 2e-20) == "l.rate2e-20.csv");
  // A rate given twice is one file.
  CHECK(csv_path_for_rate("l.csv", {0.2, 0.2}, 0.2) == "l.rate0.2000.csv");
}
