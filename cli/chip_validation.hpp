// cimsim against published CIM silicon (shared/reference README, section 1).
//
// Each chip is a folder in configs/chips/: `arch.yaml`, an ordinary architecture that every
// command accepts, and `chip.yaml`, the paper's operating points (each a set of keys laid over
// the architecture, such as another supply voltage) with the figures measured there. A point
// runs the usual mapper, cost table and evaluator on one weight matmul that fills every array
// (the condition under which macros report peak throughput and efficiency) and compares
// TOPS/W, throughput and area with the paper, each within its stated band.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

struct ChipFigure {
  std::string metric;  // "TOPS/W", "TOPS", "area mm2"
  std::string measured_text;
  double measured = 0;  // the paper's figure (band centre, or the band's middle for a range)
  double lo = 0, hi = 0;
  double modelled = 0;
  // "calibration": the figure set a parameter (a timing taken from the paper's throughput, the
  // ADC area percentile), so it cannot test the model; "check": it can.
  std::string role = "check";
  bool in_band() const { return modelled >= lo && modelled <= hi; }
  double error() const { return modelled / measured - 1.0; }
};

struct ChipPoint {
  std::string chip;
  std::string chip_id_location;  // file:line:col of its `id`, for messages
  std::string point;
  std::string source;
  std::string technology;
  std::string precision;
  std::string arch_file;
  std::vector<ChipFigure> figures;
  std::string energy_split;  // where the modelled energy goes, "adc 41%, drivers 30%, ..."
};

// Runs every chip folder under `chips_dir` (default: configs/chips), in name order.
std::vector<ChipPoint> validate_chips(const std::string& chips_dir);
std::string chip_validation_table(const std::vector<ChipPoint>& points);
std::string chip_validation_markdown(const std::vector<ChipPoint>& points);

}  // namespace cimsim
