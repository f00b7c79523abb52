// `cimsim check`: run as `run` does and compare the report with a golden one; exit 1 when a
// number moved (CI pins golden energies this way).
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "cli/command.hpp"
#include "cli/golden.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"
#include "models/core/config.hpp"
#include "models/core/error.hpp"

namespace cimsim {
namespace {

// The golden report at `path`: a user error unless it is a report `cimsim run --json` wrote.
Json read_golden(const std::string& path) {
  require_regular_file(path);
  std::ifstream in(path);
  if (!in)
    throw UserError(fmt::format("{}: error: cannot open golden file (does it exist?)", path));
  Json golden;
  try {
    golden = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw UserError(fmt::format("{}: error: not valid JSON: {}", path, e.what()));
  }
  // Anything else would compare as one moved number at the root and exit 1, as if a result moved.
  if (!golden.is_object() || !golden.contains("cimsim_version") || !golden.contains("cim")) {
    throw UserError(fmt::format(
        "{}: error: not a cimsim report: expected a JSON object with 'cimsim_version' and 'cim', "
        "as 'cimsim run --json' writes",
        path));
  }
  return golden;
}

// A golden written by another command line: its numbers would all "move" (exit 1, as if the
// model had changed) when the run itself differs. Says which option differs instead.
void require_same_request(const Json& golden, const Json& now, const std::string& path) {
  for (const char* block : {"systemc", "accuracy"}) {
    if (golden.contains(block) && !now.contains(block)) {
      throw UserError(fmt::format(
          "{}: error: the golden holds a '{}' block, from 'cimsim run {}'; check compares the "
          "analytical report: write the golden with 'cimsim run ... --json' without it",
          path, block, std::string(block) == "systemc" ? "--fidelity systemc" : "--accuracy"));
    }
  }
  const std::pair<const char*, const char*> asked[] = {
      {"workload", "model"},   {"workload", "phase"}, {"workload", "seq"},  {"workload", "batch"},
      {"workload", "context"}, {"gpu", "name"},       {"gpu", "precision"}, {"gpu", "fused"}};
  for (const auto& [section, key] : asked) {
    if (!golden.contains(section) || !golden[section].is_object() ||
        !golden[section].contains(key) || !now.contains(section) || !now[section].contains(key))
      continue;
    const Json& was = golden[section][key];
    const Json& is = now[section][key];
    if (was != is) {
      throw UserError(fmt::format(
          "{}: error: the golden was written for {}.{} {}, this check runs {}; give the options "
          "the golden was written with (its numbers are for that run)",
          path, section, key, was.dump(), is.dump()));
    }
  }
}

class CheckCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* check = app.add_subcommand(
        "check", "compare a run with a golden JSON report; exit 1 when a number moved");
    check->add_option("arch", arch_file_, "architecture YAML file")
        ->check(non_empty_path())
        ->required();
    workload_.add_to(check);
    check->add_option("--golden", golden_file_, "golden JSON report")
        ->check(non_empty_path())
        ->required();
    check->add_option("--tolerance", tolerance_, "relative tolerance for non-count numbers")
        ->transform(finite_range(0.0, 1.0));
    return check;
  }

  int execute() override {
    workload_.check();
    const Json golden = read_golden(golden_file_);
    const RunResult result = run_analytical(workload_.run_request(arch_file_));
    const Json now = report_json(result);
    require_same_request(golden, now, golden_file_);
    const auto diffs = compare_to_golden(golden, now, tolerance_);
    if (diffs.empty()) {
      std::cout << fmt::format("{}: all numbers match ({} relative tolerance, counts exact)\n",
                               golden_file_, tolerance_);
      return 0;
    }
    std::cout << fmt::format("{}: {} number(s) moved:\n", golden_file_, diffs.size());
    for (const auto& d : diffs) std::cout << "  " << d << "\n";
    return 1;
  }

 private:
  std::string arch_file_, golden_file_;
  WorkloadOptions workload_;
  double tolerance_ = 1e-9;
};

}  // namespace

std::unique_ptr<Command> make_check_command() {
  return std::make_unique<CheckCommand>();
}

}  // namespace cimsim
