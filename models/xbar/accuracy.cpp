#include "models/xbar/accuracy.hpp"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "models/core/error.hpp"

namespace cimsim {

namespace {

Eigen::MatrixXf to_half(const Eigen::MatrixXf& m) {
  return m.unaryExpr([](float v) { return static_cast<float>(Eigen::half(v)); });
}

class Fp16Backend final : public MatmulBackend {
 public:
  explicit Fp16Backend(const Gpt2Weights& w) {
    for (const auto& [name, m] : w.weight_matrices()) weights_.push_back(to_half(*m));
  }
  Eigen::MatrixXf weight_matmul(int index, const Eigen::MatrixXf& x) override {
    return to_half(to_half(x) * weights_[index]);
  }
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b,
                                    bool) override {
    return to_half(to_half(a) * to_half(b));
  }

 private:
  std::vector<Eigen::MatrixXf> weights_;
};

// Symmetric 8-bit quantization with one scale (per tensor) or one per column.
struct Quantized {
  Eigen::MatrixXd values;  // integers
  Eigen::VectorXd scale;   // per column (all equal for per-tensor)
};

Quantized quantize(const Eigen::MatrixXf& m, bool per_column) {
  constexpr double kMax = 127.0;
  Quantized q;
  q.scale = Eigen::VectorXd::Constant(m.cols(), m.cwiseAbs().maxCoeff() / kMax);
  if (per_column) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) q.scale(c) = m.col(c).cwiseAbs().maxCoeff() / kMax;
  }
  for (Eigen::Index c = 0; c < m.cols(); ++c)
    if (q.scale(c) == 0) q.scale(c) = 1;
  q.values = (m.cast<double>() * q.scale.cwiseInverse().asDiagonal())
                 .array()
                 .round()
                 .cwiseMax(-kMax)
                 .cwiseMin(kMax)
                 .matrix();
  return q;
}

Eigen::MatrixXf int8_matmul(const Eigen::MatrixXf& a, const Quantized& b) {
  Quantized qa = quantize(a, false);
  Eigen::MatrixXd y = qa.values * b.values;
  return (y * qa.scale(0) * b.scale.asDiagonal()).cast<float>();
}

class Int8Backend : public MatmulBackend {
 public:
  explicit Int8Backend(const Gpt2Weights& w) {
    for (const auto& [name, m] : w.weight_matrices()) weights_.push_back(quantize(*m, true));
  }
  Eigen::MatrixXf weight_matmul(int index, const Eigen::MatrixXf& x) override {
    return int8_matmul(x, weights_[index]);
  }
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b,
                                    bool) override {
    return int8_matmul(a, quantize(b, false));
  }

 private:
  std::vector<Quantized> weights_;
};

class CrossbarBackend final : public MatmulBackend {
 public:
  CrossbarBackend(const Gpt2Weights& w, const XbarSpec& spec, const DeviceSpec& device,
                  const Nonidealities& base)
      : spec_(spec),
        device_(device),
        base_(base),
        activation_calls_per_pass_(static_cast<std::uint64_t>(2 * w.n_layer * w.n_head)) {
    int i = 0;
    for (const auto& [name, m] : w.weight_matrices()) {
      Nonidealities n = base;
      n.seed =
          base.seed * 1000003ull + static_cast<std::uint64_t>(i++);  // each matrix its own cells
      arrays_.push_back(std::make_unique<ProgrammedMatrix>(*m, spec, device, n, true));
    }
  }
  Eigen::MatrixXf weight_matmul(int index, const Eigen::MatrixXf& x) override {
    return arrays_[index]->multiply(x, ++calls_);
  }
  void calibrate(int index, const Eigen::MatrixXf& x) { arrays_[index]->calibrate(x); }

