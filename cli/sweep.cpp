#include "cli/sweep.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "cli/params.hpp"
#include "hw/mesh/mesh_params.hpp"
#include "hw/system/chip_replay.hpp"
#include "hw/system/forked_child.hpp"
#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/config.hpp"
#include "models/core/config_paths.hpp"
#include "models/cost/cost_table.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

namespace {

constexpr std::size_t kMaxPoints = 1'000'000;

// A path in the sweep file is relative to the sweep file.
std::string beside(const std::string& sweep_file, const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.is_absolute()) return path;
  return (fs::path(sweep_file).parent_path() / p).lexically_normal().string();
}

// The file a sweep key names (relative to the sweep file) must be one: an error at the key's
// line otherwise.
void require_file_at(const ConfigNode& node, std::string_view key, const std::string& path,
                     std::string_view kind) {
  if (std::filesystem::is_directory(path)) {
    const bool vowel = std::string_view("aeiou").find(kind.front()) != std::string_view::npos;
    node.fail(key,
              fmt::format("'{}' is a folder; expected {} {} file", path, vowel ? "an" : "a", kind));
  }
  if (!std::filesystem::is_regular_file(path))
    node.fail(key, fmt::format("no {} file '{}' (a path relative to the sweep file)", kind, path));
}

// Keys a point may set: the documented architecture keys, less those that are not a design
// choice (names) or that would swap in a whole card (presets bring their own values over the
// architecture's keys).
void check_axis_key(const ConfigNode& axes, const std::string& key, const std::string& phase) {
  // The workload's size is a design question too (batch for throughput, context for decode).
  if (key.rfind("workload.", 0) == 0) {
    if (key == "workload.batch") return;
    if (key == "workload.seq" && phase == "prefill") return;
    if (key == "workload.context" && phase == "decode") return;
    axes.fail(key, fmt::format("not a workload axis for phase {}; the workload axes are "
                               "workload.batch and workload.{}",
                               phase, phase == "prefill" ? "seq" : "context"));
  }
  // Names, descriptions and sources are not design choices; a preset would replace the
  // architecture's own keys.
  auto design_choice = [](const std::string& path) {
    for (const char* part : {"name", "description", "source"}) {
      if (path == part || path.ends_with(fmt::format(".{}", part))) return false;
    }
    return path != "technology.preset" && path != "package.link.preset";
  };
  std::vector<std::string> known;
  bool found = false;
  for (const ParamDoc& p : parameter_docs()) {
    if (p.path.rfind("gpu.", 0) == 0) continue;
    known.push_back(p.path);
    found = found || p.path == key;
  }
  if (!found) {
    // A section (crossbar.adc) is closer in spelling to a sibling key than to its own keys.
    std::vector<std::string> inside;
    for (const std::string& k : known) {
      if (k.rfind(key + ".", 0) == 0 && design_choice(k)) inside.push_back(k);
    }
    if (!inside.empty()) {
      axes.fail(key, fmt::format("a section, not a parameter; sweep one of its keys: {}",
                                 fmt::join(inside, ", ")));
    }
    const std::string hint = closest_match(key, known);
    axes.fail(key, hint.empty() ? "not an architecture key (see `cimsim params`)"
                                : fmt::format("not an architecture key; did you mean '{}'?", hint));
  }
  if (key == "technology.preset" || key == "package.link.preset") {
    axes.fail(key,
              "a preset would replace the architecture's own keys; sweep the keys themselves, or "
              "run one sweep per architecture");
  }
  if (!design_choice(key)) {
    axes.fail(key, "names and descriptions are not design choices; sweep a parameter");
  }
}

struct Plan {
  std::string arch_file;
  TransformerShape shape;
  WorkloadRequest request;
  Workload workload;  // at the request; a point with workload axes builds its own
  std::vector<SweepAxis> axes;
  std::size_t points = 1;
};

