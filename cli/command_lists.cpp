// `cimsim params` (every architecture and GPU card parameter) and `cimsim workloads` (the
// built-in transformer shapes).
#include <fmt/format.h>

#include <iostream>

#include "cli/command.hpp"
#include "cli/params.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {
namespace {

class ParamsCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    return app.add_subcommand("params",
                              "list every architecture parameter with unit, default and range");
  }
  int execute() override {
    std::cout << parameter_table();
    return 0;
  }
};

class WorkloadsCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    return app.add_subcommand("workloads", "list the built-in workloads");
  }
  int execute() override {
    for (const auto& s : zoo()) {
      std::cout << fmt::format(
          "{:<12} {:<8} layers {:>2}  d_model {:>4}  heads {:>2} ({:>2} KV)  ffn {:>5} {:<6}  {}\n",
          s.name, s.style, s.layers, s.d_model, s.heads, s.kv_heads, s.ffn, s.ffn_kind, s.source);
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> make_params_command() {
  return std::make_unique<ParamsCommand>();
}

std::unique_ptr<Command> make_workloads_command() {
  return std::make_unique<WorkloadsCommand>();
}

}  // namespace cimsim
