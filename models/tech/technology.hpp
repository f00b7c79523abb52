// A memory technology card: the cell a crossbar is built from.
//
// The card's common part (node, supply, cell area, read pulse, write cost, endurance) is parsed
// here; the physics of a read (how much charge a cell moves when its row is driven) belongs to
// a CellPhysics implementation chosen by the card's `physics:` key. New physics register
// themselves (resistive.cpp, nor_flash.cpp, sram.cpp); a new technology that existing physics
// covers is only a YAML card in configs/tech/.
#pragma once

#include <memory>
#include <string>

#include "models/core/config.hpp"
#include "models/core/units.hpp"
#include "models/xbar/device_noise.hpp"

namespace cimsim {

class CellPhysics {
 public:
  virtual ~CellPhysics() = default;
  // Most bits one cell may store (levels = 2^bits).
  virtual int max_bits_per_cell() const = 0;
  // Mean energy one cell draws during one read pulse when its row is driven, averaged over
  // stored levels spread uniformly between the lowest and highest state.
  virtual double read_energy_per_active_cell(double read_pulse_s, double supply_v) const = 0;
  // "current" or "charge": how the column sums are formed.
  virtual std::string readout() const = 0;
  // The physical quantity a stored level sets (S for resistive, A for flash, unitless for SRAM):
  // levels are spread evenly from level_min() to level_max().
  virtual double level_min() const = 0;
  virtual double level_max() const = 0;
  // Capacitance a cell hangs on its row beyond the access gate (a charge-domain compute
  // capacitor the input drives), which an analog row driver must settle.
  virtual double row_load_capacitance() const { return 0.0; }
};

struct TechnologyCard {
  std::string name;
  std::string physics_name;
  Length node;
  Voltage supply_voltage;
  // The node's nominal supply: where survey-fitted ADC energies hold (scaled as V^2 from it).
  Voltage nominal_supply;
  // Alpha-power-law MOSFET (Sakurai and Newton, IEEE JSSC 1990): gate delay ~ V / (V - Vt)^a.
  // Zero threshold: timing does not scale with supply.
  Voltage threshold_voltage;
  double alpha_power = 0;
  int bits_per_cell = 1;
  FeatureArea cell_area;
  Time read_pulse;
  Energy write_energy_per_cell;
  Time write_time_per_row;
  double endurance_cycles = 0;
  std::shared_ptr<const CellPhysics> physics;
  // Variability for the functional (accuracy) model.
  std::shared_ptr<const DeviceNoise> programming_noise;
  std::shared_ptr<const DeviceNoise> read_noise;
  double drift_nu = 0;  // G(t) = G0 (t / t0)^-nu
  Time drift_t0;
  Resistance wire_resistance_per_cell;  // one cell pitch of word/bit line, for IR drop

  double cell_area_m2() const { return cell_area.si * node.si * node.si; }
  double read_energy_per_active_cell() const {
    return physics->read_energy_per_active_cell(read_pulse.si, supply_voltage.si);
  }
};

// Parses a technology node: either a full card or `{preset: NAME, key: override, ...}`.
// Preset cards live in configs/tech/NAME.yaml and must give a source for every number.
TechnologyCard parse_technology(const ConfigNode& node);

}  // namespace cimsim
