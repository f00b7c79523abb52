// The GPU model against measured GPUs: published A100 latencies (shared/reference README,
// section 2: TensorRT demoBERT BERT-base FP16 and LLMCompass's FP16 GEMMs) and this project's
// own H100 and H200 measurements (tools/gpu_measure/results: GEMMs, BERT-base and GPT-2 decode
// end to end, board energy).
#pragma once

#include <string>
#include <vector>

namespace cimsim {

struct GpuValidationPoint {
  std::string card;  // the card's name, as --gpu takes it
  std::string case_name;
  std::string source;
  std::string unit;  // ms or mJ
  double measured = 0;
  double modelled = 0;
  // calibration: sets a factor in the card; check: predicted, must lie within 25%;
  // diagnostic: shown to mark a known limit of the model, with no band.
  std::string role;
  double error() const { return modelled / measured - 1.0; }
  bool banded() const { return role != "diagnostic"; }
  static constexpr double kBand = 0.25;  // calibration and check points: within +-25%
  bool in_band() const { return error() >= -kBand && error() <= kBand; }
};

std::vector<GpuValidationPoint> validate_gpu_model();
std::string gpu_validation_table(const std::vector<GpuValidationPoint>& points);

}  // namespace cimsim