Plan read_plan(const std::string& sweep_file, const std::string& sweep_text, SweepResult& out) {
  ConfigNode sweep = ConfigNode::load_string(sweep_text, sweep_file, nullptr);
  Plan plan;
  out.name = sweep.string("name");
  sweep.free_text("description");
  plan.arch_file = beside(sweep_file, sweep.string("arch"));
  out.arch_file = plan.arch_file;
  require_file_at(sweep, "arch", plan.arch_file, "architecture");
  load_arch(plan.arch_file, nullptr);  // the base must stand on its own: its errors are errors

  ConfigNode w = sweep.child("workload");
  std::string workload = w.string("name");
  if (looks_like_file(workload)) {
    workload = beside(sweep_file, workload);
    require_file_at(w, "name", workload, "workload");
  }
  WorkloadRequest request;
  request.phase = w.choice("phase", {"prefill", "decode"}, "prefill");
  if (request.phase == "prefill") {
    request.seq = static_cast<int>(w.integer("seq", 1, 1 << 20, 0));
    if (w.has("context")) w.fail("context", "context applies only with phase: decode");
  } else {
    // A context axis gives every point its own context; the section's is then optional.
    const bool context_axis = sweep.child("axes").has("workload.context");
    request.context = static_cast<int>(context_axis ? w.integer("context", 1, 1 << 22, 1)
                                                    : w.integer("context", 1, 1 << 22));
    if (w.has("seq")) w.fail("seq", "seq applies only to prefill");
  }
  request.batch = static_cast<int>(w.integer("batch", 1, 1 << 16, 1));
  w.finish();
  // The section's own lines are named for what the sweep file got wrong; a workload file's
  // errors name that file.
  if (!looks_like_file(workload) && !is_builtin_workload(workload))
    w.fail("name", unknown_workload_message(workload));
  plan.shape = find_workload(workload);
  if (const auto problem = request_problem(plan.shape, request, false))
    w.fail(problem->key, problem->what);
  plan.request = request;
  plan.workload = build_transformer(plan.shape, request);
  out.workload = plan.workload.name;

  ConfigNode axes = sweep.child("axes");
  bool workload_axes = false;
  for (const std::string& key : axes.keys()) workload_axes |= key.rfind("workload.", 0) == 0;
  if (workload_axes) out.workload = fmt::format("{} (the workload axes vary it)", plan.shape.name);
  // A ViT's sequence is its image's tokens: a seq axis is refused here, at its line.
  if (plan.shape.image_tokens > 0 && axes.has("workload.seq")) {
    axes.fail("workload.seq", fmt::format("{} takes {} tokens per image; its sequence is not a "
                                          "design choice",
                                          plan.shape.name, plan.shape.image_tokens));
  }
  if (axes.keys().empty()) sweep.fail("axes", "a sweep needs at least one axis");
  for (const std::string& key : axes.keys()) {
    check_axis_key(axes, key, request.phase);
    SweepAxis axis{key, {}};
    for (const ConfigNode& item : axes.items(key)) axis.values.push_back(item.scalar_string());
    if (axis.values.empty()) axes.fail(key, "an axis needs at least one value");
    plan.points *= axis.values.size();
    if (plan.points > kMaxPoints) {
      axes.fail(key, fmt::format("the grid passes {} points; split the sweep", kMaxPoints));
    }
    plan.axes.push_back(std::move(axis));
  }
  sweep.finish();
  return plan;
}

// The order points are evaluated in: the architecture axes slowest, so that the points of one
// architecture, which differ only in the workload, come one after another and share its parse
// and cost table. Results are stored by point index, so the order does not show.
class EvaluationOrder {
 public:
  explicit EvaluationOrder(const Plan& plan) : plan_(plan) {
    for (const SweepAxis& a : plan.axes) {
      workload_axis_.push_back(is_workload_axis(a.key));
      if (workload_axis_.back()) workload_points_ *= a.values.size();
    }
  }
  static bool is_workload_axis(const std::string& key) { return key.rfind("workload.", 0) == 0; }
  // Points per architecture: a worker takes them together.
  std::size_t workload_points() const { return workload_points_; }
  // The index (in the grid's own order, the last axis fastest) of the n-th point evaluated.
  std::size_t index(std::size_t n) const {
    std::size_t arch_rest = n / workload_points_, workload_rest = n % workload_points_;
    std::size_t index = 0, stride = 1;
    for (std::size_t a = plan_.axes.size(); a-- > 0;) {
      const std::size_t size = plan_.axes[a].values.size();
      std::size_t& rest = workload_axis_[a] ? workload_rest : arch_rest;
      index += (rest % size) * stride;
      rest /= size;
      stride *= size;
    }
    return index;
  }

 private:
  const Plan& plan_;
  std::vector<bool> workload_axis_;  // per axis of the plan
  std::size_t workload_points_ = 1;
};

