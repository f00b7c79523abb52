#include "cli/accuracy_report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/report.hpp"
#include "models/core/config.hpp"
#include "models/core/config_paths.hpp"
#include "models/core/error.hpp"

namespace cimsim {

namespace {

std::string shipped(const std::string& file) {
  return config_dir() + "/../tests/data/chargpt/" + file;
}

// A path as the report shows it: relative to the working folder when it lies inside it (the
// shipped model reads tests/data/chargpt/model.safetensors from the repository, not
// /home/.../configs/../tests/...), else as given without its '..' and '.'.
std::string shown_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(path, ec);
  if (ec) return fs::path(path).lexically_normal().string();
  const fs::path relative = absolute.lexically_relative(fs::current_path(ec));
  if (!ec && !relative.empty() && *relative.begin() != "..") return relative.string();
  return absolute.string();
}

// On a terminal, the crossbar cases say where they are: they simulate every ADC conversion, and
// small row groups (active_rows: 1) can take many minutes. Progress goes to stderr and only to a
// terminal, so logs and pinned outputs stay as they are.
class StatusLine {
 public:
  StatusLine() : on_(::isatty(STDERR_FILENO) != 0) {}
  ~StatusLine() {  // also when an error leaves the run, before main prints it
    if (on_) std::cerr << "\r\033[K" << std::flush;
  }
  bool on() const { return on_; }
  void show(const std::string& text) const {
    if (on_) std::cerr << "\r\033[K  " << text << std::flush;
  }

 private:
  bool on_;
};

// Forwards to the crossbar backend, counting its weight matmuls on the status line.
class ProgressBackend final : public MatmulBackend {
 public:
  ProgressBackend(MatmulBackend& inner, const StatusLine& status, std::string label,
                  std::size_t matmuls_per_run)
      : inner_(inner),
        status_(status),
        label_(std::move(label)),
        total_(std::max<std::size_t>(matmuls_per_run, 1)) {}
  Eigen::MatrixXf weight_matmul(int index, const Eigen::MatrixXf& x) override {
    status_.show(fmt::format("{}: weight matmul {} of {}", label_, ++done_, total_));
    return inner_.weight_matmul(index, x);
  }
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b,
                                    bool a_nonnegative) override {
    return inner_.activation_matmul(a, b, a_nonnegative);
  }

 private:
  MatmulBackend& inner_;
  const StatusLine& status_;
  std::string label_;
  std::size_t total_, done_ = 0;
};

}  // namespace

void check_accuracy_request(const AccuracyRequest& req) {
  // A cell is stuck on, stuck off, or neither: the two fractions share one draw.
  if (req.stuck_on_rate + req.stuck_off_rate > 1.0) {
    throw UserError(fmt::format(
        "error: --stuck-on {:g} plus --stuck-off {:g} is {:g}; the fractions of cells stuck at "
        "either level add to at most 1",
        req.stuck_on_rate, req.stuck_off_rate, req.stuck_on_rate + req.stuck_off_rate));
  }
}

