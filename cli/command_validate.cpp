// `cimsim validate` (the published CIM chips in configs/chips, docs/validation.md) and
// `cimsim validate-gpu` (the GPU model against measured A100, H100 and H200 runs): each prints
// its table and exits 1 when a figure leaves its band.
#include <fmt/format.h>

#include <iostream>

#include "cli/chip_validation.hpp"
#include "cli/command.hpp"
#include "cli/gpu_validation.hpp"
#include "cli/options.hpp"
#include "models/core/output_file.hpp"

namespace cimsim {
namespace {

class ValidateCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* validate = app.add_subcommand(
        "validate", "run every published chip in configs/chips/; exit 1 when one leaves its band");
    validate->add_option("--chips", chips_dir_, "folder of chip folders (default: configs/chips)")
        ->check(non_empty_path());
    validate->add_option("--markdown", markdown_file_, "also write the table as Markdown here")
        ->check(non_empty_path());
    return validate;
  }

  int execute() override {
    check_output_paths({{markdown_file_, "--markdown", output_kind::validation_markdown}}, {});
    const auto points = validate_chips(chips_dir_);
    std::cout << chip_validation_table(points);
    if (!markdown_file_.empty())
      write_output_file(markdown_file_, chip_validation_markdown(points));
    int outside = 0;
    for (const auto& p : points) {
      for (const auto& f : p.figures) outside += f.in_band() ? 0 : 1;
    }
    if (outside > 0) {
      std::cout << fmt::format("{} figure(s) outside their band\n", outside);
      return 1;
    }
    std::cout << "every figure inside its band\n";
    return 0;
  }

 private:
  std::string chips_dir_, markdown_file_;
};

class ValidateGpuCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    return app.add_subcommand("validate-gpu",
                              "compare the GPU model with measured A100, H100 and H200; exit 1 "
                              "when a point leaves its band");
  }

  int execute() override {
    const auto points = validate_gpu_model();
    std::cout << gpu_validation_table(points);
    for (const auto& p : points) {
      if (p.banded() && !p.in_band()) return 1;
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> make_validate_command() {
  return std::make_unique<ValidateCommand>();
}

std::unique_ptr<Command> make_validate_gpu_command() {
  return std::make_unique<ValidateGpuCommand>();
}

}  // namespace cimsim