// Each worker parses the files once and lays each of its points over the architecture.
class Worker {
 public:
  Worker(const std::string& sweep_file, const std::string& sweep_text, const Plan& plan)
      : plan_(plan), arch_root_(ConfigNode::load_file(plan.arch_file, nullptr)) {
    // When no axis touches the technology section, every point has the architecture's card:
    // it is parsed once (the base architecture was checked whole by read_plan).
    if (std::none_of(plan.axes.begin(), plan.axes.end(),
                     [](const SweepAxis& a) { return a.key.rfind("technology.", 0) == 0; })) {
      technology_ = parse_technology(arch_root_.child("technology"));
    }
    // The text read at the start (the file may change meanwhile), parsed once per worker: the
    // points' values stay nodes of this document, so a refusal names their lines.
    const ConfigNode axes = ConfigNode::load_string(sweep_text, sweep_file, nullptr).child("axes");
    for (const SweepAxis& axis : plan.axes) axis_values_.push_back(axes.items(axis.key));
  }

  // The point's architecture and cost table (shared by the points that differ only in the
  // workload) and its own workload (when it has workload axes); throws the UserError that
  // refuses it. `values` receives the point's values as written.
  struct Model {
    std::shared_ptr<const ArchSpec> arch;
    std::shared_ptr<const CostTable> costs;
    std::optional<Workload> own_workload;
  };
  Model model(std::size_t index, std::vector<std::string>& values) {
    std::vector<std::pair<std::string, ConfigNode>> chosen, workload_chosen;
    std::vector<std::size_t> arch_choice;
    std::size_t rest = index;
    values.resize(plan_.axes.size());
    for (std::size_t a = plan_.axes.size(); a-- > 0;) {
      const std::string& key = plan_.axes[a].key;
      const std::size_t n = plan_.axes[a].values.size();
      values[a] = plan_.axes[a].values[rest % n];
      const ConfigNode& value = axis_values_[a][rest % n];
      if (EvaluationOrder::is_workload_axis(key)) {
        workload_chosen.emplace_back(key, value);
      } else {
        chosen.emplace_back(key, value);
        arch_choice.push_back(rest % n);
      }
      rest /= n;
    }
    if (!cached_ || cached_choice_ != arch_choice) {
      Cached fresh;
      try {
        auto arch = std::make_shared<const ArchSpec>(
            chosen.empty() ? parse_arch(arch_root_, plan_.arch_file, technology())
                           : parse_arch(nested(arch_nest_, chosen).with_fallback(arch_root_),
                                        plan_.arch_file, technology()));
        fresh.costs = std::make_shared<const CostTable>(build_cost_table(*arch));
        fresh.arch = std::move(arch);
      } catch (const UserError& e) {
        fresh.refusal = e.what();
      }  // anything else ends the sweep, and the cache is left as it was
      cached_ = std::move(fresh);
      cached_choice_ = arch_choice;
    }
    if (!cached_->arch) throw UserError(cached_->refusal);
    Model m{cached_->arch, cached_->costs, std::nullopt};
    if (!workload_chosen.empty()) {
      // Read as the sweep file's own keys, so a bad value names its line.
      const ConfigNode w = nested(workload_nest_, workload_chosen).child("workload");
      WorkloadRequest r = plan_.request;
      if (w.has("seq")) r.seq = static_cast<int>(w.integer("seq", 1, 1 << 20));
      if (w.has("context")) r.context = static_cast<int>(w.integer("context", 1, 1 << 22));
      if (w.has("batch")) r.batch = static_cast<int>(w.integer("batch", 1, 1 << 16));
      m.own_workload = build_transformer(plan_.shape, r);
    }
    return m;
  }
  const Workload& workload_of(const Model& m) const {
    return m.own_workload ? *m.own_workload : plan_.workload;
  }

  SweepPoint run(std::size_t index) {
    SweepPoint p;
    try {
      const Model m = model(index, p.values);
      const Workload& workload = workload_of(m);
      const Mapping map = map_workload(*m.arch, workload);
      const Evaluation e = evaluate(workload, map, *m.costs, workspace_);
      p.feasible = true;
      p.status = "ok";
      p.energy_j = e.energy_j;
      const double tokens = static_cast<double>(workload.request.batch) *
                            (workload.request.phase == "decode" ? 1 : workload.request.seq);
      p.energy_per_token_j = e.energy_j / tokens;
      p.latency_s = e.latency_s;
      p.area_m2 = m.costs->total_area_m2();
      p.tops_per_w = e.tops_per_w();
      p.inferences_per_s = e.inferences_per_s;
      p.utilization = map.utilization;
      p.lifetime_s = e.lifetime_s(m.arch->technology.endurance_cycles);
      p.throughput_bound = throughput_bound_name(e.throughput_bound);
      p.fits = map.fits;
    } catch (const UserError& e) {
      p.status = e.what();
    }
    return p;
  }

