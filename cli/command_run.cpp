// `cimsim run`: evaluate a workload on an architecture (analytical, optionally replayed in
// SystemC) beside the GPU baseline, optionally with the accuracy model; print and write it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/accuracy_report.hpp"
#include "cli/command.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"
#include "hw/system/chip_replay.hpp"
#include "models/core/error.hpp"
#include "models/core/output_file.hpp"
#include "models/core/units.hpp"

namespace cimsim {
namespace {

// The resolved configuration goes beside the JSON report, else beside the CSV; a stream
// (/dev/stdout, /dev/null) has no folder to put it in, so none is written beside it.
std::string resolved_config_path(const std::string& json_file, const std::string& csv_file) {
  for (const std::string& result_path : {json_file, csv_file}) {
    if (result_path.empty() || is_stream_path(result_path)) continue;
    std::filesystem::path p(result_path);
    return (p.parent_path() / (p.stem().string() + ".resolved.yaml")).string();
  }
  return "";
}

struct ReplayRequest {
  std::string quantum;  // as the user wrote it
  std::string link_csv, router_csv;
};

// Replays the analytical run in SystemC: adds the replay's figures to `report` and returns the
// text printed under the table.
// --quantum as seconds: a time from 0 to 1 s (replay_in_systemc's range).
double quantum_seconds(const std::string& text) {
  std::string problem;
  const auto q = parse_quantity(text, Dim::time, &problem);
  if (!q || !(*q >= 0) || !std::isfinite(*q) || *q > 1.0) {
    throw UserError(fmt::format("error: --quantum '{}': {}", text,
                                q ? "expected a time from 0 to 1s, such as '1us'" : problem));
  }
  return *q;
}

std::string replay(const RunResult& result, const ReplayRequest& request, Json& report,
                   std::vector<std::pair<std::string, std::string>>& files) {
  ReplayOptions replay_options;
  replay_options.quantum_s = quantum_seconds(request.quantum);
  if (!result.mapping.fits && (!request.link_csv.empty() || !request.router_csv.empty())) {
    throw UserError(fmt::format(
        "error: {}: the weights do not fit on the chip, so the replay runs the ops one after "
        "another with the evaluator's reload time and routes no traffic through the mesh; there "
        "is no link or router use to write",
        !request.link_csv.empty() ? "--link-csv" : "--router-csv"));
  }
  replay_options.mesh = MeshParams::from_arch(result.arch);
  // SystemC counts time in femtoseconds in an unsigned 64-bit integer (IEEE 1666-2011, sc_time):
  // 2^64 fs, about 5.1 hours, and a sum past it wraps. The replay keeps to half of that, 2^63 fs
  // (2.56 hours), as a margin. Contention has been seen to add 2.7x on
  // a slow-clock design (a 1 kHz default package), so a pass must fit in a tenth of the cap.
  const double systemc_time_cap_s = 9223372036854775807.0 * 1e-15;
  if (result.evaluation.latency_s > 0.1 * systemc_time_cap_s) {
    throw UserError(fmt::format(
        "error: --fidelity systemc: one pass takes {:.4g} s of simulated time, beyond what "
        "SystemC's femtosecond time base holds with room for contention ({:.4g} s); use the "
        "analytical path, or a faster clock or smaller workload",
        result.evaluation.latency_s, 0.1 * systemc_time_cap_s));
  }
  ChipReplayResult sim =
      replay_in_systemc(result.workload, result.mapping, result.costs, replay_options);
  if (sim.counts != result.evaluation.counts) {
    throw InternalError(
        "internal error (a bug in cimsim, please report it): the SystemC replay counted "
        "different actions than the analytical evaluator");
  }
  // A wrapped time base reads far below the closed form (a routed row may beat the closed
  // form's worst-hop charge slightly, never by half).
  if (sim.latency_s < 0.5 * sim.analytical_latency_s) {
    throw UserError(fmt::format(
        "error: --fidelity systemc: the replay's simulated time passed SystemC's femtosecond "
        "time base ({:.4g} s) and wrapped; use the analytical path",
        systemc_time_cap_s));
  }
  const double added = sim.latency_s / sim.analytical_latency_s - 1.0;
  report["systemc"] = {{"latency_ns", sim.latency_s / kNano},
                       {"analytical_latency_ns", sim.analytical_latency_s / kNano},
                       {"contention_added_fraction", added},
                       {"transactions", sim.transactions},
                       {"vector_unit_utilization", sim.vector_unit_utilization},
                       {"dram_utilization", sim.dram_utilization},
                       {"quantum_ns", std::round(sim.quantum_s * 1e15) * 1e-6},  // fs
                       {"mesh_packets", sim.mesh_packets},
                       {"mesh_excess_ns", sim.mesh_excess_s / kNano}};
  Json routers = Json::array();
  for (const auto& r : sim.routers) {
    routers.push_back({{"chiplet", r.chiplet},
                       {"x", r.x},
                       {"y", r.y},
                       {"output_ports", r.output_ports},
                       {"utilization", r.utilization},
                       {"buffer_occupancy_flits", r.buffer_occupancy_flits},
                       {"blocked_flits", r.blocked_flits}});
  }
  report["systemc"]["router_utilization"] = routers;
  std::string text = fmt::format(
      "\n  SystemC replay: latency {:.4f} us against {:.4f} us analytical (contention adds "
      "{:.2f}%); "
      "action counts identical; {} transactions in {:.3f} s ({:.2f} M/s; simulation alone "
      "{:.3f} s, {:.2f} M/s)\n",
      sim.latency_s / kMicro, sim.analytical_latency_s / kMicro, 100.0 * added, sim.transactions,
      sim.wall_s, sim.transactions / sim.wall_s / 1e6, sim.sim_wall_s,
      sim.transactions / sim.sim_wall_s / 1e6);
  std::vector<LinkUse> busiest = sim.links;
  std::sort(busiest.begin(), busiest.end(),
            [](const LinkUse& a, const LinkUse& b) { return a.utilization > b.utilization; });
  if (!result.mapping.fits) {
    text +=
        "  the weights do not fit: the ops run one after another, each reload taking the "
        "evaluator's time; reprogramming traffic is not routed through the mesh (its link energy "
        "and time are the analytical ones above)\n";
  } else {
    std::string links = fmt::format("  {} die-to-die links carried data; busiest:", busiest.size());
    for (size_t i = 0; i < std::min<size_t>(4, busiest.size()); ++i) {
      const auto& l = busiest[i];
      links += fmt::format(" ({},{})->({},{}) {:.4f};", l.from_x, l.from_y, l.to_x, l.to_y,
                           l.utilization);
    }
    text += links + "\n";
  }
  text += fmt::format(
      "  {} packets through the {} x {} routers ({}-bit flits, {}-flit input buffers, {} cycles "
      "per router, {} per link); beyond their zero-load latency they waited {:.4f} us in all\n",
      sim.mesh_packets, sim.mesh.k_x, sim.mesh.k_y, sim.mesh.flit_bits, sim.mesh.buffer_depth_flits,
      sim.mesh.router_cycles, sim.mesh.link_cycles, sim.mesh_excess_s / kMicro);
  // Written with the other outputs once the whole run has succeeded.
  if (!request.link_csv.empty()) files.emplace_back(request.link_csv, link_csv(sim));
  if (!request.router_csv.empty()) files.emplace_back(request.router_csv, router_csv(sim));
  text += router_utilization_grid(sim);
  std::string util = "  vector-unit utilization per chiplet:";
  for (double u : sim.vector_unit_utilization) util += fmt::format(" {:.3f}", u);
  text += util + "\n";
  // The KV arrays' column appears only where activation matmuls run in the arrays.
  const bool kv = std::any_of(sim.chiplets.begin(), sim.chiplets.end(),
                              [](const ChipletUse& c) { return c.kv_arrays_busy_s > 0; });
  text += fmt::format(
      "  chiplet modules (Tile modules, one per weight matrix placed there; arrays busy us, ADC "
      "banks busy us, vector unit busy us, {}rows):\n",
      kv ? "KV arrays busy us, " : "");
  for (const auto& c : sim.chiplets) {
    text += fmt::format("    {:<10} {:>3} matrices {:>10.3f} {:>10.3f} {:>10.3f}{} {:>8}\n", c.name,
                        c.tiles, c.array_busy_s / kMicro, c.adc_bank_busy_s / kMicro,
                        c.vector_unit_busy_s / kMicro,
                        kv ? fmt::format(" {:>10.3f}", c.kv_arrays_busy_s / kMicro) : "", c.rows);
  }
  return text;
}

class RunCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* run =
        app.add_subcommand("run", "evaluate a workload on an architecture and print the report");
    run->add_option("arch", arch_file_, "architecture YAML file")
        ->check(non_empty_path())
        ->required();
    workload_.add_to(run);
    run->add_option("--json", json_file_, "write the JSON report here (docs/report-schema.md)")
        ->check(non_empty_path());
    run->add_option("--csv", csv_file_, "write per-op results as CSV here")
        ->check(non_empty_path());
    run->add_option(
           "--fidelity", fidelity_,
           "analytical (closed form) or systemc (also replay the mapping in SystemC: contention)")
        ->check(CLI::IsMember({"analytical", "systemc"}));
    run->add_option(
           "--link-csv", replay_.link_csv,
           "with --fidelity systemc: write die-to-die link utilization (heatmap-ready CSV) here")
        ->check(non_empty_path());
    run->add_option("--router-csv", replay_.router_csv,
                    "with --fidelity systemc: write each chiplet's router utilization "
                    "(heatmap-ready CSV) here")
        ->check(non_empty_path());
    quantum_option_ =
        run->add_option("--quantum", replay_.quantum,
                        "with --fidelity systemc: how far the replay may run ahead of the SystemC "
                        "kernel's time (a time such as '1us'; the results do not depend on it)");
    run->add_flag("--accuracy", with_accuracy_,
                  "also run the shipped (or --model) transformer through the crossbars");
    accuracy_options_ = add_accuracy_options(run, accuracy_);
    return run;
  }

