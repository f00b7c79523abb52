// `cimsim sweep`: evaluate a grid of design points from a sweep file (docs/sweeps.md).
#include <fmt/format.h>

#include <iostream>

#include "cli/command.hpp"
#include "cli/options.hpp"
#include "cli/sweep.hpp"
#include "models/core/error.hpp"
#include "models/core/output_file.hpp"

namespace cimsim {
namespace {

class SweepCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* sweep = app.add_subcommand(
        "sweep", "evaluate a grid of design points from a sweep file (analytical path)");
    sweep->add_option("sweep", sweep_file_, "sweep YAML file (docs/sweeps.md)")
        ->check(non_empty_path())
        ->required();
    sweep->add_option("--csv", csv_file_, "write every point as CSV here")->check(non_empty_path());
    sweep
        ->add_option(
            "--threads", threads_,
            "worker threads (default: one per hardware thread; results do not depend on it)")
        ->transform(integer_range(0, 1024));
    replay_limit_option_ =
        sweep
            ->add_option("--systemc-time-limit", replay_limit_s_,
                         "seconds of wall time one SystemC replay may take before it is stopped "
                         "(its point says so)")
            ->transform(finite_range(1e-3, 1e9));
    sweep
        ->add_option("--systemc", systemc_,
                     "also replay these feasible points in SystemC with contention, each in its "
                     "own process: none, pareto or all")
        ->check(CLI::IsMember({"none", "pareto", "all"}));
    return sweep;
  }

  int execute() override {
    if (replay_limit_option_->count() > 0 && systemc_ == "none") {
      throw UserError(
          "error: --systemc-time-limit applies only with --systemc pareto or all (it bounds "
          "each SystemC replay)");
    }
    check_output_paths({{csv_file_, "--csv", output_kind::sweep_csv}}, {sweep_file_});
    const SweepResult result = run_sweep(sweep_file_, threads_, systemc_, replay_limit_s_);
    std::cout << sweep_table(result);
    if (!csv_file_.empty()) {
      write_output_file(csv_file_, sweep_csv(result));
      std::cout << fmt::format("wrote {}\n", csv_file_);
    }
    // The table and CSV are out; a replay that hit a bug still fails the command as one.
    for (std::size_t i = 0; i < result.points.size(); ++i) {
      if (result.points[i].systemc_internal_error) {
        throw InternalError(fmt::format(
            "internal error (a bug in cimsim, please report it): the SystemC replay of sweep "
            "point {}: {}",
            i, result.points[i].systemc_status));
      }
    }
    return 0;
  }

 private:
  std::string sweep_file_, csv_file_, systemc_ = "none";
  unsigned threads_ = 0;
  double replay_limit_s_ = kDefaultReplayTimeLimitS;
  CLI::Option* replay_limit_option_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_sweep_command() {
  return std::make_unique<SweepCommand>();
}

}  // namespace cimsim
