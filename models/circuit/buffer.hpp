// SRAM buffers (tile input/output buffers, chiplet global buffer).
//
// Energy per bit accessed grows with capacity: Horowitz (ISSCC 2014, 45 nm) gives a 64-bit
// read of 10 pJ from 8 KB, 20 pJ from 32 KB and 100 pJ from 1 MB, which a power law
// E_64 = 10 pJ * (C / 8 KB)^0.475 fits within 6% (the exponent from the 8 KB and 1 MB points;
// wire length grows as the square root of capacity). Scaled to node and supply by scaling.hpp.
// Area: bits * 178.6 F^2 (NeuroSim's SRAM cell, 7.69 F x 23.23 F) / 0.7 array efficiency
// (decoders, sense amplifiers and I/O take about 30%, typical of CACTI's SRAM layouts).
#pragma once

namespace cimsim {

struct BufferCosts {
  double energy_per_bit_j;
  double area_m2;
};

BufferCosts sram_buffer_costs(double capacity_bits, double node_m, double supply_v);

}  // namespace cimsim
