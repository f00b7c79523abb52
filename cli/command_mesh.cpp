// `cimsim mesh`: drive the SystemC die-to-die mesh with synthetic traffic (latency against
// offered load, link use), on an architecture's mesh and link card or a k x k one.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "cli/options.hpp"
#include "hw/mesh/synthetic.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/error.hpp"
#include "models/core/output_file.hpp"

namespace cimsim {
namespace {

class MeshCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* mesh = app.add_subcommand(
        "mesh",
        "drive the SystemC die-to-die mesh with synthetic traffic (latency, throughput, link "
        "use)");
    mesh->add_option("arch", arch_file_,
                     "architecture YAML file for the mesh size and link card (optional)")
        ->check(non_empty_path());
    mesh->add_option("--k", k_, "k x k mesh (overrides the architecture's size)")
        ->transform(integer_range(1, 64));
    mesh->add_option("--pattern", options_.pattern, "uniform | transpose | hotspot")
        ->check(CLI::IsMember({"uniform", "transpose", "hotspot"}));
    mesh->add_option("--rates", options_.injection_rates,
                     "injection rates in flits/node/cycle (a list sweeps)")
        ->delimiter(',')
        ->transform(finite_range(0, 1));
    mesh->add_option("--packet-flits", options_.packet_flits, "flits per packet")
        ->transform(integer_range(1, 1024));
    // A billion cycles is about a quarter of an hour of simulation on one core (bench_mesh).
    mesh->add_option("--warmup", options_.warmup_cycles, "warm-up cycles per rate")
        ->transform(integer_range(0, 1000000000));
    mesh->add_option("--cycles", options_.measure_cycles, "measured cycles per rate")
        ->transform(integer_range(1, 1000000000));
    mesh->add_option("--seed", options_.seed, "traffic seed")
        ->transform(integer_range(0, UINT64_MAX));
    mesh->add_option("--csv", options_.csv_path, "write link utilization (heatmap-ready CSV) here")
        ->check(non_empty_path());
    return mesh;
  }

  int execute() override {
    const std::vector<double>& rates = options_.injection_rates;
    if (!options_.csv_path.empty() && rates.size() > 1) {
      // A sweep writes one file per rate beside the name given: that needs a file name.
      if (is_stream_path(options_.csv_path) || options_.csv_path.back() == '/' ||
          std::filesystem::is_directory(options_.csv_path)) {
        throw UserError(fmt::format(
            "{}: error: --csv with {} rates writes one file per rate (name.rate0.1000.csv); give "
            "a file name, not a stream or folder",
            options_.csv_path, rates.size()));
      }
    }
    std::vector<OutputPath> outputs;  // one file per rate (a rate given twice writes one)
    for (double rate : rates) {
      if (options_.csv_path.empty()) break;
      const std::string path = csv_path_for_rate(options_.csv_path, rates, rate);
      if (std::none_of(outputs.begin(), outputs.end(),
                       [&](const OutputPath& o) { return o.path == path; })) {
        outputs.push_back({path, "--csv", output_kind::link_csv});
      }
    }
    check_output_paths(outputs, {arch_file_});
    if (!arch_file_.empty()) options_.mesh = MeshParams::from_arch(load_arch(arch_file_, nullptr));
    if (k_ > 0) options_.mesh.k_x = options_.mesh.k_y = k_;
    return run_mesh_synthetic(options_, std::cout);
  }

 private:
  std::string arch_file_;
  int k_ = 0;
  MeshSyntheticOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_mesh_command() {
  return std::make_unique<MeshCommand>();
}

}  // namespace cimsim
