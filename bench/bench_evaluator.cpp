// Analytical evaluations per second: the figure design-space sweeps live on.
//
//   ./build/bench/cimsim_bench --benchmark_min_time=1
//
// Each iteration maps the whole network onto the architecture and evaluates it (cost table
// built once per architecture, as a sweep over workloads would); the *_EvaluateOnly variants
// reuse the mapping.
#include <benchmark/benchmark.h>

#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/cost/cost_table.hpp"

namespace {

using namespace cimsim;

struct Fixture {
  ArchSpec arch;
  CostTable costs;
  Workload workload;
};

Fixture make(const std::string& model, const WorkloadRequest& request) {
  Fixture f;
  f.arch = load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  f.costs = build_cost_table(f.arch);
  f.workload = build_transformer(find_workload(model), request);
  return f;
}

void map_and_evaluate(benchmark::State& state, const std::string& model, WorkloadRequest request) {
  Fixture f = make(model, request);
  Workspace ws;
  for (auto _ : state) {
    Mapping m = map_workload(f.arch, f.workload);
    Evaluation e = evaluate(f.workload, m, f.costs, ws);
    benchmark::DoNotOptimize(e.energy_j);
  }
  state.counters["evaluations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ops"] = static_cast<double>(f.workload.ops.size());
}

void evaluate_only(benchmark::State& state, const std::string& model, WorkloadRequest request) {
  Fixture f = make(model, request);
  Mapping m = map_workload(f.arch, f.workload);
  Workspace ws;
  for (auto _ : state) {
    Evaluation e = evaluate(f.workload, m, f.costs, ws);
    benchmark::DoNotOptimize(e.energy_j);
  }
  state.counters["evaluations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

WorkloadRequest prefill(int seq) {
  WorkloadRequest r;
  r.seq = seq;
  return r;
}

void BM_BertBase_MapAndEvaluate(benchmark::State& s) {
  map_and_evaluate(s, "bert-base", prefill(128));
}
void BM_Llama2_7B_MapAndEvaluate(benchmark::State& s) {
  map_and_evaluate(s, "llama2-7b", prefill(128));
}
void BM_BertBase_EvaluateOnly(benchmark::State& s) {
  evaluate_only(s, "bert-base", prefill(128));
}
void BM_Llama2_7B_EvaluateOnly(benchmark::State& s) {
  evaluate_only(s, "llama2-7b", prefill(128));
}

BENCHMARK(BM_BertBase_MapAndEvaluate);
BENCHMARK(BM_Llama2_7B_MapAndEvaluate);
BENCHMARK(BM_BertBase_EvaluateOnly);
BENCHMARK(BM_Llama2_7B_EvaluateOnly);

}  // namespace

BENCHMARK_MAIN();
