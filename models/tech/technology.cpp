#include "models/tech/technology.hpp"

#include <fmt/format.h>

#include "models/core/config_paths.hpp"
#include "models/core/registry.hpp"

namespace cimsim {

TechnologyCard parse_technology(const ConfigNode& given) {
  ConfigNode node = with_preset(given, "tech");
  node.free_text("description");
  node.free_text("source");

  TechnologyCard t;
  t.name = node.string("name");
  t.physics_name = node.string("physics");
  t.node = node.quantity<Dim::length>("node", {}, 1e-9, 1e-6, false);
  t.supply_voltage = node.quantity<Dim::voltage>("supply_voltage", {}, 0.0, 5.0);
  t.nominal_supply = node.quantity<Dim::voltage>("nominal_supply", t.supply_voltage.si, 0.0, 5.0);
  t.threshold_voltage = node.quantity<Dim::voltage>("threshold_voltage", 0.0, 0.0, 5.0, false);
  // Cross-checks blame the key the user wrote (`given`) over one the preset supplied.
  if (t.threshold_voltage.si > 0.0) {
    t.alpha_power = node.number("alpha_power", 1.0, 2.0);
    if (t.threshold_voltage.si >= t.supply_voltage.si) {
      if (given.has("supply_voltage") && !given.has("threshold_voltage")) {
        node.fail("supply_voltage", fmt::format("the supply {} V must be above the threshold "
                                                "voltage {} V",
                                                t.supply_voltage.si, t.threshold_voltage.si));
      }
      node.fail("threshold_voltage",
                fmt::format("threshold voltage {} V must be below the supply {} V",
                            t.threshold_voltage.si, t.supply_voltage.si));
    }
  } else if (node.has("alpha_power")) {
    // A threshold of 0 V written over a preset turns the supply scaling off, the preset's
    // alpha_power with it; alpha_power written beside it is a contradiction.
    if (!given.has("threshold_voltage") || given.has("alpha_power"))
      node.fail("alpha_power", "alpha_power applies only with a threshold_voltage above 0V");
    node.allow("alpha_power");
  }
  t.cell_area = node.quantity<Dim::feature_area>("cell_area", {}, 0.0, 1e5);
  t.read_pulse = node.quantity<Dim::time>("read_pulse", {}, 0.0, 1e-3);
  t.write_energy_per_cell = node.quantity<Dim::energy>("write_energy", {}, 0.0, 1e-6);
  t.write_time_per_row = node.quantity<Dim::time>("write_time", {}, 0.0, 1.0);
  t.endurance_cycles = node.number("endurance", 1.0, 1e20);

  t.programming_noise = make_device_noise(node, "programming_noise");
  t.read_noise = make_device_noise(node, "read_noise");
  t.drift_nu = node.number("drift_nu", 0.0, 1.0, 0.0);
  // aihwkit's PCM drift reference time (Nandakumar et al. 2019).
  t.drift_t0 = node.quantity<Dim::time>("drift_t0", 20.0, 0.0, 1e9);
  t.wire_resistance_per_cell =
      node.quantity<Dim::resistance>("wire_resistance_per_cell", 0.0, 0.0, 1e6, false);
  auto physics = Registry<CellPhysics>::instance().create(node, "physics");
  t.bits_per_cell =
      static_cast<int>(node.integer("bits_per_cell", 1, physics->max_bits_per_cell()));
  t.physics = std::move(physics);
  node.finish();
  return t;
}

}  // namespace cimsim
