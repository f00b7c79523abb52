#include "cli/params.hpp"

#include <fmt/format.h>

namespace cimsim {

const std::vector<ParamDoc>& parameter_docs() {
  static const std::vector<ParamDoc> docs = {
      {"name", "", "required", "text", "architecture name shown in reports"},
      {"description", "", "\"\"", "text", "free text"},
      {"clock", "Hz", "required", "(0, 20GHz]",
       "digital clock of shift-add, buffers and vector unit"},
      {"technology.preset", "", "none", "a card in configs/tech/",
       "start from this technology card, then override keys"},
      {"technology.name", "", "required", "text", "technology name"},
      {"technology.description", "", "\"\"", "text", "free text"},
      {"technology.source", "", "\"\"", "text", "where the card's numbers come from, as a whole"},
      {"technology.physics", "", "required", "resistive | nor_flash | sram",
       "cell physics implementation"},
      {"technology.node", "m", "required", "[1nm, 1um]", "feature size F of the process"},
      {"technology.supply_voltage", "V", "required", "(0, 5V]", "logic supply V_dd"},
      {"technology.bits_per_cell", "", "required", "1..2 resistive, 1..4 nor_flash, 1 sram",
       "bits stored per cell"},
      {"technology.cell_area", "F2", "required", "(0, 1e4 F2]", "cell footprint in units of F^2"},
      {"technology.read_pulse", "s", "required", "(0, 1ms]",
       "time a word line is driven per input cycle"},
      {"technology.write_energy", "J", "required", "(0, 1uJ]",
       "energy to program one cell (with verify)"},
      {"technology.write_time", "s", "required", "(0, 1s]",
       "time to program one row (with verify)"},
      {"technology.endurance", "cycles", "required", "[1, 1e20]", "write cycles a cell survives"},
      {"technology.on_resistance", "Ohm", "required (resistive)", "(0, 1TOhm]",
       "lowest cell resistance R_on"},
      {"technology.on_off_ratio", "", "required (resistive, nor_flash)", "[1, 1e12]",
       "G_on / G_off or I_on / I_off"},
      {"technology.read_voltage", "V", "required (resistive, nor_flash)", "(0, 5V]",
       "bit-line read voltage"},
      {"technology.on_current", "A", "required (nor_flash)", "(0, 1mA]",
       "highest programmed cell read current"},
      {"technology.readout", "", "required (sram)", "charge | current",
       "how column sums are formed"},
      {"technology.compute_capacitance", "F", "required (sram)", "(0, 1pF]",
       "capacitance switched per active cell"},
      {"technology.bitline_swing", "V", "0V (sram)", "[0, 5V]",
       "read bit-line swing, current domain"},
      {"crossbar.rows", "", "required", "1..65536", "rows (word lines) per array"},
      {"crossbar.columns", "", "required", "1..65536", "columns (bit lines) per array"},
      {"crossbar.input_bits", "", "8", "1..32", "activation precision"},
      {"crossbar.weight_bits", "", "8", "1..32", "weight precision"},
      {"crossbar.input_encoding", "", "bit_serial", "bit_serial | dac",
       "how inputs drive the rows"},
      {"crossbar.dac_bits", "", "required (dac)", "2..8", "input bits per DAC conversion"},
      {"crossbar.signed_weights", "", "differential", "differential | offset",
       "signed weights: column pairs or offset plus a reference column"},
      {"crossbar.input_bit_density", "", "0.5", "[0, 1]",
       "fraction of input bits that are 1 (mean drive level with a DAC)"},
      {"crossbar.adc.type", "", "required", "SAR | Flash", "ADC architecture (survey fit group)"},
      {"crossbar.adc.bits", "", "required", "1..16", "ADC output bits"},
      {"crossbar.adc.enob", "", "bits", "[0.5, bits]",
       "effective bits used by the energy/area fit"},
      {"crossbar.adc.sample_rate", "Hz", "required", "(0, 100GHz]",
       "conversions per second of one ADC"},
      {"crossbar.adc.columns_per_adc", "", "1", "1..columns", "columns multiplexed onto one ADC"},
      {"tile.arrays", "", "required", "1..2^20", "crossbar arrays per tile"},
      {"tile.input_buffer", "bit", "required", "> 0", "tile input buffer capacity"},
      {"tile.output_buffer", "bit", "required", "> 0", "tile output buffer capacity"},
      {"chiplet.tiles", "", "required", "1..2^20", "tiles per chiplet"},
      {"chiplet.global_buffer", "bit", "required", "> 0", "chiplet global buffer capacity"},
      {"chiplet.vector_lanes", "", "required", "1..65536",
       "lanes of the digital vector unit (one op per lane per cycle)"},
      {"package.mesh.columns", "", "required", "1..64", "chiplet mesh width"},
      {"package.mesh.rows", "", "required", "1..64", "chiplet mesh height"},
      {"package.link.preset", "", "none", "a card in configs/link/", "start from this link card"},
      {"package.link.name", "", "link", "text", "link name"},
      {"package.link.description", "", "\"\"", "text", "free text"},
      {"package.link.source", "", "\"\"", "text", "where the link's numbers come from, as a whole"},
      {"package.dram.source", "", "\"\"", "text", "where the DRAM numbers come from, as a whole"},
      {"package.link.energy_per_bit", "J/bit", "required", "[0, 1nJ/bit]",
       "die-to-die energy per bit per hop"},
      {"package.link.bandwidth", "bit/s", "required", "> 0",
       "bandwidth of one link, one direction"},
      {"package.link.latency_per_hop", "s", "required", "[0, 1ms]",
       "transmit plus receive latency per hop"},
      {"package.dram.energy_per_bit", "J/bit", "required", "[0, 1nJ/bit]",
       "DRAM access energy per bit"},
      {"package.dram.bandwidth", "bit/s", "required", "> 0", "DRAM bandwidth"},
  };
  return docs;
}

std::string parameter_table() {
  std::string s = fmt::format("{:<30} {:<7} {:<32} {:<38} {}\n", "parameter", "unit", "default",
                              "range", "description");
  for (const auto& p : parameter_docs()) {
    s += fmt::format("{:<30} {:<7} {:<32} {:<38} {}\n", p.path, p.unit, p.default_value, p.range,
                     p.description);
  }
  return s;
}

}  // namespace cimsim
