// `cimsim` subcommands: thin layers over the libraries.
#include "cli/commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/accuracy_report.hpp"
#include "cli/chip_validation.hpp"
#include "cli/golden.hpp"
#include "cli/gpu_validation.hpp"
#include "cli/params.hpp"
#include "cli/report.hpp"
#include "cli/sweep.hpp"
#include "hw/mesh/synthetic.hpp"
#include "hw/system/chip_replay.hpp"
#include "models/core/error.hpp"
#include "models/core/output_file.hpp"
#include "models/core/units.hpp"

namespace cimsim {

namespace {

// A real-valued option within [lo, hi]. CLI::Range lets NaN through (every comparison with it is
// false), and a NaN rate or amplitude would silently turn a mechanism off or poison the result.
CLI::Validator finite_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        double v = 0;
        const char* end = text.data() + text.size();
        const auto [stop, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || stop != end || !std::isfinite(v) || v < lo || v > hi)
          return fmt::format("'{}' is not a number from {:g} to {:g}", text, lo, hi);
        return "";
      },
      fmt::format("FLOAT in [{:g}, {:g}]", lo, hi));
}

// A whole-number option within [lo, hi]: "1.5" and "-1" are not counts, seeds or sizes
// (CLI::Range called 1.5 "not in range 1 to 65536", and an unsigned seed took -1 as 2^64 - 1).
CLI::Validator integer_range(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        std::uint64_t v = 0;
        const char* end = text.data() + text.size();
        const auto [stop, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || stop != end || v < lo || v > hi)
          return fmt::format("'{}' is not an integer from {} to {}", text, lo, hi);
        return "";
      },
      fmt::format("INT in [{}, {}]", lo, hi));
}

struct WorkloadOptions {
  std::string workload;
  WorkloadRequest request;
  std::string gpu = "A100-SXM4-80GB";
  std::string gpu_precision;
  bool gpu_unfused = false;
  // One per subcommand that takes workload options; only the parsed one can have a count.
  std::vector<CLI::Option*> seq_options, context_options;
  bool given(const std::vector<CLI::Option*>& options) const {
    for (const CLI::Option* o : options) {
      if (o->count() > 0) return true;
    }
    return false;
  }
};

