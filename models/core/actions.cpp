#include "models/core/actions.hpp"

#include "models/core/error.hpp"

namespace cimsim {

std::string_view action_name(Action a) {
  switch (a) {
    case Action::cell_read: return "cell_read";
    case Action::row_drive: return "row_drive";
    case Action::dac_conversion: return "dac_conversion";
    case Action::adc_conversion: return "adc_conversion";
    case Action::shift_add: return "shift_add";
    case Action::partial_sum_add: return "partial_sum_add";
    case Action::tile_buffer_bit: return "tile_buffer_bit";
    case Action::global_buffer_bit: return "global_buffer_bit";
    case Action::link_bit_hop: return "link_bit_hop";
    case Action::dram_bit: return "dram_bit";
    case Action::vector_mac: return "vector_mac";
    case Action::vector_op: return "vector_op";
    case Action::vector_special: return "vector_special";
    case Action::cell_write: return "cell_write";
    case Action::kv_cell_write: return "kv_cell_write";
    case Action::count_: break;
  }
  panic("action_name: not an action");
}

std::string_view component_name(Component c) {
  switch (c) {
    case Component::crossbar: return "crossbar";
    case Component::drivers: return "drivers";
    case Component::adc: return "adc";
    case Component::accumulation: return "accumulation";
    case Component::buffers: return "buffers";
    case Component::d2d_link: return "d2d_link";
    case Component::dram: return "dram";
    case Component::vector_unit: return "vector_unit";
    case Component::weight_write: return "weight_write";
    case Component::kv_write: return "kv_write";
    case Component::count_: break;
  }
  panic("component_name: not a component");
}

Component component_of(Action a) {
  switch (a) {
    case Action::cell_read: return Component::crossbar;
    case Action::row_drive:
    case Action::dac_conversion: return Component::drivers;
    case Action::adc_conversion: return Component::adc;
    case Action::shift_add:
    case Action::partial_sum_add: return Component::accumulation;
    case Action::tile_buffer_bit:
    case Action::global_buffer_bit: return Component::buffers;
    case Action::link_bit_hop: return Component::d2d_link;
    case Action::dram_bit: return Component::dram;
    case Action::vector_mac:
    case Action::vector_op:
    case Action::vector_special: return Component::vector_unit;
    case Action::cell_write: return Component::weight_write;
    case Action::kv_cell_write: return Component::kv_write;
    case Action::count_: break;
  }
  panic("component_of: not an action");
}

}  // namespace cimsim
