#include "models/circuit/buffer.hpp"

#include <cmath>

#include "models/circuit/scaling.hpp"

namespace cimsim {

namespace {
constexpr double kRead64At8KB = 10e-12;          // J, Horowitz ISSCC 2014
constexpr double kReferenceBits = 8.0 * 8192.0;  // 8 KB
constexpr double kCapacityExponent = 0.475;      // log(100/10) / log(1 MB / 8 KB)
constexpr double kSramCellF2 = 7.69 * 23.23;     // NeuroSim SRAM cell
// Cell area over macro area: an assumption. CACTI 7 reports it per configuration ("Area
// efficiency"), with its 22 nm cell of 146 F^2 and a 1.1 layout overhead; 0.7 is a typical
// mid-size macro's, not a fit to any one.
constexpr double kArrayEfficiency = 0.7;
}  // namespace

BufferCosts sram_buffer_costs(double capacity_bits, double node_m, double supply_v) {
  double e64 = kRead64At8KB * std::pow(capacity_bits / kReferenceBits, kCapacityExponent);
  BufferCosts c{};
  c.energy_per_bit_j = scaling::digital_energy(e64 / 64.0, node_m, supply_v);
  c.area_m2 = capacity_bits * kSramCellF2 * node_m * node_m / kArrayEfficiency;
  return c;
}

}  // namespace cimsim
