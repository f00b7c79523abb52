#include "hw/system/tile.hpp"

#include <algorithm>
#include <cmath>

#include "models/core/error.hpp"

namespace cimsim {

using sc_core::sc_time;

namespace {

std::uint64_t femtoseconds(double s) {
  return static_cast<std::uint64_t>(std::llround(s * 1e15));
}

}  // namespace

TileTiming TileTiming::from(const CostTable& costs, int input_cycles) {
  if (input_cycles < 1) panic("TileTiming: an input vector needs at least one input cycle");
  TileTiming t;
  t.analog = costs.analog_input_accumulation;
  t.array_fs = femtoseconds(input_cycles * costs.read_cycle_s);
  t.adc_fs = femtoseconds(t.analog ? costs.adc_bank_s : input_cycles * costs.adc_bank_s);
  return t;
}

TileTiming TileTiming::for_row_groups(std::int64_t row_groups) const {
  if (row_groups < 1) panic("TileTiming: a matrix runs at least one row group");
  TileTiming t = *this;
  t.array_fs *= static_cast<std::uint64_t>(row_groups);
  t.adc_fs *= static_cast<std::uint64_t>(row_groups);
  return t;
}

std::uint64_t TileTiming::vector_fs() const {
  return analog ? array_fs + adc_fs : std::max(array_fs, adc_fs);
}

TileActions TileActions::split(const ActionCounts& v) {
  TileActions t;
  auto take = [&](VectorActions& to, std::initializer_list<Action> actions) {
    for (Action a : actions) {
      if (v[a] != 0) to.emplace_back(a, v[a]);
    }
  };
  take(t.arrays, {Action::cell_read, Action::row_drive, Action::dac_conversion});
  take(t.adc, {Action::adc_conversion});
  take(t.tile, {Action::shift_add, Action::partial_sum_add, Action::tile_buffer_bit,
                Action::global_buffer_bit});
  return t;
}

tlm::tlm_sync_enum LooselyTimedTarget::nb_transport_fw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                                       sc_time&) {
  panic("hw/system: the tile's modules are loosely timed; nb_transport is not modelled");
}

VectorStage::VectorStage(sc_core::sc_module_name name, sc_time per_vector, VectorActions actions)
    : sc_module(name), socket("socket"), per_vector_(per_vector), actions_(std::move(actions)) {
  socket.bind(*this);
}

void VectorStage::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const sc_time now = sc_core::sc_time_stamp();
  sc_time start = now + delay;
  if (start < free_at_) {  // busy with an earlier vector: wait
    waited_ += free_at_ - start;
    start = free_at_;
  }
  free_at_ = start + per_vector_;
  busy_ += per_vector_;
  ++vectors_;
  delay = free_at_ - now;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// Counts are linear in vectors (count_weight_matmul), so vectors served x one vector's actions
// is the count, exactly.
void VectorStage::add_counts(ActionCounts& to) const {
  for (const auto& [a, n] : actions_) to[a] += vectors_ * n;
}

Tile::Tile(sc_core::sc_module_name name, const TileTiming& timing, const TileActions& actions,
           sc_time input_fill, RowObserver* observer)
    : sc_module(name),
      socket("socket"),
      to_arrays("to_arrays"),
      to_adc("to_adc"),
      analog_(timing.analog),
      input_fill_(input_fill),
      actions_(actions.tile),
      observer_(observer),
      arrays_("arrays", timing, actions.arrays),
      adc_("adc_bank", timing, actions.adc) {
  socket.bind(static_cast<tlm::tlm_fw_transport_if<>&>(*this));
  // The tile is both interfaces: name the backward one, or the port would bind to the forward.
  // It must be bound before the target socket, which asks the export for it.
  auto& backward = static_cast<tlm::tlm_bw_transport_if<>&>(*this);
  to_arrays.bind(backward);
  to_arrays.bind(arrays_.socket);
  to_adc.bind(backward);
  to_adc.bind(adc_.socket);
  inner_.set_command(tlm::TLM_IGNORE_COMMAND);
}

void Tile::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const sc_time now = sc_core::sc_time_stamp();
  // The input buffer takes the row's remote activations (double-buffered: the next row may fill
  // while this one computes).
  sc_time start = now + delay;
  if (start < input_free_at_) {
    input_waited_ += input_free_at_ - start;
    start = input_free_at_;
  }
  input_free_at_ = start + input_fill_;
  const sc_time vector_start = input_free_at_ - now;
  sc_time arrays_done = vector_start;
  to_arrays->b_transport(inner_, arrays_done);
  // Digital: the bank converts cycle by cycle alongside the arrays. Analog: once, after them.
  sc_time adc_done = analog_ ? arrays_done : vector_start;
  to_adc->b_transport(inner_, adc_done);
  delay = analog_ ? adc_done : std::max(arrays_done, adc_done);
  ++rows_;
  if (observer_) observer_->row_served(*reinterpret_cast<const RowJob*>(trans.get_data_ptr()));
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

tlm::tlm_sync_enum Tile::nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&) {
  panic("hw/system: the tile's modules are loosely timed; nb_transport is not modelled");
}

ActionCounts Tile::counts() const {
  ActionCounts c;
  arrays_.add_counts(c);
  adc_.add_counts(c);
  for (const auto& [a, n] : actions_) c[a] += rows_ * n;
  return c;
}

}  // namespace cimsim
