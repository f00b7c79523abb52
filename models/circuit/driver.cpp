#include "models/circuit/driver.hpp"

#include <cmath>

#include "models/circuit/scaling.hpp"

namespace cimsim {

namespace {
constexpr double kWireCapacitancePerMetre = 0.2e-15 / 1e-6;  // 0.2 fF/um, ITRS 2013
constexpr double kGateCapacitanceAt22nm = 0.1e-15;           // F per access transistor
constexpr double kDacUnitCapacitance = 1e-15;                // F, matching-limited MOM unit
constexpr double kMomDensity = 2e-15 / 1e-12;                // F per m^2 (2 fF/um^2)
constexpr double kDriverTransistors = 8;     // level shifter and two-stage buffer per row
constexpr double kDacSwitchTransistors = 4;  // per DAC bit: switch pair and latch
constexpr double kBufferGmOverId = 10.0;     // 1/V, moderate inversion (Jespers and Murmann)
}  // namespace

RowDriverCosts row_driver_costs(double node_m, double supply_v, double row_length_m, int columns,
                                int dac_bits, double cell_load_f) {
  double gate = kGateCapacitanceAt22nm * (node_m / 22e-9);
  double c_row = kWireCapacitancePerMetre * row_length_m + gate * columns;
  RowDriverCosts c{};
  c.energy_per_drive_j = c_row * supply_v * supply_v;
  c.area_per_row_m2 = scaling::logic_area(kDriverTransistors, node_m);
  c.energy_per_dac_conversion_j = 0.0;
  if (dac_bits > 1) {
    double units = std::pow(2.0, dac_bits);
    const double load = c_row + cell_load_f * columns;
    const double settling_time_constants = std::log(std::pow(2.0, dac_bits + 1));
    const double buffer_j = 2.0 * settling_time_constants * load * supply_v / kBufferGmOverId;
    c.energy_per_dac_conversion_j = units * kDacUnitCapacitance * supply_v * supply_v + buffer_j;
    c.area_per_row_m2 += units * kDacUnitCapacitance / kMomDensity +
                         scaling::logic_area(kDacSwitchTransistors * dac_bits, node_m);
  }
  return c;
}

}  // namespace cimsim
