// `cimsim accuracy` and `cimsim run --accuracy`: a real model through the modelled arithmetic.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/arch/arch_spec.hpp"
#include "models/xbar/accuracy.hpp"

namespace cimsim {

struct AccuracyRequest {
  std::string model;  // safetensors file; empty: the shipped character-level GPT
  std::string data;   // evaluation text; empty: the shipped evaluation text
  int windows = 4;
  std::uint64_t seed = 1;
  std::string adc_range = "fixed";  // fixed | calibrated | per_column
  double stuck_on_rate = 0, stuck_off_rate = 0;
  double drift_time_s = 0;
  bool ir_drop = false;
  double adc_offset_sigma_lsb = 0, adc_inl_lsb = 0, adc_dnl_sigma_lsb = 0;
};

struct AccuracyReport {
  std::string model, data, arch_name, adc_range;
  std::string attention;  // where the CIM cases run QK^T and AV
  int predictions = 0;
  std::vector<AccuracyResult> cases;  // float, GPU FP16, digital INT8, CIM ideal, CIM noisy
};

// A request whose options contradict each other is a UserError (run_accuracy checks too; a
// command checks first so that a long run is not wasted).
void check_accuracy_request(const AccuracyRequest& request);
AccuracyReport run_accuracy(const ArchSpec& arch, const AccuracyRequest& request);
std::string accuracy_table(const AccuracyReport& report);
nlohmann::ordered_json accuracy_json(const AccuracyReport& report);

}  // namespace cimsim