  int execute() override {
    check_flags();
    std::vector<OutputPath> outputs{{json_file_, "--json", output_kind::report_json},
                                    {csv_file_, "--csv", output_kind::per_op_csv},
                                    {replay_.link_csv, "--link-csv", output_kind::link_csv},
                                    {replay_.router_csv, "--router-csv", output_kind::router_csv}};
    const std::string resolved_path = resolved_config_path(json_file_, csv_file_);
    if (!resolved_path.empty()) {
      outputs.push_back({resolved_path, fmt::format("the resolved configuration {}", resolved_path),
                         output_kind::resolved_yaml});
    }
    check_output_paths(
        outputs, {arch_file_, workload_.workload, workload_.gpu, accuracy_.model, accuracy_.data});

    const RunResult result = run_analytical(workload_.run_request(arch_file_));
    Json report = report_json(result);
    std::string below_table;
    std::vector<std::pair<std::string, std::string>> replay_files;
    if (fidelity_ == "systemc") below_table += replay(result, replay_, report, replay_files);
    if (with_accuracy_) {
      AccuracyReport accuracy = run_accuracy(result.arch, accuracy_);
      report["accuracy"] = accuracy_json(accuracy);
      below_table += "\n" + accuracy_table(accuracy);
    }

    std::cout << report_table(result) << below_table;
    std::vector<std::string> written;
    if (!json_file_.empty()) {
      write_output_file(json_file_, report.dump(2) + "\n");
      written.push_back(json_file_);
    }
    if (!csv_file_.empty()) {
      write_output_file(csv_file_, per_op_csv(result));
      written.push_back(csv_file_);
    }
    if (!resolved_path.empty()) {
      write_output_file(resolved_path, result.resolved.to_yaml());
      written.push_back(resolved_path);
    }
    for (const auto& [path, text] : replay_files) {
      write_output_file(path, text);
      written.push_back(path);
    }
    if (!written.empty()) std::cout << fmt::format("\nwrote {}\n", fmt::join(written, ", "));
    return 0;
  }

