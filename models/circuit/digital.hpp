// Digital arithmetic next to the arrays: shift-and-add, partial-sum adders, the vector unit.
//
// Energies from Horowitz (ISSCC 2014, 45 nm, 0.9 V), scaled by scaling.hpp: an n-bit integer
// add costs 0.1 pJ * n / 32 (32-bit add 0.1 pJ; the 8-bit add's 0.03 pJ agrees within 20%);
// an 8-bit multiply 0.2 pJ; FP16 add 0.4 pJ and multiply 1.1 pJ. Vector unit: a dynamic-matmul
// MAC is an INT8 multiply plus a 32-bit accumulate; an elementwise op is one FP16 multiply-add;
// a special function (exp, reciprocal, rsqrt, tanh) is ten FP16 multiply-adds (range
// reduction plus a degree-5 polynomial and a Newton step). Areas from transistor counts (Weste
// and Harris, CMOS VLSI Design, 4th ed.): mirror full adder 28, flip-flop 24 per bit, INT8
// array multiplier 64 full adders; FP16 FMA about 12,000, an estimate (digital.cpp).
#pragma once

namespace cimsim {

struct DigitalCosts {
  double shift_add_energy_j;        // one accumulator-width add with its register
  double shift_add_area_m2;         // one shift-and-add unit (per ADC)
  double partial_sum_add_energy_j;  // one accumulator-width add across row tiles
  double vector_mac_energy_j;
  double vector_op_energy_j;
  double vector_special_energy_j;
  double vector_lane_area_m2;
};

DigitalCosts digital_costs(double node_m, double supply_v, int accumulator_bits);

}  // namespace cimsim
