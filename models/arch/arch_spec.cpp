#include "models/arch/arch_spec.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/core/config_paths.hpp"

namespace cimsim {

int ArchSpec::accumulator_bits() const {
  return crossbar.input_bits + crossbar.weight_bits +
         static_cast<int>(std::ceil(std::log2(static_cast<double>(crossbar.rows))));
}

namespace {

CrossbarSpec parse_crossbar(const ConfigNode& n, const TechnologyCard& tech) {
  CrossbarSpec x;
  x.rows = static_cast<int>(n.integer("rows", 1, 1 << 16));
  x.columns = static_cast<int>(n.integer("columns", 1, 1 << 16));
  // Signed quantization needs a sign and a magnitude bit; 16 bits keep the functional model's
  // float sums exact.
  x.input_bits = static_cast<int>(n.integer("input_bits", 2, 16, 8));
  x.weight_bits = static_cast<int>(n.integer("weight_bits", 2, 16, 8));
  x.input_encoding = n.choice("input_encoding", {"bit_serial", "dac"}, "bit_serial");
  if (x.input_encoding == "dac") {
    x.dac_bits = static_cast<int>(n.integer("dac_bits", 2, 8));
  } else {
    if (n.has("dac_bits")) n.fail("dac_bits", "dac_bits applies only with input_encoding: dac");
    x.dac_bits = 1;
  }
  x.signed_weights = n.choice("signed_weights", {"differential", "offset"}, "differential");
  x.input_bit_density = n.number("input_bit_density", 0.0, 1.0, 0.5);

  ConfigNode a = n.child("adc");
  x.adc.type = a.choice("type", {"SAR", "Flash"});
  x.adc.bits = static_cast<int>(a.integer("bits", 1, 16));
  x.adc.enob = a.number("enob", 0.5, 16.0, static_cast<double>(x.adc.bits));
  if (x.adc.enob > x.adc.bits)
    a.fail("enob", fmt::format("enob {} exceeds the ADC's {} bits", x.adc.enob, x.adc.bits));
  x.adc.sample_rate_hz = a.quantity<Dim::frequency>("sample_rate", {}, 0.0, 100e9).si;
  x.adc.columns_per_adc = static_cast<int>(a.integer("columns_per_adc", 1, x.columns));
  a.finish();

  int per_weight = x.columns_per_weight(tech.bits_per_cell);
  if (x.weight_columns() < per_weight) {
    n.fail("columns",
           fmt::format("{} columns cannot hold one weight: a weight of {} bits at {} bit(s) per "
                       "cell with {} signed weights needs {} columns{}",
                       x.columns, x.weight_bits, tech.bits_per_cell, x.signed_weights, per_weight,
                       x.signed_weights == "offset" ? " plus the reference column" : ""));
  }
  n.finish();
  return x;
}

LinkSpec parse_link(const ConfigNode& given) {
  ConfigNode n = with_preset(given, "link");
  n.allow("description");
  n.allow("source");
  LinkSpec l;
  l.name = n.string("name", "link");
  l.energy_per_bit = n.quantity<Dim::energy_per_bit>("energy_per_bit", {}, 0.0, 1e-9, false);
  l.bandwidth = n.quantity<Dim::bandwidth>("bandwidth");
  l.latency_per_hop = n.quantity<Dim::time>("latency_per_hop", {}, 0.0, 1e-3, false);
  n.finish();
  return l;
}

}  // namespace

ArchSpec parse_arch(const ConfigNode& root, const std::string& file) {
  ArchSpec s;
  s.file = file;
  s.name = root.string("name");
  root.allow("description");
  s.technology = parse_technology(root.child("technology"));
  s.clock = root.quantity<Dim::frequency>("clock", {}, 0.0, 20e9);
  s.crossbar = parse_crossbar(root.child("crossbar"), s.technology);

  ConfigNode t = root.child("tile");
  s.tile.arrays = static_cast<int>(t.integer("arrays", 1, 1 << 20));
  s.tile.input_buffer = t.quantity<Dim::data_size>("input_buffer");
  s.tile.output_buffer = t.quantity<Dim::data_size>("output_buffer");
  t.finish();

  ConfigNode c = root.child("chiplet");
  s.chiplet.tiles = static_cast<int>(c.integer("tiles", 1, 1 << 20));
  s.chiplet.global_buffer = c.quantity<Dim::data_size>("global_buffer");
  s.chiplet.vector_lanes = static_cast<int>(c.integer("vector_lanes", 1, 1 << 16));
  c.finish();

  ConfigNode p = root.child("package");
  ConfigNode mesh = p.child("mesh");
  s.package.mesh_columns = static_cast<int>(mesh.integer("columns", 1, 64));
  s.package.mesh_rows = static_cast<int>(mesh.integer("rows", 1, 64));
  mesh.finish();
  s.package.link = parse_link(p.child("link"));
  ConfigNode d = p.child("dram");
  d.allow("source");
  s.package.dram.energy_per_bit =
      d.quantity<Dim::energy_per_bit>("energy_per_bit", {}, 0.0, 1e-9, false);
  s.package.dram.bandwidth = d.quantity<Dim::bandwidth>("bandwidth");
  d.finish();
  p.finish();
  root.finish();
  return s;
}

ArchSpec load_arch(const std::string& path, ResolvedConfig* resolved) {
  return parse_arch(ConfigNode::load_file(path, resolved), path);
}

}  // namespace cimsim
