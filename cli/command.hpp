// A `cimsim` subcommand: the options it declares, and what it does once they are parsed. Each
// lives in its own command_*.cpp; commands.cpp lists them in the order `--help` shows them.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

namespace cimsim {

class Command {
 public:
  virtual ~Command() = default;
  // Declares the subcommand and its options on `app`; returns the subcommand.
  virtual CLI::App* add_to(CLI::App& app) = 0;
  // Runs the parsed subcommand and returns its exit status; a UserError propagates (exit 2).
  virtual int execute() = 0;
};

std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_check_command();
std::unique_ptr<Command> make_params_command();
std::unique_ptr<Command> make_workloads_command();
std::unique_ptr<Command> make_accuracy_command();
std::unique_ptr<Command> make_mesh_command();
std::unique_ptr<Command> make_sweep_command();
std::unique_ptr<Command> make_validate_gpu_command();
std::unique_ptr<Command> make_validate_command();

}  // namespace cimsim
