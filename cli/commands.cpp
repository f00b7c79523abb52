// `cimsim`: one CLI11 application whose subcommands each live in a command_*.cpp.
#include "cli/commands.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

#include "cli/command.hpp"
#include "models/core/error.hpp"

namespace cimsim {

int run_cli(int argc, char** argv) {
  CLI::App app{"cimsim: compute-in-memory chip simulator (analytical path)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", CIMSIM_VERSION);

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_run_command());
  commands.push_back(make_check_command());
  commands.push_back(make_params_command());
  commands.push_back(make_workloads_command());
  commands.push_back(make_accuracy_command());
  commands.push_back(make_mesh_command());
  commands.push_back(make_sweep_command());
  commands.push_back(make_validate_gpu_command());
  commands.push_back(make_validate_command());
  std::vector<CLI::App*> subcommands;
  for (const auto& command : commands) subcommands.push_back(command->add_to(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    throw UserError(fmt::format("error: {}", e.what()));
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (subcommands[i]->parsed()) return commands[i]->execute();
  }
  panic("run_cli: no subcommand was parsed");
}

}  // namespace cimsim
