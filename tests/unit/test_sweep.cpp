// Design-space sweeps (cli/sweep.hpp) against single runs, and their determinism.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "cli/report.hpp"
#include "cli/sweep.hpp"
#include "hw/mesh/mesh_params.hpp"
#include "hw/system/chip_replay.hpp"
#include "hw/system/forked_child.hpp"

using namespace cimsim;

namespace {

const std::string kDir = std::string(CIMSIM_SOURCE_DIR) + "/tests/sweep/";

}  // namespace

TEST_CASE("a sweep point is the run of its architecture; refusals are statuses", "[sweep]") {
  const SweepResult s = run_sweep(kDir + "adc_sharing.yaml", 2);
  REQUIRE(s.points.size() == 4);  // bits 6, 8 x columns_per_adc 128, 512, the last axis fastest
  CHECK(s.points[2].values == std::vector<std::string>{"8", "128"});
  // Point 2 sets the package's own values: it is `cimsim run` on the package, number for number.
  RunRequest request;
  request.arch_file = std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml";
  request.workload = "bert-base";
  request.workload_request.seq = 128;
  const RunResult run = run_analytical(request);
  REQUIRE(s.points[2].feasible);
  CHECK(s.points[2].energy_j == run.evaluation.energy_j);
  CHECK(s.points[2].latency_s == run.evaluation.latency_s);
  CHECK(s.points[2].area_m2 == run.costs.total_area_m2());
  // 512 columns per ADC on 256-column arrays: refused, with the sweep file's line of the value.
  for (int i : {1, 3}) {
    CHECK_FALSE(s.points[i].feasible);
    CHECK_THAT(s.points[i].status, Catch::Contains("adc_sharing.yaml:8:") &&
                                       Catch::Contains("crossbar.adc.columns_per_adc"));
  }
  // A 6-bit ADC costs less energy and area at the same latency: the 8-bit point is dominated.
  CHECK(s.points[0].pareto);
  CHECK_FALSE(s.points[2].pareto);
  CHECK(s.points[0].latency_s == s.points[2].latency_s);
  CHECK(s.points[0].energy_j < s.points[2].energy_j);
}

TEST_CASE("a sweep's results do not depend on the thread count", "[sweep]") {
  const std::string one = sweep_csv(run_sweep(kDir + "grid.yaml", 1));
  const std::string three = sweep_csv(run_sweep(kDir + "grid.yaml", 3));
  CHECK(one == three);
  const SweepResult s = run_sweep(kDir + "grid.yaml", 1);
  REQUIRE(s.points.size() == 12);
  // No feasible point dominates a Pareto point, and every other feasible point is dominated.
  auto dominates = [](const SweepPoint& a, const SweepPoint& b) {
    return a.energy_per_token_j <= b.energy_per_token_j && a.latency_s <= b.latency_s &&
           a.area_m2 <= b.area_m2 &&
           (a.energy_per_token_j < b.energy_per_token_j || a.latency_s < b.latency_s ||
            a.area_m2 < b.area_m2);
  };
  for (const auto& p : s.points) {
    if (!p.feasible) continue;
    bool dominated = false;
    for (const auto& q : s.points) dominated = dominated || (q.feasible && dominates(q, p));
    CHECK(p.pareto == !dominated);
  }
}

TEST_CASE("a point over a section that names a preset keeps the architecture's own keys",
          "[sweep]") {
  // Point, then the architecture's technology keys (8 bits per cell, 0.5 uA), then the card:
  // the point layered over a layered section must not skip the middle layer.
  const SweepResult s = run_sweep(kDir + "preset_section.yaml", 1);
  REQUIRE(s.points.size() == 1);
  REQUIRE(s.points[0].feasible);
  RunRequest request;
  request.arch_file = std::string(CIMSIM_SOURCE_DIR) + "/configs/chips/mythic_m1076/arch.yaml";
  request.workload = "bert-base";
  request.workload_request.seq = 128;
  const RunResult run = run_analytical(request);
  CHECK(s.points[0].energy_j == run.evaluation.energy_j);
  CHECK(s.points[0].latency_s == run.evaluation.latency_s);
  CHECK(s.points[0].area_m2 == run.costs.total_area_m2());
}

