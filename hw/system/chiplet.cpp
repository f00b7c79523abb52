#include "hw/system/chiplet.hpp"

#include <string>

#include "models/core/error.hpp"

namespace cimsim {

using sc_core::sc_time;

RowServer::RowServer(sc_core::sc_module_name name, const std::vector<sc_time>& row_service,
                     RowObserver* observer, bool shared)
    : sc_module(name),
      socket("socket"),
      row_service_(row_service),
      observer_(observer),
      shared_(shared) {
  socket.bind(*this);
}

void RowServer::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const auto* job = reinterpret_cast<const RowJob*>(trans.get_data_ptr());
  const sc_time& service = row_service_[static_cast<size_t>(job->op)];
  const sc_time now = sc_core::sc_time_stamp();
  sc_time start = now + delay;
  if (shared_ && start < free_at_) start = free_at_;
  free_at_ = start + service;
  busy_ += service;
  ++rows_;
  delay = free_at_ - now;
  if (observer_) observer_->row_served(*job);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

Chiplet::Chiplet(sc_core::sc_module_name name, int ops, const ChipletPlan& plan,
                 const TileTiming& timing, const std::vector<sc_time>& row_service,
                 RowObserver* observer, bool shared)
    : sc_module(name), child_of_op_(static_cast<size_t>(ops), -1) {
  for (const auto& t : plan.tiles) {
    child_of_op_[static_cast<size_t>(t.op)] = static_cast<int>(tiles_.size());
    tiles_.push_back(std::make_unique<Tile>(("tile_" + std::to_string(t.matrix)).c_str(),
                                            timing.for_row_groups(t.groups_per_array), t.actions,
                                            t.input_fill, observer));
  }
  if (!plan.vector_ops.empty()) {
    vector_unit_ = std::make_unique<RowServer>("vector_unit", row_service, observer, shared);
    for (int op : plan.vector_ops)
      child_of_op_[static_cast<size_t>(op)] = static_cast<int>(tiles_.size());
  }
  for (const auto& o : plan.operand_ops) {
    child_of_op_[static_cast<size_t>(o.op)] =
        static_cast<int>(tiles_.size() + 1 + operand_arrays_.size());
    operand_arrays_.push_back(std::make_unique<RowServer>(
        ("kv_arrays_" + std::to_string(o.matrix)).c_str(), row_service, observer, false));
  }
}

tlm::tlm_target_socket<>& Chiplet::socket_for(int op) {
  const int child = op >= 0 && static_cast<size_t>(op) < child_of_op_.size()
                        ? child_of_op_[static_cast<size_t>(op)]
                        : -1;
  if (child < 0) panic("Chiplet: rows of an op sent to a chiplet it is not placed on");
  const size_t at = static_cast<size_t>(child);
  if (at < tiles_.size()) return tiles_[at]->socket;
  if (at == tiles_.size()) return vector_unit_->socket;
  return operand_arrays_[at - tiles_.size() - 1]->socket;
}

}  // namespace cimsim
