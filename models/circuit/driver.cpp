#include "models/circuit/driver.hpp"

#include <cmath>

#include "models/circuit/scaling.hpp"
#include "models/core/error.hpp"

namespace cimsim {

namespace {
constexpr double kWireCapacitancePerMetre = 0.2e-15 / 1e-6;  // 0.2 fF/um, ITRS 2013
// F per access transistor: a cell-current-sized device about 4F (90 nm) wide at the PTM 22 nm
// gate capacitance of 0.85 (HP) to 1.43 (LSTP) fF/um that NeuroSim V1.4 computes
// (Technology.cpp capIdealGate + capOverlap + capFringe, formula.cpp CalculateGateCap); the
// width is an assumption, 1.5-4x a minimum device.
constexpr double kGateCapacitanceAt22nm = 0.1e-15;
// MOM unit capacitor and density: CiMLoop's models (mit-emze/cimloop, accelergy plug-in
// misc.py Capacitor: 2.3 fF/um^2 at 22 nm; its Wang et al. C-2C macro uses a 2 fF unit).
constexpr double kDacUnitCapacitance = 1e-15;  // F
constexpr double kMomDensity = 2e-15 / 1e-12;  // F per m^2 (2 fF/um^2)
// Per row: NeuroSim V1.4's level shifter is four inverter footprints, 8 transistors
// (LevelShifter.cpp); its buffer is not counted, so the driver area is a floor.
constexpr double kDriverTransistors = 8;
// Per DAC bit: a switch pair and a two-transistor hold; an assumption, no published count.
constexpr double kDacSwitchTransistors = 4;
constexpr double kBufferGmOverId = 10.0;  // 1/V, moderate inversion (Jespers and Murmann)
constexpr double kLadderAreaPerOhmAt22nm = 0.7e-14;  // m^2 per ohm of bits x R (CiMLoop)
constexpr double kLadderSwitchTransistors = 2;       // per bit: the leg's switch pair
}  // namespace

double r2r_mean_current_per_volt(int bits, double unit_resistance_ohm, double p) {
  // Node voltages in units of V_ref solve M v = b, with KCL times 2R at each node: 4 v0 - 2 v1
  // at the terminated LSB end, 5 vi - 2 v(i-1) - 2 v(i+1) inside, 3 v(N-1) - 2 v(N-2) at the
  // unloaded output. The reference feeds each leg whose bit is 1: I = sum_i b_i (1 - v_i) / 2R.
  // With G = M^-1 and independent bits, E[b_i b_j] = p^2 (i != j) and p (i = j), so
  // E[I] = (N p - p^2 sum_ij G_ij - (p - p^2) sum_i G_ii) / 2R.
  const int n = bits;
  if (n < 1 || n > 16) panic("r2r_mean_current_per_volt: a ladder of 1 to 16 bits");
  if (n == 1) return p * (1.0 - 0.5) / (2.0 * unit_resistance_ohm);  // 2R leg over 2R to ground
  double sum_all = 0, sum_diag = 0;
  for (int j = 0; j < n; ++j) {
    // Column j of G: the tridiagonal solve M g = e_j (Thomas algorithm, at most 16 nodes).
    double c_prime[16], d_prime[16], g[16];
    for (int i = 0; i < n; ++i) {
      const double diag = i == 0 ? 4.0 : (i == n - 1 ? 3.0 : 5.0);
      const double lower = i == 0 ? 0.0 : -2.0;
      const double upper = i == n - 1 ? 0.0 : -2.0;
      const double rhs = i == j ? 1.0 : 0.0;
      const double denom = diag - (i == 0 ? 0.0 : lower * c_prime[i - 1]);
      c_prime[i] = upper / denom;
      d_prime[i] = (rhs - (i == 0 ? 0.0 : lower * d_prime[i - 1])) / denom;
    }
    for (int i = n - 1; i >= 0; --i) g[i] = d_prime[i] - (i == n - 1 ? 0.0 : c_prime[i] * g[i + 1]);
    for (int i = 0; i < n; ++i) sum_all += g[i];
    sum_diag += g[j];
  }
  return (n * p - p * p * sum_all - (p - p * p) * sum_diag) / (2.0 * unit_resistance_ohm);
}

R2rDacCosts r2r_dac_costs(int bits, double unit_resistance_ohm, int ladders, double supply_v,
                          double hold_s, double bit_one_p, double node_m) {
  const double reference_v = supply_v / ladders;
  const double current_a =
      r2r_mean_current_per_volt(bits, unit_resistance_ohm, bit_one_p) * reference_v;
  R2rDacCosts c{};
  c.energy_per_conversion_j = ladders * reference_v * current_a * hold_s;
  const double node_scale = (node_m / 22e-9) * (node_m / 22e-9);
  c.area_m2 = ladders * (kLadderAreaPerOhmAt22nm * node_scale * bits * unit_resistance_ohm +
                         scaling::logic_area(kLadderSwitchTransistors * bits, node_m));
  return c;
}

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
    c.dac_area_m2 = units * kDacUnitCapacitance / kMomDensity +
                    scaling::logic_area(kDacSwitchTransistors * dac_bits, node_m);
  }
  return c;
}

}  // namespace cimsim
