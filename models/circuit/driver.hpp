// Word-line drivers and input DACs.
//
// Bit-serial inputs: each input bit that is 1 drives its word line for one read pulse; the
// driver charges the word line, E = (C_wire * L_row + C_gate * columns) * V^2 (wire
// capacitance 0.2 fF/um for intermediate metal, ITRS 2013 interconnect tables; gate load
// 0.1 fF per access transistor at 22 nm scaled with node, from C_ox * W * L). DAC inputs: a
// binary-weighted capacitive DAC per row switches on average 2^N unit capacitors,
// E = 2^N * C_u * V^2 (upper bound of Saberi et al., IEEE TCAS-I 2011), with C_u = 1 fF (a
// matching-limited metal-oxide-metal unit capacitor) and 2 fF/um^2 MOM density. The analog
// level must then be driven onto the row: a class-A buffer settles the row load C_L (wire, gates
// and any compute capacitors the row charges) to N+1 bits in half a cycle, so it needs
// gm = C_L ln(2^(N+1)) / (t/2) and a bias I = gm / (gm/I_D), drawn for the whole cycle t:
// E_buffer = I V_dd t = 2 ln(2^(N+1)) C_L V_dd / (gm/I_D), independent of the cycle time.
// gm/I_D = 10 /V, moderate inversion (Jespers and Murmann, "Systematic Design of Analog CMOS
// Circuits", Cambridge 2017); settling to half an LSB takes ln(2^(N+1)) time constants (Razavi,
// "Design of Analog CMOS Integrated Circuits", 2nd ed., ch. 13).
//
// R-2R ladder DAC (dac_type: r2r): a voltage-mode ladder whose 2R legs switch between the
// reference and ground drives the row directly, without a buffer (Wang et al., JSSC 2023 chose
// it because a C-2C DAC cannot drive the row's fan-out). It conducts for the whole input cycle
// t, so E = V_ref * E[I] * t per ladder: static power, unlike the capacitive DAC, and so a
// larger share of the energy per operation at a slow clock (low supply). E[I] follows from
// Kirchhoff's current law on the ladder's nodes for independent input bits that are 1 with
// probability p (see r2r_mean_current_per_volt). With two ladders (one per input sign, each
// spanning half the supply around a mid-rail) only the input's ladder conducts, E[I] at V/2,
// but the mid-rail it returns to (or sources from) is derived from the supply, so the supply
// delivers V_dd * E[I(V/2)] * t: the same as both ladders at V/2 each. Area: 0.7e-14 m^2 per ohm of
// bits x R at 22 nm, scaled with the node squared (CiMLoop component library, Andrulis et al.,
// ISPASS 2024).
#pragma once

namespace cimsim {

struct RowDriverCosts {
  double energy_per_drive_j;  // one word line, one pulse
  double area_per_row_m2;     // word-line driver, every row
  double dac_area_m2;         // input DAC, one per active row (0 when bit-serial)
  double energy_per_dac_conversion_j;
};

// Mean current drawn from the reference by an unloaded `bits`-bit R-2R ladder of unit
// resistance R, per volt of reference, when each bit is 1 with probability `bit_one_p`.
double r2r_mean_current_per_volt(int bits, double unit_resistance_ohm, double bit_one_p);

struct R2rDacCosts {
  double energy_per_conversion_j;
  double area_m2;
};

// `ladders`: 1, or 2 (one per input sign, each spanning half the supply); `hold_s`: the time
// the ladder drives its row per conversion (one input cycle).
R2rDacCosts r2r_dac_costs(int bits, double unit_resistance_ohm, int ladders, double supply_v,
                          double hold_s, double bit_one_p, double node_m);

// `cell_load_f`: capacitance each cell adds to the row beyond its access gate (charge-domain
// compute capacitors), which a DAC's buffer must settle.
RowDriverCosts row_driver_costs(double node_m, double supply_v, double row_length_m, int columns,
                                int dac_bits, double cell_load_f = 0.0);

}  // namespace cimsim
