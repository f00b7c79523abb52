// A weight matrix's tile as TLM-2.0 loosely-timed modules: the tile (input buffer, shift-add,
// accumulators, output buffer), its crossbar arrays and its ADC bank, each a target that
// annotates its delay on b_transport.
//
// One transaction into the tile is one row (one input vector) of the op the matrix serves. The
// tile first fills its input buffer with the row's activations that come over the mesh (their
// serialization time, which the analytical evaluator also adds to the op's time), then forwards
// the vector to the arrays and to the ADC bank:
//   - digital input accumulation: the arrays read the input cycles one after another while the
//     bank converts the previous cycle's sampled columns (sample-and-hold per column), so both
//     start when the vector does, the arrays busy cycles x read_cycle_s and the bank cycles x
//     adc_bank_s; the vector is done when the slower is: cycles x max(read, bank).
//   - analog input accumulation: the cycles accumulate on the columns first, then the bank
//     converts once: cycles x read_cycle_s, then adc_bank_s.
// With crossbar.active_rows below rows, each array runs its row groups one after another, each
// group a whole vector as above, so both stages take g_a times as long (for_row_groups).
// Both reproduce the cost table's array_vector_s (CostTable: "digital input accumulation
// overlaps them, analog runs the cycles, then the bank once"), which is how the replay stays
// equal to the closed form. Shift-add, partial-sum accumulation across row tiles and the
// buffers take no time of their own in the closed form (they keep pace with the ADC), so the
// tile books none; they only count actions.
//
// One CrossbarArray module stands for all row_tiles x col_tiles arrays of the matrix and one
// AdcBank for all of their banks: they see the same input vector at the same time and run in
// lockstep, so one module each gives the same timing as one per physical array at a fraction
// of the transactions. Each bank converts the columns of its own array only, so banks are
// shared across columns, never across matrices.
//
// Every stage serves vectors first come, first served (free_at): a vector that arrives while
// the arrays or the bank are busy waits. In the weight-stationary replay every matrix has its
// own arrays and an op sends its next row only when the last one is done, so this never
// engages there (the contention-free replay equals the closed form); it does when two
// initiators share a tile (tests/hw checks the closed form of that case).
//
// Each stage counts its own actions vector by vector: the arrays cell reads, row drives and
// DAC conversions, the bank ADC conversions, the tile shift-adds, partial-sum adds and buffer
// bits, from the evaluator's count_weight_matmul with one vector (linear in vectors), so their
// sums equal the analytical counts.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "models/core/actions.hpp"
#include "models/cost/cost_table.hpp"

namespace cimsim {

// The payload of a row transaction (the generic payload's data pointer points at it).
struct RowJob {
  int op = 0;
  std::int64_t row = 0;
};

// Told of every row a tile serves (the replay counts the row's share of other actions).
class RowObserver {
 public:
  virtual ~RowObserver() = default;
  virtual void row_served(const RowJob& job) = 0;
};

// Times of one input vector, integer femtoseconds (the replay's kernel resolution).
struct TileTiming {
  std::uint64_t array_fs = 0;  // the arrays: cycles x read_cycle_s
  std::uint64_t adc_fs = 0;    // the bank: cycles x adc_bank_s (digital) or adc_bank_s (analog)
  bool analog = false;         // analog input accumulation: the bank converts after the arrays

