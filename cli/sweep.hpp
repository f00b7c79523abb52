// Design-space sweeps: one architecture, a grid of values for some of its keys, one workload.
//
// A sweep file names an architecture (relative to the sweep file), a workload, and axes: each a
// documented key path (`cimsim params`) with a list of values. Every combination is a design
// point: its values are laid over the architecture (the same layering as a chip's operating
// points), parsed and checked like any architecture, mapped and evaluated on the analytical
// path. A point the model refuses (a weight that does not fit a column, an ADC shared by more
// channels than exist, an out-of-range value) is a status in the results, not a failure of the
// sweep (DESIGN.md: "an infeasible design point in a sweep is a status"). Points run on worker
// threads, each with its own parsed files; results are kept in point order, so the output does
// not depend on the thread count. A point is Pareto-optimal when no other feasible point is at
// least as good in energy per token, latency and area and better in one (energy per token, so
// that points with different workload sizes compare like for like). Chosen points (the Pareto
// front, or all) can be re-checked in SystemC with contention, as DESIGN.md plans: each replay
// runs in a forked child, since SystemC elaborates once per process.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

struct SweepAxis {
  std::string key;                  // documented key path, e.g. crossbar.adc.bits
  std::vector<std::string> values;  // as written in the sweep file
};

struct SweepPoint {
  std::vector<std::string> values;  // one per axis
  bool feasible = false;
  std::string status;  // "ok", or why the model refused the point
  double energy_j = 0, latency_s = 0, area_m2 = 0, tops_per_w = 0, inferences_per_s = 0;
  double energy_per_token_j = 0;  // a pass's energy over its tokens (batch x seq, or batch)
  double utilization = 0;
  double lifetime_s = 0;         // until the most-written cell's endurance is spent; inf: no writes
  std::string throughput_bound;  // what sets inferences_per_s (Evaluation::throughput_bound)
  bool fits = false;
  bool pareto = false;
  // The SystemC replay with contention (hw/system), when the point was re-checked.
  bool systemc_checked = false;
  double systemc_latency_s = 0;
  std::string systemc_status;           // why a chosen point was not replayed, when it was not
  bool systemc_internal_error = false;  // the replay hit a bug: the sweep reports it (exit 3)
};

// Wall time a sweep's SystemC replay may take (`--systemc-time-limit`): a replay of the largest
// shipped packages takes seconds, so an hour means a hung one.
inline constexpr double kDefaultReplayTimeLimitS = 3600;

struct SweepResult {
  std::string name;
  std::string arch_file;
  std::string workload;
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;  // mixed radix, the last axis fastest
};

// `threads` 0: one per hardware thread. `systemc`: which feasible points to replay in SystemC
// with contention: "none", "pareto" or "all". A replay still running after
// `systemc_time_limit_s` of wall time is stopped, and its point says so.
SweepResult run_sweep(const std::string& sweep_file, unsigned threads,
                      const std::string& systemc = "none",
                      double systemc_time_limit_s = kDefaultReplayTimeLimitS);

std::string sweep_table(const SweepResult& sweep);
std::string sweep_csv(const SweepResult& sweep);

}  // namespace cimsim