  // Attention: INT8 on the digital vector unit, or (chiplet.dynamic_matmuls: arrays) the keys
  // or values programmed into the arrays of this (layer, head, QK^T or AV) slot, the queries or
  // probabilities streamed through them (the probabilities unsigned: they are never negative).
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b,
                                    bool a_nonnegative) override {
    if (!spec_.activation_matmuls_in_arrays) return int8_matmul(a, quantize(b, false));
    const std::uint64_t call = activation_calls_++;
    const std::uint64_t slot = call % activation_calls_per_pass_;
    ProgrammedMatrix operand = program_operand(b, call);
    operand.set_unsigned_inputs(a_nonnegative);
    if (slot < attention_full_scale_.size() && attention_full_scale_[slot] > 0)
      operand.set_adc_full_scale(attention_full_scale_[slot]);
    return operand.multiply(a, ++calls_);
  }
  // Calibration pass (float activations, in the forward pass's order): the range each slot's
  // converters get, from the operand the calibration text programs there.
  void calibrate_attention(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b, bool a_nonnegative) {
    if (!spec_.activation_matmuls_in_arrays || spec_.adc_range == XbarSpec::AdcRange::fixed) return;
    const std::uint64_t slot = attention_full_scale_.size();
    if (slot >= activation_calls_per_pass_) return;  // one pass calibrates every slot
    ProgrammedMatrix operand = program_operand(b, ~slot);
    operand.set_unsigned_inputs(a_nonnegative);
    operand.calibrate(a);
    attention_full_scale_.push_back(operand.adc_full_scale_peak());
  }

 private:
  // Keys or values as the arrays hold them right after programming: one scale per operand
  // (they arrive at run time; no per-channel scales), new programming variation at every write
  // (a seed per programming event), no drift yet.
  ProgrammedMatrix program_operand(const Eigen::MatrixXf& b, std::uint64_t event) const {
    Nonidealities n = base_;
    n.time_s = 0;
    n.seed = (base_.seed * 1000003ull) ^ (0x9e3779b97f4a7c15ull + event * 0xbf58476d1ce4e5b9ull);
    return ProgrammedMatrix(b, spec_, device_, n, false);
  }

  XbarSpec spec_;
  DeviceSpec device_;
  Nonidealities base_;
  std::vector<std::unique_ptr<ProgrammedMatrix>> arrays_;
  std::uint64_t calls_ = 0;
  std::uint64_t activation_calls_per_pass_ = 1;
  std::uint64_t activation_calls_ = 0;
  std::vector<float> attention_full_scale_;  // per slot; empty: the fixed range
};

// The calibration pass: float arithmetic throughout, with every attention operand also shown
// to the crossbar backend so it can set the range of that slot's converters.
class AttentionCalibration final : public MatmulBackend {
 public:
  AttentionCalibration(const Gpt2Weights& w, CrossbarBackend& xbar) : fp32_(w), xbar_(xbar) {}
  Eigen::MatrixXf weight_matmul(int index, const Eigen::MatrixXf& x) override {
    return fp32_.weight_matmul(index, x);
  }
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b,
                                    bool a_nonnegative) override {
    xbar_.calibrate_attention(a, b, a_nonnegative);
    return a * b;
  }

 private:
  FloatBackend fp32_;
  CrossbarBackend& xbar_;
};

struct LayerTally {
  const Gpt2Weights* weights;
  std::vector<double> signal, noise;
};

void tally(void* context, int index, const Eigen::MatrixXf& x, const Eigen::MatrixXf& y) {
  auto* t = static_cast<LayerTally*>(context);
  Eigen::MatrixXf exact = x * *t->weights->weight_matrices()[index].second;
  t->signal[index] += exact.squaredNorm();
  t->noise[index] += (y - exact).squaredNorm();
}

}  // namespace

std::unique_ptr<MatmulBackend> make_fp16_backend(const Gpt2Weights& w) {
  return std::make_unique<Fp16Backend>(w);
}
std::unique_ptr<MatmulBackend> make_int8_backend(const Gpt2Weights& w) {
  return std::make_unique<Int8Backend>(w);
}
std::unique_ptr<MatmulBackend> make_crossbar_backend(const Gpt2Weights& w, const XbarSpec& spec,
                                                     const DeviceSpec& device,
                                                     const Nonidealities& nonideal,
                                                     const std::vector<int>& calibration) {
  auto backend = std::make_unique<CrossbarBackend>(w, spec, device, nonideal);
  if (spec.adc_range != XbarSpec::AdcRange::fixed && !calibration.empty()) {
    AttentionCalibration fp32(w, *backend);
    gpt2_forward(
        w, calibration, fp32,
        [](void* context, int index, const Eigen::MatrixXf& x, const Eigen::MatrixXf&) {
          static_cast<CrossbarBackend*>(context)->calibrate(index, x);
        },
        backend.get());
  }
  return backend;
}

