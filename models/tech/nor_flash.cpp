// NOR flash / charge-trap cells used as programmable current sources.
//
// Assumptions: each cell is programmed to a threshold voltage that sets its read current
// between I_on / on_off_ratio and I_on (multi-level, evenly spaced in current, as in analog
// NOR-flash CIM: Guo et al., IEDM 2017; CrossSim's SONOS model, Agrawal et al., IEDM 2022).
// The bit line is held at V_read while the word line is pulsed, so a driven cell draws
// E = V_read * I_mean * t_read with I_mean = (I_on + I_off) / 2 under uniform level use.
#include "models/core/registry.hpp"
#include "models/tech/technology.hpp"

namespace cimsim {
namespace {

class NorFlashCell final : public CellPhysics {
 public:
  explicit NorFlashCell(const ConfigNode& node)
      : on_current_(node.quantity<Dim::current>("on_current", {}, 0.0, 1e-3)),
        on_off_ratio_(node.number("on_off_ratio", 1.0, 1e12)),
        read_voltage_(node.quantity<Dim::voltage>("read_voltage", {}, 0.0, 5.0)) {
    // Equal levels would leave no step between stored values.
    if (on_off_ratio_ <= 1.0) node.fail("on_off_ratio", "the on/off ratio must exceed 1");
  }

  // Multi-level NOR flash stores 2 to 4 bits in memory products (Zhang et al., ISCAS 2021);
  // analog-tuned cells go to 8: Mythic's M1076 holds up to 80 M 8-bit weights in 76 tiles,
  // about one 1024 x 1024 array of single-cell weights per tile (product brief, 2021).
  int max_bits_per_cell() const override { return 8; }
  double level_min() const override { return on_current_.si / on_off_ratio_; }
  double level_max() const override { return on_current_.si; }
  std::string readout() const override { return "current"; }

  double read_energy_per_active_cell(double read_pulse_s, double) const override {
    double i_mean = 0.5 * (on_current_.si + on_current_.si / on_off_ratio_);
    return read_voltage_.si * i_mean * read_pulse_s;
  }

 private:
  Current on_current_;
  double on_off_ratio_;
  Voltage read_voltage_;
};

}  // namespace

CIMSIM_REGISTER(CellPhysics, NorFlashCell, "nor_flash",
                "NOR flash / charge-trap current-source cell: E = V_read * I_mean * t_read");

}  // namespace cimsim