void add_workload_options(CLI::App* cmd, WorkloadOptions& o) {
  cmd->add_option("--workload,-w", o.workload, "built-in workload name or a workload YAML file")
      ->required();
  cmd->add_option("--phase", o.request.phase, "prefill (whole sequence) or decode (one token)")
      ->check(CLI::IsMember({"prefill", "decode"}));
  o.seq_options.push_back(
      cmd->add_option("--seq", o.request.seq,
                      "tokens per sequence (prefill; default 128, or the image's tokens for ViT)")
          ->check(integer_range(1, 1 << 20)));
  cmd->add_option("--batch", o.request.batch, "sequences per batch")
      ->check(integer_range(1, 1 << 16));
  o.context_options.push_back(
      cmd->add_option("--context", o.request.context, "tokens already in the KV cache (decode)")
          ->check(integer_range(0, 1 << 22)));
  cmd->add_option(
      "--gpu", o.gpu,
      "GPU baseline: a card in configs/gpu (A100-SXM4-80GB, H100-SXM5-80GB, H200-SXM-141GB) or a "
      "YAML file");
  cmd->add_option("--gpu-precision", o.gpu_precision,
                  "GPU precision (default: int8 when the CIM chip is 8-bit, else fp16)")
      ->check(CLI::IsMember({"fp16", "int8"}));
  cmd->add_flag("--gpu-unfused", o.gpu_unfused,
                "run every GPU op as its own kernel (eager frameworks)");
}

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

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"cimsim: compute-in-memory chip simulator (analytical path)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", CIMSIM_VERSION);

  // run
  auto* run =
      app.add_subcommand("run", "evaluate a workload on an architecture and print the report");
  std::string arch_file, json_file, csv_file;
  WorkloadOptions wo;
  run->add_option("arch", arch_file, "architecture YAML file")->required();
  add_workload_options(run, wo);
  run->add_option("--json", json_file, "write the JSON report here (docs/report-schema.md)");
  run->add_option("--csv", csv_file, "write per-op results as CSV here");

  // check
  auto* check = app.add_subcommand(
      "check", "compare a run with a golden JSON report; exit 1 when a number moved");
  std::string golden_file;
  double tolerance = 1e-9;
  check->add_option("arch", arch_file, "architecture YAML file")->required();
  add_workload_options(check, wo);
  check->add_option("--golden", golden_file, "golden JSON report")->required();
  check->add_option("--tolerance", tolerance, "relative tolerance for non-count numbers")
      ->check(finite_range(0.0, 1.0));

  // params, workloads
  auto* params = app.add_subcommand(
      "params", "list every architecture parameter with unit, default and range");
  auto* workloads = app.add_subcommand("workloads", "list the built-in workloads");
  auto* accuracy = app.add_subcommand(
      "accuracy",
      "run a real transformer through the modelled crossbars and report the accuracy lost");
  AccuracyRequest acc;
  accuracy->add_option("arch", arch_file, "architecture YAML file")->required();
  auto add_accuracy_options = [&](CLI::App* cmd) {
    std::vector<CLI::Option*> added;
    added.push_back(cmd->add_option(
        "--model", acc.model,
        "GPT-2-style safetensors model (default: the shipped character-level GPT)"));
    added.push_back(cmd->add_option("--data", acc.data,
                                    "evaluation text (default: the shipped evaluation text)"));
    added.push_back(cmd->add_option("--windows", acc.windows, "context windows to evaluate")
                        ->check(integer_range(1, 100000)));
    added.push_back(cmd->add_option("--seed", acc.seed, "seed of every device-noise draw")
                        ->check(integer_range(0, UINT64_MAX)));
    added.push_back(cmd->add_option("--adc-range", acc.adc_range,
                                    "ADC range: fixed (full scale of the array), calibrated "
                                    "(largest sum on one window of "
                                    "float activations, per array), per_column")
                        ->check(CLI::IsMember({"fixed", "calibrated", "per_column"})));
    added.push_back(cmd->add_option("--stuck-on", acc.stuck_on_rate,
                                    "fraction of cells stuck at the highest level")
                        ->check(finite_range(0.0, 1.0)));
    added.push_back(cmd->add_option("--stuck-off", acc.stuck_off_rate,
                                    "fraction of cells stuck at the lowest level")
                        ->check(finite_range(0.0, 1.0)));
    added.push_back(
        cmd->add_flag("--ir-drop", acc.ir_drop, "first-order IR drop along word and bit lines"));
    added.push_back(cmd->add_option("--adc-offset", acc.adc_offset_sigma_lsb,
                                    "ADC offset sigma per column, in steps")
                        ->check(finite_range(0.0, 100.0)));
    added.push_back(cmd->add_option("--adc-inl", acc.adc_inl_lsb,
                                    "ADC integral nonlinearity (bow amplitude), in steps")
                        ->check(finite_range(-100.0, 100.0)));
    added.push_back(cmd->add_option("--adc-dnl", acc.adc_dnl_sigma_lsb,
                                    "ADC differential nonlinearity sigma, in steps")
                        ->check(finite_range(0.0, 100.0)));
    added.push_back(
        cmd->add_option("--drift-time", acc.drift_time_s, "seconds since programming, for drift")
            ->check(finite_range(0.0, 1e12)));
    return added;
  };
  add_accuracy_options(accuracy);
  std::string accuracy_json_file;
  accuracy->add_option("--json", accuracy_json_file, "write the accuracy report as JSON here");
  std::string fidelity = "analytical";
  run->add_option(
         "--fidelity", fidelity,
         "analytical (closed form) or systemc (also replay the mapping in SystemC: contention)")
      ->check(CLI::IsMember({"analytical", "systemc"}));
  std::string link_csv;
  run->add_option(
      "--link-csv", link_csv,
      "with --fidelity systemc: write die-to-die link utilization (heatmap-ready CSV) here");
  std::string router_csv;
  run->add_option("--router-csv", router_csv,
                  "with --fidelity systemc: write each chiplet's router utilization (heatmap-ready "
                  "CSV) here");
  std::string quantum = "1us";
  CLI::Option* quantum_option =
      run->add_option("--quantum", quantum,
                      "with --fidelity systemc: how far the replay may run ahead of the SystemC "
                      "kernel's time (a time such as '1us'; the results do not depend on it)");
  bool run_accuracy_too = false;
  run->add_flag("--accuracy", run_accuracy_too,
                "also run the shipped (or --model) transformer through the crossbars");
  const std::vector<CLI::Option*> run_accuracy_options = add_accuracy_options(run);
  auto* mesh = app.add_subcommand(
      "mesh",
      "drive the SystemC die-to-die mesh with synthetic traffic (latency, throughput, link use)");
  MeshSyntheticOptions mesh_options;
  std::string mesh_arch;
  int mesh_k = 0;
  mesh->add_option("arch", mesh_arch,
                   "architecture YAML file for the mesh size and link card (optional)");
  mesh->add_option("--k", mesh_k, "k x k mesh (overrides the architecture's size)")
      ->check(integer_range(1, 64));
  mesh->add_option("--pattern", mesh_options.pattern, "uniform | transpose | hotspot")
      ->check(CLI::IsMember({"uniform", "transpose", "hotspot"}));
  mesh->add_option("--rates", mesh_options.injection_rates,
                   "injection rates in flits/node/cycle (a list sweeps)")
      ->delimiter(',');
  mesh->add_option("--packet-flits", mesh_options.packet_flits, "flits per packet")
      ->check(integer_range(1, 1024));
  // A billion cycles is about a quarter of an hour of simulation on one core (bench_mesh);
  // checked as numbers so that a negative count cannot wrap to 2^64.
  mesh->add_option("--warmup", mesh_options.warmup_cycles, "warm-up cycles per rate")
      ->check(integer_range(0, 1000000000));
  mesh->add_option("--cycles", mesh_options.measure_cycles, "measured cycles per rate")
      ->check(integer_range(1, 1000000000));
  mesh->add_option("--seed", mesh_options.seed, "traffic seed")
      ->check(integer_range(0, UINT64_MAX));
  mesh->add_option("--csv", mesh_options.csv_path,
                   "write link utilization (heatmap-ready CSV) here");
  auto* sweep = app.add_subcommand(
      "sweep", "evaluate a grid of design points from a sweep file (analytical path)");
  std::string sweep_file, sweep_csv_file, sweep_systemc = "none";
  unsigned sweep_threads = 0;
  sweep->add_option("sweep", sweep_file, "sweep YAML file (docs/sweeps.md)")->required();
  sweep->add_option("--csv", sweep_csv_file, "write every point as CSV here");
  sweep
      ->add_option("--threads", sweep_threads,
                   "worker threads (default: one per hardware thread; results do not depend on it)")
      ->check(integer_range(0, 1024));
  double sweep_replay_limit_s = kDefaultReplayTimeLimitS;
  CLI::Option* sweep_replay_limit_option =
      sweep
          ->add_option("--systemc-time-limit", sweep_replay_limit_s,
                       "seconds of wall time one SystemC replay may take before it is stopped "
                       "(its point says so)")
          ->check(finite_range(1e-3, 1e9));
  sweep
      ->add_option("--systemc", sweep_systemc,
                   "also replay these feasible points in SystemC with contention, each in its "
                   "own process: none, pareto or all")
      ->check(CLI::IsMember({"none", "pareto", "all"}));
  auto* validate_gpu = app.add_subcommand("validate-gpu",
                                          "compare the GPU model with measured A100, H100 and "
                                          "H200; exit 1 when a point leaves its band");
  auto* validate = app.add_subcommand(
      "validate", "run every published chip in configs/chips/; exit 1 when one leaves its band");
  std::string chips_dir, validate_markdown;
  validate->add_option("--chips", chips_dir, "folder of chip folders (default: configs/chips)");
  validate->add_option("--markdown", validate_markdown, "also write the table as Markdown here");

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

  if (*params) {
    std::cout << parameter_table();
    return 0;
  }
  if (*accuracy) {
    check_output_paths({{accuracy_json_file, "--json", output_kind::accuracy_json}},
                       {arch_file, acc.model, acc.data});
    ResolvedConfig resolved;
    ArchSpec arch = load_arch(arch_file, &resolved);
    AccuracyReport report = run_accuracy(arch, acc);
    std::cout << accuracy_table(report);
    if (!accuracy_json_file.empty())
      write_output_file(accuracy_json_file, accuracy_json(report).dump(2) + "\n");
    return 0;
  }
  if (*mesh) {
    std::vector<OutputPath> outputs;  // one file per rate (a rate given twice writes one)
    for (double rate : mesh_options.injection_rates) {
      if (mesh_options.csv_path.empty()) break;
      const std::string path =
          csv_path_for_rate(mesh_options.csv_path, rate, mesh_options.injection_rates.size() > 1);
      if (std::none_of(outputs.begin(), outputs.end(),
                       [&](const OutputPath& o) { return o.path == path; })) {
        outputs.push_back({path, "--csv", output_kind::link_csv});
      }
    }
    check_output_paths(outputs, {mesh_arch});
    if (!mesh_arch.empty())
      mesh_options.mesh = MeshParams::from_arch(load_arch(mesh_arch, nullptr));
    if (mesh_k > 0) mesh_options.mesh.k_x = mesh_options.mesh.k_y = mesh_k;
    return run_mesh_synthetic(mesh_options, std::cout);
  }
  if (*sweep) {
    // CLI11's range check lets NaN through.
    if (!(sweep_replay_limit_s >= 1e-3 && sweep_replay_limit_s <= 1e9)) {
      throw UserError(fmt::format(
          "error: --systemc-time-limit: {} is not a number of seconds from 0.001 to 1e9",
          sweep_replay_limit_s));
    }
    if (sweep_replay_limit_option->count() > 0 && sweep_systemc == "none") {
      throw UserError(
          "error: --systemc-time-limit applies only with --systemc pareto or all (it bounds "
          "each SystemC replay)");
    }
    check_output_paths({{sweep_csv_file, "--csv", output_kind::sweep_csv}}, {sweep_file});
    const SweepResult result =
        run_sweep(sweep_file, sweep_threads, sweep_systemc, sweep_replay_limit_s);
    std::cout << sweep_table(result);
    if (!sweep_csv_file.empty()) {
      write_output_file(sweep_csv_file, sweep_csv(result));
      std::cout << fmt::format("wrote {}\n", sweep_csv_file);
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
  if (*validate) {
    check_output_paths({{validate_markdown, "--markdown", output_kind::validation_markdown}}, {});
    auto points = validate_chips(chips_dir);
    std::cout << chip_validation_table(points);
    if (!validate_markdown.empty())
      write_output_file(validate_markdown, chip_validation_markdown(points));
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
  if (*validate_gpu) {
    auto points = validate_gpu_model();
    std::cout << gpu_validation_table(points);
    for (const auto& p : points) {
      if (p.banded() && !p.in_band()) return 1;
    }
    return 0;
  }
  if (*workloads) {
    for (const auto& s : zoo()) {
      std::cout << fmt::format(
          "{:<12} {:<8} layers {:>2}  d_model {:>4}  heads {:>2} ({:>2} KV)  ffn {:>5} {:<6}  {}\n",
          s.name, s.style, s.layers, s.d_model, s.heads, s.kv_heads, s.ffn, s.ffn_kind, s.source);
    }
    return 0;
  }

  if (wo.request.phase == "decode" && wo.request.context == 0) {
    throw UserError(
        wo.given(wo.context_options)
            ? "error: --context 0: decode needs at least one token already in the KV cache "
              "(expected an integer >= 1)"
            : "error: --phase decode needs --context N (tokens already in the KV cache)");
  }
  // A flag that would be ignored is an error: the user asked for something the run won't do.
  if (wo.request.phase == "prefill" && wo.given(wo.context_options)) {
    throw UserError("error: --context applies only with --phase decode (prefill has no KV cache)");
  }
  if (wo.request.phase == "decode" && wo.given(wo.seq_options)) {
    throw UserError(
        "error: --seq applies only to prefill; decode generates one token per sequence after "
        "--context tokens");
  }
  if (*accuracy || (*run && run_accuracy_too)) check_accuracy_request(acc);
  if (*run && !run_accuracy_too) {
    for (const CLI::Option* o : run_accuracy_options) {
      if (o->count() > 0) {
        throw UserError(fmt::format("error: {} applies only with --accuracy", o->get_name()));
      }
    }
  }
  if (*run && fidelity != "systemc" && quantum_option->count() > 0) {
    throw UserError("error: --quantum needs --fidelity systemc (it paces the SystemC replay)");
  }
  if (*run) {
    std::vector<OutputPath> outputs{{json_file, "--json", output_kind::report_json},
                                    {csv_file, "--csv", output_kind::per_op_csv},
                                    {link_csv, "--link-csv", output_kind::link_csv},
                                    {router_csv, "--router-csv", output_kind::router_csv}};
    const std::string resolved_path = resolved_config_path(json_file, csv_file);
    if (!resolved_path.empty()) {
      outputs.push_back({resolved_path, fmt::format("the resolved configuration {}", resolved_path),
                         output_kind::resolved_yaml});
    }
    check_output_paths(outputs, {arch_file, wo.workload, wo.gpu, acc.model, acc.data});
  }
  RunRequest request{arch_file, wo.workload, wo.request, wo.gpu, wo.gpu_precision, !wo.gpu_unfused};
  RunResult result = run_analytical(request);
  Json report = report_json(result);
  std::string accuracy_text;
  if (!link_csv.empty() && fidelity != "systemc") {
    throw UserError(
        "error: --link-csv needs --fidelity systemc (link use comes from the SystemC replay)");
  }
  if (!router_csv.empty() && fidelity != "systemc") {
    throw UserError(
        "error: --router-csv needs --fidelity systemc (router use comes from the SystemC replay)");
  }
  if (*run && fidelity == "systemc") {
    ReplayOptions replay_options;
    std::string problem;
    const auto q = parse_quantity(quantum, Dim::time, &problem);
    if (!q || !(*q >= 0) || !std::isfinite(*q)) {
      throw UserError(fmt::format("error: --quantum '{}': {}", quantum,
                                  q ? "expected a time >= 0 such as '1us'" : problem));
    }
    replay_options.quantum_s = *q;
    replay_options.mesh = MeshParams::from_arch(result.arch);
    // SystemC counts time in femtoseconds in a 64-bit integer (IEEE 1666-2011, sc_time): at most
    // 2^63 fs, about 2.56 hours, and a sum past it wraps. Contention has been seen to add 2.7x on
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
                         {"quantum_ns", sim.quantum_s / kNano},
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
    accuracy_text += fmt::format(
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
    std::string links = fmt::format("  {} die-to-die links carried data; busiest:", busiest.size());
    for (size_t i = 0; i < std::min<size_t>(4, busiest.size()); ++i) {
      const auto& l = busiest[i];
      links += fmt::format(" ({},{})->({},{}) {:.4f};", l.from_x, l.from_y, l.to_x, l.to_y,
                           l.utilization);
    }
    accuracy_text += links + "\n";
    accuracy_text += fmt::format(
        "  {} packets through the {} x {} routers ({}-bit flits, {}-flit input buffers, {} cycles "
        "per router, {} per link); beyond their zero-load latency they waited {:.4f} us in all\n",
        sim.mesh_packets, sim.mesh.k_x, sim.mesh.k_y, sim.mesh.flit_bits,
        sim.mesh.buffer_depth_flits, sim.mesh.router_cycles, sim.mesh.link_cycles,
        sim.mesh_excess_s / kMicro);
    if (!link_csv.empty()) write_link_csv(sim, link_csv);
    if (!router_csv.empty()) write_router_csv(sim, router_csv);
    accuracy_text += router_utilization_grid(sim);
    std::string util = "  vector-unit utilization per chiplet:";
    for (double u : sim.vector_unit_utilization) util += fmt::format(" {:.3f}", u);
    accuracy_text += util + "\n";
    // The KV arrays' column appears only where activation matmuls run in the arrays.
    const bool kv = std::any_of(sim.chiplets.begin(), sim.chiplets.end(),
                                [](const ChipletUse& c) { return c.kv_arrays_busy_s > 0; });
    accuracy_text += fmt::format(
        "  chiplet modules (tiles, arrays busy us, ADC banks busy us, vector unit busy us, {}"
        "rows):\n",
        kv ? "KV arrays busy us, " : "");
    for (const auto& c : sim.chiplets) {
      accuracy_text += fmt::format(
          "    {:<10} {:>3} tiles {:>10.3f} {:>10.3f} {:>10.3f}{} {:>8}\n", c.name, c.tiles,
          c.array_busy_s / kMicro, c.adc_bank_busy_s / kMicro, c.vector_unit_busy_s / kMicro,
          kv ? fmt::format(" {:>10.3f}", c.kv_arrays_busy_s / kMicro) : "", c.rows);
    }
  }
  if (*run && run_accuracy_too) {
    AccuracyReport acc_report = run_accuracy(result.arch, acc);
    report["accuracy"] = accuracy_json(acc_report);
    accuracy_text += "\n" + accuracy_table(acc_report);
  }

  if (*run) {
    std::cout << report_table(result) << accuracy_text;
    std::vector<std::string> written;
    if (!json_file.empty()) {
      write_output_file(json_file, report.dump(2) + "\n");
      written.push_back(json_file);
    }
    if (!csv_file.empty()) {
      write_output_file(csv_file, per_op_csv(result));
      written.push_back(csv_file);
    }
    const std::string resolved_path = resolved_config_path(json_file, csv_file);
    if (!resolved_path.empty()) {
      write_output_file(resolved_path, result.resolved.to_yaml());
      written.push_back(resolved_path);
    }
    if (!written.empty()) std::cout << fmt::format("\nwrote {}\n", fmt::join(written, ", "));
    return 0;
  }

  // check
  if (!(tolerance >= 0.0 && tolerance <= 1.0)) {
    throw UserError(fmt::format("error: --tolerance {} is not a number from 0 to 1", tolerance));
  }
  require_regular_file(golden_file);
  std::ifstream in(golden_file);
  if (!in)
    throw UserError(
        fmt::format("{}: error: cannot open golden file (does it exist?)", golden_file));
  Json golden;
  try {
    golden = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw UserError(fmt::format("{}: error: not valid JSON: {}", golden_file, e.what()));
  }
  // Anything else would compare as one moved number at the root and exit 1, as if a result moved.
  if (!golden.is_object() || !golden.contains("cimsim_version") || !golden.contains("cim")) {
    throw UserError(fmt::format(
        "{}: error: not a cimsim report: expected a JSON object with 'cimsim_version' and 'cim', "
        "as 'cimsim run --json' writes",
        golden_file));
  }
  auto diffs = compare_to_golden(golden, report, tolerance);
  if (diffs.empty()) {
    std::cout << fmt::format("{}: all numbers match ({} relative tolerance, counts exact)\n",
                             golden_file, tolerance);
    return 0;
  }
  std::cout << fmt::format("{}: {} number(s) moved:\n", golden_file, diffs.size());
  for (const auto& d : diffs) std::cout << "  " << d << "\n";
  return 1;
}

}  // namespace cimsim
