// Command-line options several subcommands share, and the validators CLI11 lacks.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/accuracy_report.hpp"
#include "cli/report.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

// Attach with ->transform() (->check() would hand CLI11 the text unnormalized).
// A real-valued option within [lo, hi]. CLI::Range lets NaN through (every comparison with it is
// false), and a NaN rate or amplitude would silently turn a mechanism off or poison the result.
CLI::Validator finite_range(double lo, double hi);
// A whole-number option within [lo, hi]: "1.5" and "-1" are not counts, seeds or sizes
// (CLI::Range called 1.5 "not in range 1 to 65536", and an unsigned seed took -1 as 2^64 - 1).
CLI::Validator integer_range(std::uint64_t lo, std::uint64_t hi);

// A file or folder path, or a name: an empty one would otherwise read as "not given" and be
// dropped without a word (--markdown "" wrote nothing, --chips "" ran the shipped chips).
CLI::Validator non_empty_path();

// What to run and which GPU to compare with (`run`, `check`).
struct WorkloadOptions {
  std::string workload;
  WorkloadRequest request;
  std::string gpu = "A100-SXM4-80GB";
  std::string gpu_precision;
  bool gpu_unfused = false;
  CLI::Option* seq_option = nullptr;
  CLI::Option* context_option = nullptr;

  void add_to(CLI::App* command);
  // What `run` and `check` evaluate: this workload and GPU on the architecture in `arch_file`.
  RunRequest run_request(const std::string& arch_file) const;
  // Flags that contradict the phase are errors: the user asked for something the run won't do.
  void check() const;
};

// The device and ADC non-idealities of `cimsim accuracy` (and `run --accuracy`); returns the
// options added, so that `run` can refuse them without --accuracy.
std::vector<CLI::Option*> add_accuracy_options(CLI::App* command, AccuracyRequest& request);

}  // namespace cimsim
