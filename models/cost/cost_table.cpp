#include "models/cost/cost_table.hpp"

#include <algorithm>
#include <cmath>

#include "models/circuit/adc.hpp"
#include "models/circuit/buffer.hpp"
#include "models/circuit/digital.hpp"
#include "models/circuit/driver.hpp"

namespace cimsim {

double CostTable::total_area_m2() const {
  double s = 0;
  for (double a : area_m2) s += a;
  return s;
}

CostTable build_cost_table(const ArchSpec& arch) {
  const auto& tech = arch.technology;
  const auto& xb = arch.crossbar;
  const double node = tech.node.si;
  const double vdd = tech.supply_voltage.si;
  CostTable t;
  t.activation_bits = xb.input_bits;
  t.accumulator_bits = arch.accumulator_bits();

  // Input statistics live in the prices: a driven row carries a 1 (or, with a DAC, its mean
  // drive level) with probability input_bit_density.
  const double density = xb.input_bit_density;
  const double cell_pitch = std::sqrt(tech.cell_area_m2());
  const int bits_per_cell = tech.bits_per_cell;
  t.conversion_cycles = xb.conversion_cycles();
  t.conversions_per_weight = xb.conversions_per_weight(bits_per_cell);
  t.shift_add_after_adc = xb.digital_shift_add(bits_per_cell);

  // Timing given at arch.timing_supply moves with the gate delay to the supply in use.
  t.timing_scale = arch.timing_scale();
  const double clock_hz = arch.clock.si / t.timing_scale;
  const double read_pulse_s = tech.read_pulse.si * t.timing_scale;
  AdcSpec adc_at_supply = xb.adc;
  adc_at_supply.sample_rate_hz /= t.timing_scale;

  const bool capacitive_dac = xb.input_encoding == "dac" && xb.dac_type == "capacitive";
  RowDriverCosts drv =
      row_driver_costs(node, vdd, cell_pitch * xb.columns, xb.columns,
                       capacitive_dac ? xb.dac_bits : 1, tech.physics->row_load_capacitance());
  if (xb.input_encoding == "dac" && xb.dac_type == "r2r") {
    // The ladder holds its row for the whole input cycle.
    const double hold_s = std::max(read_pulse_s, 1.0 / clock_hz);
    const R2rDacCosts r2r = r2r_dac_costs(xb.dac_bits, xb.dac_unit_resistance_ohm, xb.dac_ladders,
                                          vdd, hold_s, density, node);
    drv.energy_per_dac_conversion_j = r2r.energy_per_conversion_j;
    drv.dac_area_m2 = r2r.area_m2;
  }
  AdcCosts adc = adc_costs(adc_at_supply, node, vdd, tech.nominal_supply.si);
  const DigitalCosts dig = digital_costs(node, vdd, t.accumulator_bits);
  const double tile_buffer_bits = std::max(arch.tile.input_buffer.si, arch.tile.output_buffer.si);
  const BufferCosts tile_buf = sram_buffer_costs(tile_buffer_bits, node, vdd);
  const BufferCosts in_buf = sram_buffer_costs(arch.tile.input_buffer.si, node, vdd);
  const BufferCosts out_buf = sram_buffer_costs(arch.tile.output_buffer.si, node, vdd);
  const BufferCosts glb = sram_buffer_costs(arch.chiplet.global_buffer.si, node, vdd);

  auto set = [&](Action a, double e) { t.energy_j[static_cast<int>(a)] = e; };
  set(Action::cell_read, density * tech.physics->read_energy_per_active_cell(read_pulse_s, vdd));
  set(Action::row_drive, density * drv.energy_per_drive_j);
  set(Action::dac_conversion, drv.energy_per_dac_conversion_j);
  set(Action::adc_conversion, adc.energy_per_conversion_j);
  set(Action::shift_add, dig.shift_add_energy_j);
  set(Action::partial_sum_add, dig.partial_sum_add_energy_j);
  set(Action::tile_buffer_bit, tile_buf.energy_per_bit_j);
  set(Action::global_buffer_bit, glb.energy_per_bit_j);
  set(Action::link_bit_hop, arch.package.link.energy_per_bit.si);
  set(Action::dram_bit, arch.package.dram.energy_per_bit.si);
  set(Action::vector_mac, dig.vector_mac_energy_j);
  set(Action::vector_op, dig.vector_op_energy_j);
  set(Action::vector_special, dig.vector_special_energy_j);
  set(Action::cell_write, tech.write_energy_per_cell.si);
  set(Action::kv_cell_write, tech.write_energy_per_cell.si);

  // ADC channels: columns, or whole weights when a weight's columns are combined in analog.
  const int channels = xb.adc_channels(bits_per_cell);
  const double adc_bank_s = xb.adc.columns_per_adc * adc.conversion_time_s;
  t.read_cycle_s = std::max(read_pulse_s, 1.0 / clock_hz);
  t.adc_bank_s = adc_bank_s;
  t.analog_input_accumulation = xb.input_accumulation == "analog";
  if (xb.input_accumulation == "analog") {
    // Every input cycle (pulse or bit) accumulates on the column first; the bank converts once.
    t.array_cycle_s = t.read_cycle_s;
    t.array_vector_s = xb.input_cycles() * t.array_cycle_s + adc_bank_s;
  } else {
    // An array's input cycle overlaps the next read pulse with the ADC bank converting the
    // last one (sample-and-hold per column), so the slower of the two sets the cycle.
    t.array_cycle_s = std::max(t.read_cycle_s, adc_bank_s);
    t.array_vector_s = xb.input_cycles() * t.array_cycle_s;
  }
  // A biased front end senses for the whole time behind each conversion it feeds: one input
  // cycle (digital accumulation) or the whole vector (analog accumulation). Booked to the ADC.
  t.energy_j[static_cast<int>(Action::adc_conversion)] +=
      xb.adc.front_end_bias_a * vdd * t.array_vector_s / t.conversion_cycles;
  // A sampling integrator spends its sample energy on every input cycle it integrates.
  t.energy_j[static_cast<int>(Action::adc_conversion)] +=
      xb.adc.sample_energy_j * xb.input_cycles() / t.conversion_cycles;
  t.vector_lanes = arch.chiplet.vector_lanes;
  t.vector_lane_ops_per_s = clock_hz;
  t.vector_special_cycles = 10;  // digital.hpp: a special function is ten multiply-adds
  t.link_bandwidth_bps = arch.package.link.bandwidth.si;
  t.link_latency_per_hop_s = arch.package.link.latency_per_hop.si;
  t.dram_bandwidth_bps = arch.package.dram.bandwidth.si;
  t.write_time_per_row_s = tech.write_time_per_row.si;

  // Area of the whole package.
  const double arrays = static_cast<double>(arch.total_arrays());
  const double adcs_per_array = std::ceil(static_cast<double>(channels) / xb.adc.columns_per_adc);
  const double cells = arrays * xb.rows * xb.columns * tech.cell_area_m2();
  // A driver per row; the inputs' DACs are per active row, multiplexed onto the row groups.
  const double drivers =
      arrays * (xb.rows * drv.area_per_row_m2 + xb.active_rows * drv.dac_area_m2);
  const double adc_area = arrays * adcs_per_array * adc.area_m2;
  // A shift-and-add unit per ADC only where something is combined after conversion: bits or
  // slices, or the codes of row groups taking turns.
  const bool combined_after_adc = t.shift_add_after_adc || xb.active_rows < xb.rows;
  const double accum = combined_after_adc ? arrays * adcs_per_array * dig.shift_add_area_m2 : 0.0;
  const double tiles = static_cast<double>(arch.chiplet.tiles) * arch.package.chiplets();
  const double buffers =
      tiles * (in_buf.area_m2 + out_buf.area_m2) + arch.package.chiplets() * glb.area_m2;
  const double vector = static_cast<double>(arch.package.chiplets()) * arch.chiplet.vector_lanes *
                        dig.vector_lane_area_m2;
  auto area = [&](Component c) -> double& { return t.area_m2[static_cast<int>(c)]; };
  area(Component::crossbar) = cells;
  area(Component::drivers) = drivers;
  area(Component::adc) = adc_area;
  area(Component::accumulation) = accum;
  area(Component::buffers) = buffers;
  area(Component::vector_unit) = vector;
  t.area_per_array_m2 = (cells + drivers + adc_area + accum) / arrays;
  return t;
}

std::array<double, kNumComponents> price(const ActionCounts& counts, const CostTable& table) {
  std::array<double, kNumComponents> out{};
  for (int i = 0; i < kNumActions; ++i) {
    out[static_cast<int>(component_of(static_cast<Action>(i)))] +=
        static_cast<double>(counts.count[i]) * table.energy_j[i];
  }
  return out;
}

}  // namespace cimsim