AccuracyReport run_accuracy(const ArchSpec& arch, const AccuracyRequest& req) {
  check_accuracy_request(req);
  AccuracyReport report;
  report.model = req.model.empty() ? shipped("model.safetensors") : req.model;
  report.data = req.data.empty() ? shipped("eval.txt") : req.data;
  report.arch_name = arch.name;
  report.adc_range = req.adc_range;
  report.attention = arch.chiplet.dynamic_matmuls_in_arrays()
                         ? "arrays (keys and values programmed each pass)"
                         : "vector unit (digital INT8)";
  const Gpt2Weights w = load_gpt2(report.model);
  const auto windows = evaluation_windows(w, read_text_file(report.data), req.windows, report.data);
  report.predictions = static_cast<int>(windows.size()) * w.n_ctx;

  std::vector<Eigen::MatrixXf> reference;
  FloatBackend fp32(w);
  report.cases.push_back(
      evaluate_accuracy("float32 (reference)", w, windows, fp32, {}, &reference));
  auto fp16 = make_fp16_backend(w);
  report.cases.push_back(evaluate_accuracy("GPU FP16", w, windows, *fp16, reference));
  auto int8 = make_int8_backend(w);
  report.cases.push_back(evaluate_accuracy("digital INT8", w, windows, *int8, reference));

  XbarSpec spec = XbarSpec::from_arch(arch);
  spec.adc_range = req.adc_range == "calibrated"   ? XbarSpec::AdcRange::calibrated
                   : req.adc_range == "per_column" ? XbarSpec::AdcRange::per_column
                                                   : XbarSpec::AdcRange::fixed;
  // Calibration uses the first window's input (without its last, predicted character).
  const std::vector<int> calibration(windows.front().begin(), windows.front().end() - 1);
  const DeviceSpec device = DeviceSpec::from_arch(arch);
  Nonidealities ideal;
  ideal.seed = req.seed;
  Nonidealities noisy = ideal;
  noisy.programming_variation = true;
  noisy.read_noise = true;
  noisy.stuck_on_rate = req.stuck_on_rate;
  noisy.stuck_off_rate = req.stuck_off_rate;
  noisy.time_s = req.drift_time_s;
  noisy.ir_drop = req.ir_drop;
  noisy.adc_offset_sigma_lsb = req.adc_offset_sigma_lsb;
  noisy.adc_inl_lsb = req.adc_inl_lsb;
  noisy.adc_dnl_sigma_lsb = req.adc_dnl_sigma_lsb;
  const StatusLine status;
  for (const auto& [label, nonideal] :
       {std::pair{"ideal devices", ideal}, std::pair{"device noise", noisy}}) {
    const std::string name = fmt::format("CIM {}, {}", arch.name, label);
    status.show(name + ": programming the arrays");
    auto xbar = make_crossbar_backend(w, spec, device, nonideal, calibration);
    ProgressBackend progress(*xbar, status, name, windows.size() * w.weight_matrices().size());
    MatmulBackend& backend = status.on() ? static_cast<MatmulBackend&>(progress) : *xbar;
    report.cases.push_back(evaluate_accuracy(name, w, windows, backend, reference));
  }
  return report;
}

// A layer with no error reads "exact"; one whose outputs are all zero in floating point but not
// in the arrays has no signal to compare against.
static std::string snr_cell(double snr_db) {
  if (std::isfinite(snr_db)) return fmt::format("{:.2f}", snr_db);
  return snr_db > 0 ? "exact" : "no signal";
}

std::string accuracy_table(const AccuracyReport& r) {
  std::string s = fmt::format("accuracy of {} on {} ({} next-character predictions)\n\n",
                              shown_path(r.model), shown_path(r.data), r.predictions);
  s += fmt::format("  CIM attention (QK^T, AV): {}\n\n", r.attention);
  size_t width = 44;
  for (const auto& c : r.cases) width = std::max(width, c.name.size());
  s += fmt::format("  {:<{}} {:>11} {:>13} {:>15}\n", "arithmetic", width, "perplexity",
                   "top-1 = float", "mean SNR (dB)");
  for (const auto& c : r.cases) {
    s += fmt::format("  {:<{}} {:>11.4f} {:>12.2f}% {:>15}\n", c.name, width, c.perplexity,
                     100.0 * c.top1_agreement, snr_cell(c.mean_snr_db));
  }
  s += fmt::format("\n  per-layer SNR (dB)\n  {:<18}", "weight matrix");
  for (size_t i = 1; i < r.cases.size(); ++i)
    s += fmt::format(" {:>14}", i == 1   ? "FP16"
                                : i == 2 ? "INT8"
                                : i == 3 ? "CIM ideal"
                                         : "CIM noisy");
  s += "\n";
  for (size_t l = 0; l < r.cases[0].layers.size(); ++l) {
    s += fmt::format("  {:<18}", r.cases[0].layers[l].name);
    for (size_t i = 1; i < r.cases.size(); ++i)
      s += fmt::format(" {:>14}", snr_cell(r.cases[i].layers[l].snr_db));
    s += "\n";
  }
  return s;
}

nlohmann::ordered_json accuracy_json(const AccuracyReport& r) {
  nlohmann::ordered_json j;
  j["model"] = shown_path(r.model);
  j["data"] = shown_path(r.data);
  j["predictions"] = r.predictions;
  j["adc_range"] = r.adc_range;
  j["attention"] = r.attention;
  j["cases"] = nlohmann::ordered_json::array();
  for (const auto& c : r.cases) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (const auto& l : c.layers)
      layers[l.name] = {{"snr_db", finite_or_null(l.snr_db)},
                        {"relative_error", finite_or_null(l.relative_error)}};
    j["cases"].push_back({{"name", c.name},
                          {"perplexity", c.perplexity},
                          {"top1_agreement", c.top1_agreement},
                          {"mean_snr_db", finite_or_null(c.mean_snr_db)},
                          {"layers", layers}});
  }
  return j;
}

}  // namespace cimsim
