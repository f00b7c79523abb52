// Action counts: the contract between mapping and cost (Accelergy's energy reference table).
//
// Components only count actions; the CostTable prices them. Counts are exact integers, so the
// analytical evaluator and the SystemC replay can be compared number for number. Statistical
// assumptions (how many input bits are 1, the mean stored level) live in the prices, not here.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace cimsim {

enum class Action : int {
  cell_read,          // one cell on a driven row, one input pulse (all used columns)
  row_drive,          // one word line driven for one input pulse
  dac_conversion,     // one multi-bit input conversion on a row
  adc_conversion,     // one column (or column-group) conversion
  shift_add,          // one ADC result shifted and added into a partial sum
  partial_sum_add,    // one output partial sum added across row tiles
  tile_buffer_bit,    // one bit read or written in a tile's input/output buffer
  global_buffer_bit,  // one bit read or written in a chiplet's global buffer
  link_bit_hop,       // one bit over one die-to-die link hop
  dram_bit,           // one bit to or from DRAM
  vector_mac,         // one multiply-accumulate in the digital vector unit (dynamic matmuls)
  vector_op,          // one elementwise add/multiply/compare in the vector unit
  vector_special,     // one exp, reciprocal, square root or tanh in the vector unit
  cell_write,         // one cell programmed (weights reloaded because the model does not fit)
  kv_cell_write,      // one cell programmed with an activation operand (keys, values) for a
                      // dynamic matmul run in the arrays (chiplet.dynamic_matmuls: arrays)
  count_
};

inline constexpr int kNumActions = static_cast<int>(Action::count_);

// The component an action's energy is booked to in the report's breakdown.
enum class Component : int {
  crossbar,
  drivers,
  adc,
  accumulation,
  buffers,
  d2d_link,
  dram,
  vector_unit,
  weight_write,
  kv_write,
  count_
};

inline constexpr int kNumComponents = static_cast<int>(Component::count_);

std::string_view action_name(Action a);
std::string_view component_name(Component c);
Component component_of(Action a);

struct ActionCounts {
  std::array<std::uint64_t, kNumActions> count{};

  std::uint64_t& operator[](Action a) { return count[static_cast<int>(a)]; }
  std::uint64_t operator[](Action a) const { return count[static_cast<int>(a)]; }
  ActionCounts& operator+=(const ActionCounts& other) {
    for (int i = 0; i < kNumActions; ++i) count[i] += other.count[i];
    return *this;
  }
  bool operator==(const ActionCounts&) const = default;
};

}  // namespace cimsim
