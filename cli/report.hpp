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
#include "models/workload/workload.hpp"

namespace cimsim {

struct RunResult {
  ArchSpec arch;
  Workload workload;
  Mapping mapping;
  CostTable costs;
  Evaluation evaluation;
  std::vector<OpResult> per_op;
  ResolvedConfig resolved;
};

RunResult run_analytical(const std::string& arch_file, const std::string& workload_name,
                         const WorkloadRequest& request);

using Json = nlohmann::ordered_json;
Json report_json(const RunResult& r);
std::string report_table(const RunResult& r);
std::string per_op_csv(const RunResult& r);

}  // namespace cimsim
