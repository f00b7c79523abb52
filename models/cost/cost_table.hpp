// The cost table: what one action costs on one architecture (Accelergy's energy reference
// table), plus the timing and area constants the evaluator needs. Built once per ArchSpec from
// the technology card and the circuit models; the evaluator only multiplies counts by it.
#pragma once

#include <array>

#include "models/arch/arch_spec.hpp"
#include "models/core/actions.hpp"

namespace cimsim {

struct CostTable {
  std::array<double, kNumActions> energy_j{};  // per action

  // Timing.
  double array_cycle_s = 0;   // one input cycle of one array: read pulse vs ADC bank vs clock
  double array_vector_s = 0;  // one input vector through one array (all input cycles)
  // The two resources behind array_cycle_s, for models that time them separately (the SystemC
  // tile): one input cycle of the cells (read pulse or clock, the slower), and the ADC bank
  // converting all its channels once (columns_per_adc / f_s). Digital input accumulation
  // overlaps them (cycle = max of the two); analog runs the cycles, then the bank once.
  double read_cycle_s = 0;
  double adc_bank_s = 0;
  bool analog_input_accumulation = false;
  double vector_lane_ops_per_s = 0;  // per lane
  double vector_special_cycles = 0;  // cycles per special function per lane
  int vector_lanes = 0;
  double link_bandwidth_bps = 0;
  double link_latency_per_hop_s = 0;
  double dram_bandwidth_bps = 0;
  double write_time_per_row_s = 0;

  // Area of the whole package by component, m^2 (crossbar, drivers, adc, accumulation,
  // buffers, vector_unit; links and DRAM PHYs are not modelled).
  std::array<double, kNumComponents> area_m2{};
  double area_per_array_m2 = 0;  // cells, drivers, ADCs and shift-adders of one array

  // How a vector's dot products reach the ADC (CrossbarSpec::input_accumulation and
  // weight_accumulation): conversions per vector are conversion_cycles * (outputs *
  // conversions_per_weight + reference columns), and a shift-add follows each when digital.
  int conversion_cycles = 1;
  int conversions_per_weight = 1;
  bool shift_add_after_adc = true;
  double timing_scale = 1;  // gate delay at the supply over delay at the timing supply

  int activation_bits = 8;  // bits per activation moved between ops
  int accumulator_bits = 0;

  double energy(Action a) const { return energy_j[static_cast<int>(a)]; }
  double total_area_m2() const;
};

CostTable build_cost_table(const ArchSpec& arch);

// Prices a set of counts: total energy per component.
std::array<double, kNumComponents> price(const ActionCounts& counts, const CostTable& table);

}  // namespace cimsim
