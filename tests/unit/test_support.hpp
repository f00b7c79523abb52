// Helpers shared by the unit tests: a small architecture written inline.
#pragma once

#include <string>

#include "models/arch/arch_spec.hpp"
#include "models/workload/workload.hpp"

namespace cimsim::test {

// A small ReRAM architecture; `crossbar_extra` and `technology` let a test change one thing.
inline std::string small_arch_yaml(
    const std::string& technology = "{preset: reram_22nm}",
    const std::string& crossbar = "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n",
    const std::string& adc = "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2}",
    int arrays_per_tile = 4) {
  return "name: small\n"
         "technology: " +
         technology +
         "\n"
         "clock: 1GHz\n"
         "crossbar:\n  " +
         crossbar + "  adc: " + adc +
         "\n"
         "tile: {arrays: " +
         std::to_string(arrays_per_tile) +
         ", input_buffer: 1KiB, output_buffer: 1KiB}\n"
         "chiplet: {tiles: 2, global_buffer: 64KiB, vector_lanes: 4}\n"
         "package:\n"
         "  mesh: {columns: 2, rows: 1}\n"
         "  link: {energy_per_bit: 0.5pJ/bit, bandwidth: 1GB/s, latency_per_hop: 2ns}\n"
         "  dram: {energy_per_bit: 4pJ/bit, bandwidth: 8GB/s}\n";
}

inline ArchSpec parse_arch_text(const std::string& yaml, ResolvedConfig* resolved = nullptr) {
  return parse_arch(ConfigNode::load_string(yaml, "test.yaml", resolved), "test.yaml");
}

// A hand-sized attention: 4 products of a 3 x 6 by a 6 x 3 operand, two instances per operand
// (grouped-query attention), whose query and operand come from op `producer`.
inline Op grouped_attention_op(int producer, Op::CachedAxis appended) {
  Op dyn;
  dyn.name = "qk";
  dyn.kind = OpKind::dynamic_matmul;
  dyn.inputs = {producer, producer};
  dyn.instances = 4;
  dyn.operand_instances = 2;
  dyn.m = 3;
  dyn.k = 6;
  dyn.n = 3;
  dyn.output_elements = 4 * 3 * 3;
  dyn.appended_axis = appended;
  return dyn;
}

}  // namespace cimsim::test
