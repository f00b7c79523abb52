// SRAM compute cells (8T and similar), one bit per cell.
//
// Charge domain: each cell's compute capacitor C is switched by the product of input bit and
// stored bit and charge-shared on the column, drawing C * V_dd^2 when it switches (Valavi et
// al., JSSC 2019; Wang et al., VLSI 2022 use a C-2C ladder of the same order). Current domain:
// the decoupled read port discharges the read bit line; each conducting cell moves the share
// C of the bit-line capacitance through the swing, E = C * V_dd * V_swing (Si et al.,
// JSSC 2020). Half the stored bits are 1 on average, so the mean per driven cell is half of it.
#include "models/core/registry.hpp"
#include "models/tech/technology.hpp"

namespace cimsim {
namespace {

class SramCell final : public CellPhysics {
 public:
  explicit SramCell(const ConfigNode& node)
      : readout_(node.choice("readout", {"charge", "current"})),
        compute_capacitance_(
            node.quantity<Dim::capacitance>("compute_capacitance", {}, 0.0, 1e-12)),
        bitline_swing_(node.quantity<Dim::voltage>("bitline_swing", 0.0, 0.0, 5.0, false)) {
    if (readout_ == "current" && bitline_swing_.si <= 0.0) {
      node.fail("bitline_swing", "a current-domain SRAM card needs a bitline_swing above 0V");
    }
  }

  int max_bits_per_cell() const override { return 1; }
  double level_min() const override { return 0.0; }
  double level_max() const override { return 1.0; }
  std::string readout() const override { return readout_; }
  // Charge domain: the input drives every cell's compute capacitor.
  double row_load_capacitance() const override {
    return readout_ == "charge" ? compute_capacitance_.si : 0.0;
  }

  double read_energy_per_active_cell(double, double supply_v) const override {
    double swing = readout_ == "charge" ? supply_v : bitline_swing_.si;
    constexpr double kStoredOneFraction = 0.5;
    return kStoredOneFraction * compute_capacitance_.si * supply_v * swing;
  }

 private:
  std::string readout_;
  Capacitance compute_capacitance_;
  Voltage bitline_swing_;
};

}  // namespace

CIMSIM_REGISTER(CellPhysics, SramCell, "sram",
                "SRAM compute cell, charge or current domain: E = C * V_dd * V_swing / 2");

}  // namespace cimsim