 private:
  struct Cached {
    std::shared_ptr<const ArchSpec> arch;
    std::shared_ptr<const CostTable> costs;
    std::string refusal;
  };

  // The point's values as a map of their key paths; every point has the same paths, so the map
  // is made once and its leaves re-pointed.
  static ConfigNode nested(std::optional<ConfigNode>& made,
                           const std::vector<std::pair<std::string, ConfigNode>>& values) {
    made = made ? made->renest(values) : ConfigNode::nest(values);
    return *made;
  }

  const TechnologyCard* technology() const { return technology_ ? &*technology_ : nullptr; }

  const Plan& plan_;
  ConfigNode arch_root_;
  std::optional<TechnologyCard> technology_;          // when no axis touches the section
  std::vector<std::vector<ConfigNode>> axis_values_;  // per axis of the plan, its values' nodes
  std::optional<ConfigNode> arch_nest_, workload_nest_;
  std::optional<Cached> cached_;
  std::vector<std::size_t> cached_choice_;
  Workspace workspace_;
};

void mark_pareto(std::vector<SweepPoint>& points) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].feasible) order.push_back(i);
  }
  // By energy per token, then latency, then area: a point can only be dominated by one before
  // it.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const SweepPoint &x = points[a], &y = points[b];
    if (x.energy_per_token_j != y.energy_per_token_j)
      return x.energy_per_token_j < y.energy_per_token_j;
    if (x.latency_s != y.latency_s) return x.latency_s < y.latency_s;
    if (x.area_m2 != y.area_m2) return x.area_m2 < y.area_m2;
    return a < b;
  });
  std::vector<std::size_t> front;
  for (std::size_t i : order) {
    const SweepPoint& p = points[i];
    bool dominated = false;
    for (std::size_t f : front) {
      const SweepPoint& q = points[f];
      if (q.energy_per_token_j <= p.energy_per_token_j && q.latency_s <= p.latency_s &&
          q.area_m2 <= p.area_m2) {
        dominated = true;  // equal in all three counts too: the earlier point stands for both
        break;
      }
    }
    if (!dominated) {
      front.push_back(i);
      points[i].pareto = true;
    }
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

namespace {

// SystemC counts femtoseconds in 64 bits (2.56 h); a pass must fit a tenth of it, as in `run`.
constexpr double kSystemcPassLimitS = 0.1 * 9223372036854775807.0 * 1e-15;

// What a child sends back: the replay's latency, or why there is none. `internal`: a bug (a
// panic, or counts that differ from the evaluator's), which the sweep reports as one.
struct ChildReport {
  double latency_s = 0;
  int ok = 0;
  int internal = 0;
  char problem[480] = {};
};

// The replay of one feasible point, with the checks `run --fidelity systemc` makes: the counts
// equal the evaluator's, and the femtosecond time base did not wrap.
ChildReport replay_point(const std::string& sweep_file, const std::string& sweep_text,
                         const Plan& plan, std::size_t index) {
  ChildReport report;
  auto say = [&](const std::string& what) {
    std::snprintf(report.problem, sizeof report.problem, "%s", what.c_str());
  };
  try {
    Worker worker(sweep_file, sweep_text, plan);
    std::vector<std::string> values;
    const Worker::Model m = worker.model(index, values);
    const Workload& workload = worker.workload_of(m);
    const Mapping map = map_workload(*m.arch, workload);
    const CostTable& costs = *m.costs;
    ReplayOptions options;
    options.contention = true;
    options.mesh = MeshParams::from_arch(*m.arch);
    const ChipReplayResult sim = replay_in_systemc(workload, map, costs, options);
    Workspace ws;
    const Evaluation analytical = evaluate(workload, map, costs, ws);
    if (sim.counts != analytical.counts) {
      report.internal = 1;
      say("the SystemC replay counted different actions than the analytical evaluator");
    } else if (sim.latency_s < 0.5 * analytical.latency_s) {
      say("not replayed: the replay's simulated time passed SystemC's femtosecond time base and "
          "wrapped");
    } else {
      report.latency_s = sim.latency_s;
      report.ok = 1;
    }
  } catch (const UserError& e) {
    say(e.what());
  } catch (const std::exception& e) {
    report.internal = 1;
    say(e.what());
  }
  return report;
}

// Replays the chosen points in SystemC, each in a forked child (SystemC elaborates once per
// process), up to `parallel` at a time. The parent is single-threaded here (workers joined).
// A child that dies without a report (a crash) is a bug, recorded on its point so the rest of
// the sweep survives; a child still running after `time_limit_s` is killed, and its point
// says so.
void replay_in_children(const std::string& sweep_file, const std::string& sweep_text,
                        const Plan& plan, const std::vector<std::size_t>& chosen, unsigned parallel,
                        double time_limit_s, std::vector<SweepPoint>& points) {
  run_children<ChildReport>(
      chosen.size(), parallel, time_limit_s,
      [&](std::size_t i) { return replay_point(sweep_file, sweep_text, plan, chosen[i]); },
      [&](std::size_t i, const std::optional<ChildReport>& report, int status, bool stopped) {
        SweepPoint& point = points[chosen[i]];
        if (!report && stopped) {
          point.systemc_status = fmt::format(
              "the SystemC replay ran past the time limit ({:g} s) and was stopped", time_limit_s);
          return;
        }
        if (!report) {
          point.systemc_internal_error = true;
          point.systemc_status =
              WIFSIGNALED(status)
                  ? fmt::format("the SystemC replay process died of signal {}", WTERMSIG(status))
                  : "the SystemC replay process ended without a result";
          return;
        }
        point.systemc_internal_error = report->internal != 0;
        if (!report->ok) {
          point.systemc_status = report->problem;
          return;
        }
        point.systemc_checked = true;
        point.systemc_latency_s = report->latency_s;
        point.systemc_status = "ok";
      });
}

}  // namespace

SweepResult run_sweep(const std::string& sweep_file, unsigned threads, const std::string& systemc,
                      double systemc_time_limit_s) {
  if (systemc != "none" && systemc != "pareto" && systemc != "all") {
    panic("run_sweep: systemc must be none, pareto or all");
  }
  if (!(systemc_time_limit_s > 0)) panic("run_sweep: the replay time limit must be above 0");
  SweepResult out;
  const std::string sweep_text = read_text_file(sweep_file);
  const Plan plan = read_plan(sweep_file, sweep_text, out);
  out.axes = plan.axes;
  out.points.resize(plan.points);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Workers take an architecture's points together (EvaluationOrder), so each is parsed once,
  // but in pieces small enough that every thread has work when architectures are few (each
  // piece costs at most one more parse of its architecture).
  const EvaluationOrder order(plan);
  const std::size_t chunk = std::clamp<std::size_t>((plan.points + 8 * threads - 1) / (8 * threads),
                                                    1, order.workload_points());
  threads =
      static_cast<unsigned>(std::min<std::size_t>(threads, (plan.points + chunk - 1) / chunk));

  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_lock;
  auto work = [&] {
    try {
      Worker worker(sweep_file, sweep_text, plan);
      for (std::size_t n = next.fetch_add(chunk); n < plan.points; n = next.fetch_add(chunk)) {
        for (std::size_t e = n; e < std::min(n + chunk, plan.points); ++e) {
          const std::size_t i = order.index(e);
          out.points[i] = worker.run(i);
        }
      }
    } catch (...) {  // a bug (InternalError) or a file that vanished: end the sweep with it
      std::lock_guard<std::mutex> hold(failure_lock);
      if (!failure) failure = std::current_exception();
      next = plan.points;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  mark_pareto(out.points);
  if (systemc != "none") {
    std::vector<std::size_t> chosen;
    for (std::size_t i = 0; i < out.points.size(); ++i) {
      SweepPoint& p = out.points[i];
      if (!p.feasible || (systemc == "pareto" && !p.pareto)) continue;
      if (p.latency_s > kSystemcPassLimitS) {
        p.systemc_status = fmt::format(
            "not replayed: a pass of {:.4g} s is beyond SystemC's femtosecond time base with room "
            "for contention ({:.4g} s)",
            p.latency_s, kSystemcPassLimitS);
        continue;
      }
      chosen.push_back(i);
    }
    replay_in_children(sweep_file, sweep_text, plan, chosen, threads, systemc_time_limit_s,
                       out.points);
  }
  return out;
}

std::string sweep_table(const SweepResult& s) {
  std::size_t feasible = 0, pareto = 0;
  for (const auto& p : s.points) {
    feasible += p.feasible ? 1 : 0;
    pareto += p.pareto ? 1 : 0;
  }
  std::string out = fmt::format(
      "sweep {}: {} on {}\n{} points, {} feasible, {} Pareto-optimal (energy per token, latency, "
      "area)\n\n",
      s.name, s.workload, s.arch_file, s.points.size(), feasible, pareto);
  // Long sweeps list the Pareto front and the refusals; the CSV has every point.
  const bool all = s.points.size() <= 64;
  std::string header = fmt::format("{:>6}", "point");
  // An axis is labelled by its key's last part, or by the whole key when two would share it.
  auto last = [](const std::string& k) { return k.substr(k.rfind('.') + 1); };
  for (const auto& a : s.axes) {
    const auto shared = std::count_if(s.axes.begin(), s.axes.end(), [&](const SweepAxis& b) {
      return last(b.key) == last(a.key);
    });
    header += fmt::format("  {:>14}", shared > 1 ? a.key : last(a.key));
  }
  bool replayed = false;
  for (const auto& p : s.points) replayed = replayed || !p.systemc_status.empty();
  header +=
      fmt::format("  {:>12} {:>10} {:>12} {:>10} {:>9} {:>12} {:>13} {:>5}", "energy uJ",
                  "uJ/token", "latency us", "area mm2", "TOPS/W", "passes/s", "bound", "fits");
  header += replayed ? fmt::format(" {:>12} {:>8}\n", "SystemC us", "contention") : "\n";
  out += header;
  std::size_t refused_shown = 0;
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const SweepPoint& p = s.points[i];
    if (!all && !p.pareto && (p.feasible || refused_shown >= 5)) continue;
    std::string row = fmt::format("{:>6}", i);
    for (const auto& v : p.values) row += fmt::format("  {:>14}", v);
    if (p.feasible) {
      row += fmt::format(
          "  {:>12.4f} {:>10.4f} {:>12.4f} {:>10.3f} {:>9.3f} {:>12.2f} {:>13} {:>5}",
          p.energy_j * 1e6, p.energy_per_token_j * 1e6, p.latency_s * 1e6, p.area_m2 * 1e6,
          p.tops_per_w, p.inferences_per_s, p.throughput_bound, p.fits ? "yes" : "no");
      if (replayed) {
        row += p.systemc_checked ? fmt::format(" {:>12.4f} {:>9.2f}%", p.systemc_latency_s * 1e6,
                                               100.0 * (p.systemc_latency_s / p.latency_s - 1.0))
                                 : fmt::format(" {:>12}", "-");
      }
      if (p.pareto) row += "  pareto";
      while (!row.empty() && row.back() == ' ') row.pop_back();
      row += "\n";
      if (!p.systemc_status.empty() && !p.systemc_checked) {
        row += fmt::format("{:>6}  SystemC: {}\n", "", p.systemc_status);
      }
    } else {
      ++refused_shown;
      row += fmt::format("  refused: {}\n", p.status);
    }
    out += row;
  }
  if (!all) {
    out += fmt::format(
        "\n(the Pareto-optimal points and the first refusals of {}; --csv FILE writes all)\n",
        s.points.size());
  }
  return out;
}

std::string sweep_csv(const SweepResult& s) {
  std::string out = "point";
  for (const auto& a : s.axes) out.append(",").append(csv_field(a.key));
  out +=
      ",status,energy_j,energy_per_token_j,latency_s,area_mm2,tops_per_w,inferences_per_s,"
      "utilization,fits,pareto,lifetime_s,systemc_latency_s,systemc_status,"
      "throughput_bound\n";
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const SweepPoint& p = s.points[i];
    out += std::to_string(i);
    // Appended piece by piece: "," + string trips a false -Wrestrict in GCC 12 (bug 105329).
    for (const auto& v : p.values) out.append(",").append(csv_field(v));
    out.append(",").append(csv_field(p.status));
    if (p.feasible) {
      out +=
          fmt::format(",{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{},{}", p.energy_j,
                      p.energy_per_token_j, p.latency_s, p.area_m2 * 1e6, p.tops_per_w,
                      p.inferences_per_s, p.utilization, p.fits ? 1 : 0, p.pareto ? 1 : 0);
      out += std::isfinite(p.lifetime_s) ? fmt::format(",{:.10g}", p.lifetime_s) : ",";
      out += p.systemc_checked ? fmt::format(",{:.10g}", p.systemc_latency_s) : ",";
      out.append(",").append(csv_field(p.systemc_status));
      out.append(",").append(p.throughput_bound).append("\n");
    } else {
      out += ",,,,,,,,,,,,,\n";
    }
  }
  return out;
}

}  // namespace cimsim
