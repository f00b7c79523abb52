// One analytical run and its report: terminal table, JSON (docs/report-schema.md), per-op CSV.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/config.hpp"
#include "models/cost/cost_table.hpp"
#include "models/gpu/gpu_model.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

struct RunRequest {
  std::string arch_file;
  std::string workload;
  WorkloadRequest workload_request;
  std::string gpu = "A100-SXM4-80GB";  // a card name in configs/gpu or a YAML file
  std::string gpu_precision;           // fp16 | int8; empty: the CIM chip's precision
  bool gpu_fused = true;
};

struct RunResult {
  ArchSpec arch;
  Workload workload;
  Mapping mapping;
  CostTable costs;
  Evaluation evaluation;
  std::vector<OpResult> per_op;
  GpuCard gpu_card;
  GpuEvaluation gpu;
  ResolvedConfig resolved;
};

RunResult run_analytical(const RunRequest& request);

// The GPU precision that matches the CIM chip: INT8 when inputs and weights fit in 8 bits.
std::string matching_gpu_precision(const ArchSpec& arch);

using Json = nlohmann::ordered_json;
// JSON has no infinity: an unbounded figure (an exact SNR, a lifetime without writes) is null.
Json finite_or_null(double v);
Json report_json(const RunResult& r);
std::string report_table(const RunResult& r);
std::string per_op_csv(const RunResult& r);

}  // namespace cimsim