  static TileTiming from(const CostTable& costs, int input_cycles);
  // A matrix whose arrays run `row_groups` groups of active rows per vector, one after another
  // (crossbar.active_rows): each group is a whole vector's cycles and conversions.
  TileTiming for_row_groups(std::int64_t row_groups) const;
  // One uncontended vector: max(arrays, bank) digital, arrays + bank analog.
  std::uint64_t vector_fs() const;
};

// Actions one input vector costs a stage: (action, count) pairs.
using VectorActions = std::vector<std::pair<Action, std::uint64_t>>;

// The per-vector counts of a matrix (count_weight_matmul with m = 1) split by the stage that
// performs them.
struct TileActions {
  VectorActions arrays;  // cell_read, row_drive, dac_conversion
  VectorActions adc;     // adc_conversion
  VectorActions tile;    // shift_add, partial_sum_add, tile_buffer_bit, global_buffer_bit
  static TileActions split(const ActionCounts& one_vector);
};

// Loosely timed only: these modules implement b_transport and refuse the approximately-timed
// and debug calls. They bind plain TLM sockets to themselves (the interface is called directly)
// rather than tlm_utils' simple sockets, whose per-socket processes, events and callback
// dispatch made elaboration and every call several times slower.
class LooselyTimedTarget : public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                     sc_core::sc_time&) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};

// A stage that serves one vector at a time for a fixed time, first come, first served.
class VectorStage : public sc_core::sc_module, public LooselyTimedTarget {
 public:
  tlm::tlm_target_socket<> socket;

  VectorStage(sc_core::sc_module_name name, sc_core::sc_time per_vector, VectorActions actions);

  sc_core::sc_time busy() const { return busy_; }
  // Time vectors spent waiting for the stage (arrived while it was busy).
  sc_core::sc_time waited() const { return waited_; }
  std::uint64_t vectors() const { return vectors_; }
  void add_counts(ActionCounts& to) const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;

  sc_core::sc_time per_vector_;
  VectorActions actions_;
  sc_core::sc_time free_at_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time waited_ = sc_core::SC_ZERO_TIME;
  std::uint64_t vectors_ = 0;
};

// The crossbar arrays of one matrix (row_tiles x col_tiles arrays in lockstep): the cells and
// their row drivers/DACs, busy for the vector's input cycles.
class CrossbarArray : public VectorStage {
 public:
  CrossbarArray(sc_core::sc_module_name name, const TileTiming& timing, VectorActions actions)
      : VectorStage(name, sc_core::sc_time::from_value(timing.array_fs), std::move(actions)) {}
};

// The ADC banks of one matrix's arrays (each shared by its array's columns, columns_per_adc
// per converter), busy converting the vector's cycles (digital) or its accumulated sums once
// (analog).
class AdcBank : public VectorStage {
 public:
  AdcBank(sc_core::sc_module_name name, const TileTiming& timing, VectorActions actions)
      : VectorStage(name, sc_core::sc_time::from_value(timing.adc_fs), std::move(actions)) {}
};

// The tile of one matrix: input buffer, the arrays and the bank (child modules, bound through
// the tile's initiator sockets), shift-add, accumulators and output buffer.
class Tile : public sc_core::sc_module,
             public LooselyTimedTarget,
             public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_target_socket<> socket;
  tlm::tlm_initiator_socket<> to_arrays;
  tlm::tlm_initiator_socket<> to_adc;

  // input_fill: per row, the time the row's remote activations take to fill the input buffer.
  Tile(sc_core::sc_module_name name, const TileTiming& timing, const TileActions& actions,
       sc_core::sc_time input_fill, RowObserver* observer);

  const CrossbarArray& arrays() const { return arrays_; }
  const AdcBank& adc() const { return adc_; }
  std::uint64_t rows() const { return rows_; }
  // Time rows and vectors waited: for the input buffer, the arrays and the ADC bank.
  sc_core::sc_time waited() const { return input_waited_ + arrays_.waited() + adc_.waited(); }
  // b_transport calls the tile made to its arrays and bank.
  std::uint64_t inner_transactions() const { return 2 * rows_; }
  // Every action the tile and its stages counted.
  ActionCounts counts() const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                     sc_core::sc_time&) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

  bool analog_;
  sc_core::sc_time input_fill_;
  VectorActions actions_;
  RowObserver* observer_;
  CrossbarArray arrays_;
  AdcBank adc_;
  tlm::tlm_generic_payload inner_;
  sc_core::sc_time input_free_at_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time input_waited_ = sc_core::SC_ZERO_TIME;
  std::uint64_t rows_ = 0;
};

}  // namespace cimsim
