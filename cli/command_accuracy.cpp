// `cimsim accuracy`: run a real transformer through the modelled crossbars (docs/accuracy.md).
#include <iostream>

#include "cli/accuracy_report.hpp"
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/output_file.hpp"

namespace cimsim {
namespace {

class AccuracyCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* accuracy = app.add_subcommand(
        "accuracy",
        "run a real transformer through the modelled crossbars and report the accuracy lost");
    accuracy->add_option("arch", arch_file_, "architecture YAML file")
        ->check(non_empty_path())
        ->required();
    add_accuracy_options(accuracy, request_);
    accuracy->add_option("--json", json_file_, "write the accuracy report as JSON here")
        ->check(non_empty_path());
    return accuracy;
  }

  int execute() override {
    check_output_paths({{json_file_, "--json", output_kind::accuracy_json}},
                       {arch_file_, request_.model, request_.data});
    ResolvedConfig resolved;
    const ArchSpec arch = load_arch(arch_file_, &resolved);
    const AccuracyReport report = run_accuracy(arch, request_);
    std::cout << accuracy_table(report);
    if (!json_file_.empty()) write_output_file(json_file_, accuracy_json(report).dump(2) + "\n");
    return 0;
  }

 private:
  std::string arch_file_, json_file_;
  AccuracyRequest request_;
};

}  // namespace

std::unique_ptr<Command> make_accuracy_command() {
  return std::make_unique<AccuracyCommand>();
}

}  // namespace cimsim
