// Word-line drivers and input DACs.
//
// Bit-serial inputs: each input bit that is 1 drives its word line for one read pulse; the
// driver charges the word line, E = (C_wire * L_row + C_gate * columns) * V^2 (wire
// capacitance 0.2 fF/um for intermediate metal, ITRS 2013 interconnect tables; gate load
// 0.1 fF per access transistor at 22 nm scaled with node, from C_ox * W * L). DAC inputs: a
// binary-weighted capacitive DAC per row switches on average 2^N unit capacitors,
// E = 2^N * C_u * V^2 (upper bound of Saberi et al., IEEE TCAS-I 2011), with C_u = 1 fF (a
// matching-limited metal-oxide-metal unit capacitor) and 2 fF/um^2 MOM density.
#pragma once

namespace cimsim {

struct RowDriverCosts {
  double energy_per_drive_j;  // one word line, one pulse
  double area_per_row_m2;     // driver (and DAC) per row
  double energy_per_dac_conversion_j;
};

RowDriverCosts row_driver_costs(double node_m, double supply_v, double row_length_m, int columns,
                                int dac_bits);

}  // namespace cimsim
