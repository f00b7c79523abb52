#include "models/arch/arch_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/arch/parameter_docs.hpp"
#include "models/circuit/scaling.hpp"
#include "models/core/config_paths.hpp"

namespace cimsim {

double ArchSpec::timing_scale() const {
  return scaling::gate_delay_ratio(technology.supply_voltage.si, timing_supply.si,
                                   technology.threshold_voltage.si, technology.alpha_power);
}

int ArchSpec::accumulator_bits() const {
  return crossbar.input_bits + crossbar.weight_bits +
         static_cast<int>(std::ceil(std::log2(static_cast<double>(crossbar.rows))));
}

namespace {

// Every key an architecture file may hold, for pointing a misplaced key to its section. The GPU
// card's keys live in their own files.
std::shared_ptr<const std::vector<std::string>> architecture_key_paths() {
  static const auto paths = [] {
    auto out = std::make_shared<std::vector<std::string>>();
    for (const ParamDoc& p : parameter_docs()) {
      if (p.path.rfind("gpu.", 0) != 0) out->push_back(p.path);
    }
    return std::shared_ptr<const std::vector<std::string>>(std::move(out));
  }();
  return paths;
}

CrossbarSpec parse_crossbar(const ConfigNode& n, const TechnologyCard& tech) {
  CrossbarSpec x;
  x.rows = static_cast<int>(n.integer("rows", 1, 1 << 16));
  x.columns = static_cast<int>(n.integer("columns", 1, 1 << 16));
  x.active_rows = static_cast<int>(n.integer("active_rows", 1, x.rows, x.rows));
  // One-bit (binary, unsigned) inputs exist in silicon (NeuRRAM); the accuracy model's signed
  // quantization needs two bits and says so. 16 bits keep the functional model's sums exact.
  x.input_bits = static_cast<int>(n.integer("input_bits", 1, 16, 8));
  x.weight_bits = static_cast<int>(n.integer("weight_bits", 2, 16, 8));
  x.input_encoding = n.choice("input_encoding", {"bit_serial", "dac", "pulse_count"}, "bit_serial");
  if (x.input_encoding == "dac") {
    x.dac_bits = static_cast<int>(n.integer("dac_bits", 2, 8));
    if (x.dac_bits > x.input_bits) {
      n.fail("dac_bits", fmt::format("a {}-bit DAC for {}-bit inputs converts bits that do not "
                                     "exist; dac_bits must be at most input_bits",
                                     x.dac_bits, x.input_bits));
    }
    x.dac_type = n.choice("dac_type", {"capacitive", "r2r"}, "capacitive");
    if (x.dac_type == "r2r") {
      // 10 ohm to 10 Mohm spans metal to high-resistance poly ladders.
      x.dac_unit_resistance_ohm =
          n.quantity<Dim::resistance>("dac_unit_resistance", {}, 10.0, 1e7, false).si;
      x.dac_ladders = static_cast<int>(n.integer("dac_ladders", 1, 2, 1));
    } else {
      for (const char* key : {"dac_unit_resistance", "dac_ladders"}) {
        if (n.has(key)) n.fail(key, fmt::format("{} applies only with dac_type: r2r", key));
      }
    }
  } else {
    for (const char* key : {"dac_bits", "dac_type", "dac_unit_resistance", "dac_ladders"}) {
      if (n.has(key)) n.fail(key, fmt::format("{} applies only with input_encoding: dac", key));
    }
    x.dac_bits = 1;
  }
  x.signed_weights =
      n.choice("signed_weights", {"differential", "offset", "twos_complement"}, "differential");
  if (x.input_encoding == "pulse_count") {
    // 2^16 - 1 pulse slots per vector is far past any pulse-count design; 8 bits is 255.
    if (x.input_bits > 8) {
      n.fail("input_bits",
             fmt::format("pulse_count inputs take 2^bits - 1 pulse slots; {} bits is beyond the "
                         "supported 1..8",
                         x.input_bits));
    }
    x.input_accumulation = n.choice("input_accumulation", {"analog"}, "analog");
  } else {
    x.input_accumulation = n.choice("input_accumulation", {"digital", "analog"}, "digital");
  }
  x.weight_accumulation = n.choice("weight_accumulation", {"digital", "analog"}, "digital");
  // A two's-complement weight subtracts its MSB slice; only an analog combiner (C-2C ladder,
  // binary-weighted capacitors) can do that before the ADC sees the column.
  if (x.signed_weights == "twos_complement" && x.weight_accumulation != "analog") {
    n.fail("signed_weights",
           "twos_complement weights need weight_accumulation: analog (the MSB slice is "
           "subtracted before conversion)");
  }
  if (x.signed_weights == "twos_complement" && x.weight_slices(tech.bits_per_cell) < 2) {
    n.fail("signed_weights",
           fmt::format("twos_complement needs a weight of at least two slices (an MSB slice to "
                       "subtract); {} weight bits fit one {}-bit cell",
                       x.weight_bits, tech.bits_per_cell));
  }
  x.input_bit_density = n.number("input_bit_density", 0.0, 1.0, 0.5);

  ConfigNode a = n.child("adc");
  x.adc.type = a.choice("type", {"SAR", "Flash"});
  x.adc.bits = static_cast<int>(a.integer("bits", 1, 16));
  x.adc.enob = a.number("enob", 0.5, 16.0, static_cast<double>(x.adc.bits));
  if (x.adc.enob > x.adc.bits)
    a.fail("enob", fmt::format("enob {} exceeds the ADC's {} bits", x.adc.enob, x.adc.bits));
  // Rates have a floor of 1 per second: slower ones overflow every time in the report.
  x.adc.sample_rate_hz = a.quantity<Dim::frequency>("sample_rate", {}, 1.0, 100e9, false).si;
  x.adc.columns_per_adc = static_cast<int>(a.integer("columns_per_adc", 1, x.columns));
  x.adc.front_end_bias_a = a.quantity<Dim::current>("front_end_bias", 0.0, 0.0, 1e-2, false).si;
  x.adc.sample_energy_j = a.quantity<Dim::energy>("sample_energy", 0.0, 0.0, 1e-9, false).si;
  // A converter's own figures replace the survey fit; give both, with their source.
  if (a.has("energy_per_conversion") != a.has("area")) {
    a.fail(a.has("area") ? "area" : "energy_per_conversion",
           "a datasheet converter needs both energy_per_conversion and area");
  }
  if (a.has("energy_per_conversion")) {
    x.adc.datasheet_energy_j = a.quantity<Dim::energy>("energy_per_conversion", {}, 0.0, 1e-6).si;
    x.adc.datasheet_area_m2 = a.quantity<Dim::area>("area", {}, 0.0, 1e-4).si;
  }
  a.finish();

  int per_weight = x.columns_per_weight(tech.bits_per_cell);
  if (x.weight_columns() < per_weight) {
    n.fail("columns",
           fmt::format("{} columns cannot hold one weight: a weight of {} bits at {} bit(s) per "
                       "cell with {} signed weights needs {} columns{}",
                       x.columns, x.weight_bits, tech.bits_per_cell, x.signed_weights, per_weight,
                       x.signed_weights == "offset" ? " plus the reference column" : ""));
  }
  // An ADC cannot be shared by more channels than the array has.
  const int channels = x.adc_channels(tech.bits_per_cell);
  if (x.adc.columns_per_adc > channels) {
    a.fail("columns_per_adc",
           fmt::format("columns_per_adc {} exceeds the array's {} ADC channels ({})",
                       x.adc.columns_per_adc, channels,
                       x.weight_accumulation == "analog"
                           ? "one per weight, with weight_accumulation: analog"
                           : "one per column"));
  }
  n.finish();
  return x;
}

LinkSpec parse_link(const ConfigNode& given) {
  ConfigNode n = with_preset(given, "link");
  n.free_text("description");
  n.free_text("source");
  LinkSpec l;
  l.name = n.string("name", "link");
  l.energy_per_bit = n.quantity<Dim::energy_per_bit>("energy_per_bit", {}, 0.0, 1e-9, false);
  l.bandwidth = n.quantity<Dim::bandwidth>("bandwidth", {}, 1.0, 1e18, false);
  l.latency_per_hop = n.quantity<Dim::time>("latency_per_hop", {}, 0.0, 1e-3, false);
  n.finish();
  return l;
}

}  // namespace

ArchSpec parse_arch(const ConfigNode& written, const std::string& file,
                    const TechnologyCard* technology) {
  const ConfigNode root = written.with_key_homes(architecture_key_paths());
  ArchSpec s;
  s.file = file;
  s.name = root.string("name");
  root.free_text("description");
  if (technology) {
    root.allow("technology");
    s.technology = *technology;
  } else {
    s.technology = parse_technology(root.child("technology"));
  }
  s.clock = root.quantity<Dim::frequency>("clock", {}, 1.0, 20e9, false);
  // The supply at which the clock, the read pulse and the ADC rate were given (by default the
  // node's nominal supply); at another supply they scale with the alpha-power-law gate delay
  // (models/circuit/scaling.hpp).
  const auto& tech = s.technology;
  s.timing_supply = root.quantity<Dim::voltage>("timing_supply", tech.nominal_supply.si, 0.0, 5.0);
  // Without timing_supply the timing was given at the card's nominal_supply: errors about it
  // point there.
  const bool timing_supply_written = root.has("timing_supply");
  const ConfigNode tech_node = root.child("technology");
  const char* timing_key = timing_supply_written ? "timing_supply" : "nominal_supply";
  auto timing_fail = [&](const std::string& what) {
    (timing_supply_written ? root : tech_node).fail(timing_key, what);
  };
  if (s.timing_supply.si != tech.supply_voltage.si && tech.threshold_voltage.si <= 0.0) {
    const std::string what = fmt::format(
        "timing given at {} V ({}) but the supply is {} V: scaling it needs the "
        "technology card's threshold_voltage and alpha_power",
        s.timing_supply.si, timing_key, tech.supply_voltage.si);
    if (!timing_supply_written && tech_node.has("supply_voltage"))
      tech_node.fail("supply_voltage", what);
    timing_fail(what);
  }
  // The alpha-power law (Sakurai and Newton, JSSC 1990) has no conduction below threshold, so
  // it fails near it (Keller, Harris and Martin, IEEE TVLSI 2014, model the transregional
  // range); 0.1 V of overdrive, still moderate inversion, is a chosen margin, not a fit.
  constexpr double kOverdriveFloor = 0.1;
  if (tech.threshold_voltage.si > 0.0) {
    auto too_close = [&](const char* key, double v) {
      return fmt::format(
          "{} {} V is within {} V of the threshold {} V, where the alpha-power "
          "timing model does not hold",
          key, v, kOverdriveFloor, tech.threshold_voltage.si);
    };
    // A threshold written over supplies from a layer below (a preset, or the architecture under
    // a validation point's override) is what moved: blame it.
    const bool threshold_written = tech_node.written_here("threshold_voltage");
    if (s.timing_supply.si < tech.threshold_voltage.si + kOverdriveFloor) {
      const std::string what = too_close(timing_key, s.timing_supply.si);
      if (threshold_written && !root.written_here("timing_supply") &&
          !tech_node.written_here("nominal_supply"))
        tech_node.fail("threshold_voltage", what);
      timing_fail(what);
    }
    if (tech.supply_voltage.si < tech.threshold_voltage.si + kOverdriveFloor) {
      const std::string what = too_close("supply_voltage", tech.supply_voltage.si);
      if (threshold_written && !tech_node.written_here("supply_voltage"))
        tech_node.fail("threshold_voltage", what);
      tech_node.fail("supply_voltage", what);
    }
  }
  const double clock_at_supply = s.clock.si / s.timing_scale();
  if (clock_at_supply > 20e9) {
    root.fail("clock", fmt::format("the clock scales to {:.3g} GHz at {} V, above 20 GHz",
                                   clock_at_supply / 1e9, tech.supply_voltage.si));
  }
  s.crossbar = parse_crossbar(root.child("crossbar"), s.technology);

  ConfigNode t = root.child("tile");
  s.tile.arrays = static_cast<int>(t.integer("arrays", 1, 1 << 20));
  // 0 B: no buffer in the modelled boundary (a bare macro, whose inputs arrive from outside).
  s.tile.input_buffer = t.quantity<Dim::data_size>("input_buffer", {}, 0.0, 1e15, false);
  s.tile.output_buffer = t.quantity<Dim::data_size>("output_buffer", {}, 0.0, 1e15, false);
  t.finish();

  ConfigNode c = root.child("chiplet");
  s.chiplet.tiles = static_cast<int>(c.integer("tiles", 1, 1 << 20));
  s.chiplet.global_buffer = c.quantity<Dim::data_size>("global_buffer", {}, 0.0, 1e15, false);
  // 0 lanes: a bare macro with no vector unit; workloads that need one are refused at mapping.
  s.chiplet.vector_lanes = static_cast<int>(c.integer("vector_lanes", 0, 1 << 16));
  s.chiplet.vector_lanes_at = c.location_of_key("vector_lanes");
  s.chiplet.dynamic_matmuls = c.choice("dynamic_matmuls", {"vector_unit", "arrays"}, "vector_unit");
  c.finish();

  ConfigNode p = root.child("package");
  ConfigNode mesh = p.child("mesh");
  s.package.mesh_columns = static_cast<int>(mesh.integer("columns", 1, 64));
  s.package.mesh_rows = static_cast<int>(mesh.integer("rows", 1, 64));
  mesh.finish();
  s.package.link = parse_link(p.child("link"));
  // The SystemC mesh holds a link's flits in flight per cycle of its latency (hw/mesh/mesh.hpp);
  // 1000 cycles (1 us at 1 GHz, 500x UCIe's 2 ns) bounds that memory.
  const double hop_cycles = s.package.link.latency_per_hop.si * s.clock.si;
  if (hop_cycles > 1000.0 + 1e-9) {
    p.child("link").fail(
        "latency_per_hop",
        fmt::format("{:g} ns is {:.0f} cycles of the {:g} GHz clock; the mesh models at most 1000 "
                    "cycles per hop",
                    s.package.link.latency_per_hop.si * 1e9, std::ceil(hop_cycles - 1e-9),
                    s.clock.si * 1e-9));
  }
  ConfigNode d = p.child("dram");
  d.free_text("source");
  s.package.dram.energy_per_bit =
      d.quantity<Dim::energy_per_bit>("energy_per_bit", {}, 0.0, 1e-9, false);
  s.package.dram.bandwidth = d.quantity<Dim::bandwidth>("bandwidth", {}, 1.0, 1e18, false);
  if (!d.has("ports") && d.resolved()) {
    // The default, one port at (0, 0), written out like every other default.
    d.resolved()->set(d.key_path("ports") + "[0].x", "0", "default");
    d.resolved()->set(d.key_path("ports") + "[0].y", "0", "default");
  }
  if (d.has("ports")) {
    s.package.dram.ports.clear();
    const std::vector<ConfigNode> listed = d.items("ports");
    if (listed.empty())
      config_error(d.location_of_key("ports"), d.key_path("ports"),
                   "an empty list; give at least one DRAM port as {x, y}, or leave the key out "
                   "for one at (0, 0)");
    for (const ConfigNode& port : listed) {
      MeshCoordinate at;
      at.x = static_cast<int>(port.integer("x", 0, s.package.mesh_columns - 1));
      at.y = static_cast<int>(port.integer("y", 0, s.package.mesh_rows - 1));
      port.finish();
      if (std::find(s.package.dram.ports.begin(), s.package.dram.ports.end(), at) !=
          s.package.dram.ports.end())
        config_error(port.location(), port.path(),
                     fmt::format("a second DRAM port on chiplet ({}, {}); give each port a "
                                 "chiplet of its own",
                                 at.x, at.y));
      s.package.dram.ports.push_back(at);
    }
  }
  d.finish();
  p.finish();
  root.finish();
  return s;
}

ArchSpec load_arch(const std::string& path, ResolvedConfig* resolved) {
  return parse_arch(ConfigNode::load_file(path, resolved), path);
}

}  // namespace cimsim
