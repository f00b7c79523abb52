// Design points per second of `cimsim sweep` on one thread: parsing each point's architecture,
// building its cost table, mapping and evaluating (docs/sweeps.md, "Cost").
//
//   taskset -c 0 ./build/bench/cimsim_sweep_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include "cli/sweep.hpp"

namespace {

using namespace cimsim;

void BM_Sweep_ArchitectureGrid(benchmark::State& state) {
  const std::string file = std::string(CIMSIM_SOURCE_DIR) + "/bench/sweep_grid.yaml";
  std::size_t points = 0;
  for (auto _ : state) {
    const SweepResult r = run_sweep(file, 1);
    points = r.points.size();
    benchmark::DoNotOptimize(r.points.back().energy_j);
  }
  state.counters["points"] = static_cast<double>(points);
  state.counters["points_per_s"] = benchmark::Counter(
      static_cast<double>(points * state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Sweep_ArchitectureGrid)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
