// The GPU model against published A100 measurements (shared/reference README, section 2):
// TensorRT demoBERT BERT-base FP16 latencies and LLMCompass's measured FP16 GEMMs.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

struct GpuValidationPoint {
  std::string case_name;
  std::string source;
  double measured_ms = 0;
  double modelled_ms = 0;
  bool calibration = false;  // used to set an efficiency factor in the card
  double error() const { return modelled_ms / measured_ms - 1.0; }
};

std::vector<GpuValidationPoint> validate_gpu_model();
std::string gpu_validation_table(const std::vector<GpuValidationPoint>& points);

}  // namespace cimsim