 private:
  // A flag that would be ignored is an error: the user asked for something the run won't do.
  void check_flags() const {
    workload_.check();
    if (with_accuracy_) check_accuracy_request(accuracy_);
    if (!with_accuracy_) {
      for (const CLI::Option* o : accuracy_options_) {
        if (o->count() > 0) {
          throw UserError(fmt::format("error: {} applies only with --accuracy", o->get_name()));
        }
      }
    }
    if (fidelity_ != "systemc" && quantum_option_->count() > 0) {
      throw UserError("error: --quantum needs --fidelity systemc (it paces the SystemC replay)");
    }
    quantum_seconds(replay_.quantum);  // refused before the run, not after it
    if (!replay_.link_csv.empty() && fidelity_ != "systemc") {
      throw UserError(
          "error: --link-csv needs --fidelity systemc (link use comes from the SystemC replay)");
    }
    if (!replay_.router_csv.empty() && fidelity_ != "systemc") {
      throw UserError(
          "error: --router-csv needs --fidelity systemc (router use comes from the SystemC "
          "replay)");
    }
  }

  std::string arch_file_, json_file_, csv_file_;
  WorkloadOptions workload_;
  std::string fidelity_ = "analytical";
  ReplayRequest replay_{"1us", "", ""};
  CLI::Option* quantum_option_ = nullptr;
  bool with_accuracy_ = false;
  AccuracyRequest accuracy_;
  std::vector<CLI::Option*> accuracy_options_;
};

}  // namespace

std::unique_ptr<Command> make_run_command() {
  return std::make_unique<RunCommand>();
}

}  // namespace cimsim