TEST_CASE("workload axes: each point is the run of its batch", "[sweep]") {
  const SweepResult s = run_sweep(kDir + "batch.yaml", 2);
  REQUIRE(s.points.size() == 3);
  for (int i : {0, 1}) {
    REQUIRE(s.points[i].feasible);
    RunRequest request;
    request.arch_file = std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml";
    request.workload = "bert-base";
    request.workload_request.seq = 128;
    request.workload_request.batch = i == 0 ? 1 : 4;
    const RunResult run = run_analytical(request);
    CHECK(s.points[i].energy_j == run.evaluation.energy_j);
    CHECK(s.points[i].latency_s == run.evaluation.latency_s);
  }
  // A batch of 0 is refused at its own line, and the sweep goes on.
  CHECK_FALSE(s.points[2].feasible);
  CHECK_THAT(s.points[2].status,
             Catch::Contains("batch.yaml:6:") && Catch::Contains("workload.batch"));
}

TEST_CASE("points are reported in grid order whatever order they are evaluated in", "[sweep]") {
  // Evaluated architecture by architecture (columns_per_adc and bits), the batch innermost.
  const SweepResult s = run_sweep(kDir + "mixed_axes.yaml", 3);
  REQUIRE(s.points.size() == 8);
  for (std::size_t i = 0; i < 8; ++i) {
    INFO("point " << i);
    const std::vector<std::string> values = {i / 4 ? "512" : "128", (i / 2) % 2 ? "4" : "1",
                                             i % 2 ? "8" : "6"};
    CHECK(s.points[i].values == values);
    // 512 columns per ADC on 256-column arrays: refused, at both batches.
    CHECK(s.points[i].feasible == (i < 4));
    if (i >= 4) CHECK_THAT(s.points[i].status, Catch::Contains("mixed_axes.yaml:7:"));
  }
  // 8 bits and 128 columns per ADC are the package's own values: `cimsim run` at each batch.
  for (auto [i, batch] : {std::pair{1, 1}, std::pair{3, 4}}) {
    RunRequest request;
    request.arch_file = std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml";
    request.workload = "bert-base";
    request.workload_request.seq = 128;
    request.workload_request.batch = batch;
    const RunResult run = run_analytical(request);
    CHECK(s.points[i].energy_j == run.evaluation.energy_j);
    CHECK(s.points[i].latency_s == run.evaluation.latency_s);
    CHECK(s.points[i].area_m2 == run.costs.total_area_m2());
  }
  CHECK(sweep_csv(s) == sweep_csv(run_sweep(kDir + "mixed_axes.yaml", 1)));
}

namespace {

// `cimsim run --fidelity systemc`'s replay of an architecture, in a child process (SystemC
// elaborates once per process): its latency with contention.
double replay_latency_in_child(const std::string& arch_file) {
  const std::optional<double> latency = wait_child<double>(fork_child<double>([&] {
    RunRequest request;
    request.arch_file = arch_file;
    request.workload = "bert-base";
    request.workload_request.seq = 128;
    const RunResult run = run_analytical(request);
    ReplayOptions options;
    options.mesh = MeshParams::from_arch(run.arch);
    return replay_in_systemc(run.workload, run.mapping, run.costs, options).latency_s;
  }));
  REQUIRE(latency.has_value());
  return *latency;
}

}  // namespace