std::vector<std::vector<int>> evaluation_windows(const Gpt2Weights& w, const std::string& text,
                                                 int windows, const std::string& source) {
  std::vector<int> ids = w.encode(text, source);
  std::vector<std::vector<int>> out;
  // Each window predicts n_ctx next characters, so it needs n_ctx + 1 of them.
  for (size_t start = 0;
       out.size() < static_cast<size_t>(windows) && start + w.n_ctx + 1 <= ids.size();
       start += w.n_ctx) {
    out.emplace_back(ids.begin() + start, ids.begin() + start + w.n_ctx + 1);
  }
  if (out.empty()) {
    throw UserError(
        fmt::format("{}error: the evaluation text has {} characters; at least {} are needed "
                    "(one window of the model's context, n_ctx + 1)",
                    source.empty() ? "" : source + ": ", ids.size(), w.n_ctx + 1));
  }
  return out;
}

AccuracyResult evaluate_accuracy(const std::string& name, const Gpt2Weights& w,
                                 const std::vector<std::vector<int>>& windows,
                                 MatmulBackend& backend,
                                 const std::vector<Eigen::MatrixXf>& reference,
                                 std::vector<Eigen::MatrixXf>* logits_out) {
  const auto matrices = w.weight_matrices();
  LayerTally t{&w, std::vector<double>(matrices.size(), 0.0),
               std::vector<double>(matrices.size(), 0.0)};
  double nll = 0;
  long predictions = 0, agree = 0;
  for (size_t i = 0; i < windows.size(); ++i) {
    std::vector<int> input(windows[i].begin(), windows[i].end() - 1);
    Eigen::MatrixXf logits = gpt2_forward(w, input, backend, &tally, &t);
    for (Eigen::Index p = 0; p < logits.rows(); ++p) {
      const float mx = logits.row(p).maxCoeff();
      const double log_sum = mx + std::log((logits.row(p).array() - mx).exp().sum());
      nll += log_sum - logits(p, windows[i][p + 1]);
      Eigen::Index mine = 0, ref = 0;
      logits.row(p).maxCoeff(&mine);
      if (!reference.empty())
        reference[i].row(p).maxCoeff(&ref);
      else
        ref = mine;
      agree += mine == ref ? 1 : 0;
      ++predictions;
    }
    if (logits_out) logits_out->push_back(std::move(logits));
  }
  AccuracyResult r;
  r.name = name;
  r.perplexity = std::exp(nll / predictions);
  r.top1_agreement = static_cast<double>(agree) / predictions;
  for (size_t m = 0; m < matrices.size(); ++m) {
    LayerAccuracy l;
    l.name = matrices[m].first;
    // No error is exact (0, +inf dB) even when the matrix's outputs are all zero (an all-zero
    // matrix); error on a zero signal is an unbounded relative error (+inf, -inf dB).
    const double inf = std::numeric_limits<double>::infinity();
    l.relative_error = t.noise[m] == 0   ? 0.0
                       : t.signal[m] > 0 ? std::sqrt(t.noise[m] / t.signal[m])
                                         : inf;
    l.snr_db = t.noise[m] == 0   ? inf
               : t.signal[m] > 0 ? 10.0 * std::log10(t.signal[m] / t.noise[m])
                                 : -inf;
    r.layers.push_back(l);
  }
  double sum = 0;
  int finite = 0;
  for (const auto& l : r.layers) {
    if (std::isfinite(l.snr_db)) {
      sum += l.snr_db;
      ++finite;
    }
  }
  // With no finite layer: exact when every layer is, "no signal" (-inf) when any has error on a
  // zero signal.
  const bool any_unsignalled = std::any_of(r.layers.begin(), r.layers.end(), [](const auto& l) {
    return l.snr_db == -std::numeric_limits<double>::infinity();
  });
  r.mean_snr_db = finite            ? sum / finite
                  : any_unsignalled ? -std::numeric_limits<double>::infinity()
                                    : std::numeric_limits<double>::infinity();
  return r;
}

}  // namespace cimsim
