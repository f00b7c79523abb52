#include "models/circuit/digital.hpp"

#include "models/circuit/scaling.hpp"

namespace cimsim {

namespace {
constexpr double kAdd32At45nm = 0.1e-12;     // J, Horowitz ISSCC 2014
constexpr double kMul8At45nm = 0.2e-12;      // J
constexpr double kFp16AddAt45nm = 0.4e-12;   // J
constexpr double kFp16MulAt45nm = 1.1e-12;   // J
constexpr double kSpecialFunctionFmas = 10;  // FP16 FMAs per exp/reciprocal/rsqrt/tanh
constexpr double kFullAdderTransistors = 28;
constexpr double kFlipFlopTransistors = 24;
constexpr double kInt8MultiplierTransistors = 64 * kFullAdderTransistors;
// An estimate, no published count found: the 11 x 11 significand multiplier is about 110 full
// adders (3,100 transistors at 28 each); the alignment shifter, the 34-bit adder, leading-zero
// count, normaliser and rounding take about as much again twice over.
constexpr double kFp16FmaTransistors = 12000;
}  // namespace

DigitalCosts digital_costs(double node_m, double supply_v, int accumulator_bits) {
  auto scale = [&](double e45) { return scaling::digital_energy(e45, node_m, supply_v); };
  DigitalCosts c{};
  double add = scale(kAdd32At45nm * accumulator_bits / 32.0);
  c.shift_add_energy_j = add;
  c.partial_sum_add_energy_j = add;
  c.shift_add_area_m2 = scaling::logic_area(
      (kFullAdderTransistors + kFlipFlopTransistors) * accumulator_bits, node_m);
  c.vector_mac_energy_j = scale(kMul8At45nm + kAdd32At45nm);
  c.vector_op_energy_j = scale(kFp16AddAt45nm + kFp16MulAt45nm);
  c.vector_special_energy_j = kSpecialFunctionFmas * c.vector_op_energy_j;
  c.vector_lane_area_m2 = scaling::logic_area(
      kInt8MultiplierTransistors + kFlipFlopTransistors * 32 + kFp16FmaTransistors, node_m);
  return c;
}

}  // namespace cimsim
