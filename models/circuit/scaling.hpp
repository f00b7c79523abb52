// Technology scaling of digital energy and area.
//
// Assumptions: dynamic energy is C * V^2 with switched capacitance proportional to the feature
// size (Dennard et al., IEEE JSSC 1974), anchored at Horowitz's 45 nm, 0.9 V figures (ISSCC
// 2014). Below 45 nm real energy scales more slowly than this (Stillmaker and Baas, Integration
// 2017), so digital energy at 7 nm is optimistic. Logic area: 135 F^2 per transistor, derived
// from Intel 22 nm's 15.3 million transistors per mm^2 (M. Bohr, IDF 2014); it gives 3.7 MTr/mm^2
// at 45 nm (Intel 45 nm: about 3.3) and 151 at 7 nm (TSMC N7: about 91, fins stopped scaling).
#pragma once

#include <cmath>

namespace cimsim::scaling {

inline constexpr double kHorowitzNode = 45e-9;  // m
inline constexpr double kHorowitzSupply = 0.9;  // V
inline constexpr double kLogicTransistorAreaF2 = 135.0;

// Energy of a digital event measured at 45 nm / 0.9 V, moved to `node` and `supply`.
inline double digital_energy(double energy_at_45nm, double node, double supply) {
  double v = supply / kHorowitzSupply;
  return energy_at_45nm * (node / kHorowitzNode) * v * v;
}

// Gate delay at `supply` relative to `reference_supply` by the alpha-power law (Sakurai and
// Newton, IEEE JSSC 1990): t_d ~ C V / I_on with I_on ~ (V - Vt)^alpha.
inline double gate_delay_ratio(double supply, double reference_supply, double threshold,
                               double alpha) {
  if (threshold <= 0.0 || supply == reference_supply) return 1.0;
  auto delay = [&](double v) { return v / std::pow(v - threshold, alpha); };
  return delay(supply) / delay(reference_supply);
}

// Area of `transistors` logic transistors at `node`.
inline double logic_area(double transistors, double node) {
  return transistors * kLogicTransistorAreaF2 * node * node;
}

}  // namespace cimsim::scaling
