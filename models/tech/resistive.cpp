// Resistive cells (1T1R ReRAM; PCM shares the physics): Ohm's law per cell, I = V_read * G.
//
// Assumptions: the access transistor is fully on and its resistance is small beside the cell's
// (NeuroSim's 15 kOhm access device against 100 kOhm R_on), so a cell driven at V_read for a
// pulse t draws E = V_read^2 * G * t. Stored levels are spread evenly in conductance between
// G_off = G_on / on_off_ratio and G_on, and weights use the levels uniformly, so the mean
// conductance is (G_on + G_off) / 2. Sources: Ohm's law; level spacing and the uniform-use
// assumption as in NeuroSim (Peng et al., IEDM 2019) and CrossSim.
#include "models/core/registry.hpp"
#include "models/tech/technology.hpp"

namespace cimsim {
namespace {

class ResistiveCell final : public CellPhysics {
 public:
  explicit ResistiveCell(const ConfigNode& node)
      // The 1 Ohm floor lies far below any device and keeps 1/R_on and the read energy finite.
      : on_resistance_(node.quantity<Dim::resistance>("on_resistance", {}, 1.0, 1e12, false)),
        on_off_ratio_(node.number("on_off_ratio", 1.0, 1e12)),
        read_voltage_(node.quantity<Dim::voltage>("read_voltage", {}, 0.0, 5.0)) {
    // Equal levels would leave no step between stored values.
    if (on_off_ratio_ <= 1.0) node.fail("on_off_ratio", "the on/off ratio must exceed 1");
  }

  int max_bits_per_cell() const override { return 2; }
  double level_min() const override { return 1.0 / on_resistance_.si / on_off_ratio_; }
  double level_max() const override { return 1.0 / on_resistance_.si; }
  std::string readout() const override { return "current"; }

  double read_energy_per_active_cell(double read_pulse_s, double) const override {
    double g_on = 1.0 / on_resistance_.si;
    double g_off = g_on / on_off_ratio_;
    double g_mean = 0.5 * (g_on + g_off);
    return read_voltage_.si * read_voltage_.si * g_mean * read_pulse_s;
  }

 private:
  Resistance on_resistance_;
  double on_off_ratio_;
  Voltage read_voltage_;
};

}  // namespace

CIMSIM_REGISTER(CellPhysics, ResistiveCell, "resistive",
                "1T1R resistive cell (ReRAM, PCM): E = V_read^2 * G_mean * t_read");

}  // namespace cimsim