TEST_CASE("sweep --systemc replays the chosen points as run --fidelity systemc does", "[sweep]") {
  const SweepResult all = run_sweep(kDir + "adc_sharing.yaml", 2, "all");
  // Point 2 is the package itself: its replay is the package's replay.
  REQUIRE(all.points[2].systemc_checked);
  CHECK(all.points[2].systemc_latency_s ==
        replay_latency_in_child(std::string(CIMSIM_SOURCE_DIR) +
                                "/configs/arch/reram_chiplets.yaml"));
  // Contention only adds; refused points are not replayed.
  REQUIRE(all.points[0].systemc_checked);
  CHECK(all.points[0].systemc_latency_s >= all.points[0].latency_s * (1 - 1e-9));
  CHECK_FALSE(all.points[1].systemc_checked);
  CHECK(all.points[1].systemc_status.empty());
  // "pareto" replays the front only (point 0 here).
  const SweepResult front = run_sweep(kDir + "adc_sharing.yaml", 1, "pareto");
  CHECK(front.points[0].systemc_checked);
  CHECK_FALSE(front.points[2].systemc_checked);
  CHECK(front.points[0].systemc_latency_s == all.points[0].systemc_latency_s);
}

TEST_CASE("a child past its time limit is stopped; one that ends is not", "[sweep]") {
  struct Result {
    int value;
  };
  struct Ended {
    std::optional<int> value;
    bool stopped;
  };
  auto run = [](std::size_t count, double limit_s, bool never_end) {
    std::vector<Ended> ended(count);
    run_children<Result>(
        count, 2, limit_s,
        [&](std::size_t i) {
          while (never_end) pause();
          return Result{static_cast<int>(10 * i)};
        },
        [&](std::size_t i, const std::optional<Result>& r, int, bool stopped) {
          ended[i] = {r ? std::optional<int>(r->value) : std::nullopt, stopped};
        });
    return ended;
  };
  // Children that never end, under a limit of 50 ms: each is stopped, with no result, and the
  // third starts once one of the first two is gone.
  for (const Ended& e : run(3, 0.05, true)) {
    CHECK(e.stopped);
    CHECK_FALSE(e.value);
  }
  // Children that end at once, under a limit of ten minutes: none is stopped.
  const auto quick = run(3, 600.0, false);
  for (std::size_t i = 0; i < quick.size(); ++i) {
    CHECK_FALSE(quick[i].stopped);
    CHECK(quick[i].value == std::optional<int>(static_cast<int>(10 * i)));
  }
}

TEST_CASE("a sweep's lifetime is the run's wear: endurance over the cells' writes per second",
          "[sweep]") {
  const SweepResult s = run_sweep(kDir + "attention_wear.yaml", 2);
  REQUIRE(s.points.size() == 4);
  for (const SweepPoint& p : s.points) REQUIRE(p.feasible);
  // Vector unit: nothing written, an empty CSV cell.
  CHECK(std::isinf(s.points[0].lifetime_s));
  CHECK(std::isinf(s.points[1].lifetime_s));
  // Arrays: one write per cell per pass.
  CHECK(s.points[2].lifetime_s == Approx(1e5 / s.points[2].inferences_per_s));
  CHECK(s.points[3].lifetime_s == Approx(1e9 / s.points[3].inferences_per_s));
  // The CSV's lifetime_s (the 14th column: point, 2 axes, status, 9 figures before it) is
  // empty where nothing is written.
  std::istringstream csv(sweep_csv(s));
  std::string line;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(csv, line)) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
    rows.push_back(fields);
  }
  REQUIRE(rows.size() == 5);
  CHECK(rows[0][13] == "lifetime_s");
  CHECK(rows[1][13].empty());
  CHECK(std::stod(rows[3][13]) == Approx(s.points[2].lifetime_s).epsilon(1e-9));
  // The last column says what sets the throughput: BERT-base's prefill pipelines, and the
  // slowest matrix sets the rate (as `run` reports, cim.throughput_bound).
  CHECK(rows[0].back() == "throughput_bound");
  for (std::size_t r = 1; r < rows.size(); ++r) CHECK(rows[r].back() == "arrays");
}
