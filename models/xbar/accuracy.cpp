#include "models/xbar/accuracy.hpp"

#include <fmt/format.h>

#include <Eigen/Core>
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
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) override {
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
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) override {
    return int8_matmul(a, quantize(b, false));
  }

 private:
  std::vector<Quantized> weights_;
};

class CrossbarBackend final : public MatmulBackend {
 public:
  CrossbarBackend(const Gpt2Weights& w, const XbarSpec& spec, const DeviceSpec& device,
                  const Nonidealities& base) {
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
  // Attention runs on the digital vector unit in INT8.
  Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) override {
    return int8_matmul(a, quantize(b, false));
  }

 private:
  std::vector<std::unique_ptr<ProgrammedMatrix>> arrays_;
  std::uint64_t calls_ = 0;
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
    FloatBackend fp32(w);
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
                                                 int windows) {
  std::vector<int> ids = w.encode(text);
  std::vector<std::vector<int>> out;
  // Each window predicts n_ctx next characters, so it needs n_ctx + 1 of them.
  for (size_t start = 0;
       out.size() < static_cast<size_t>(windows) && start + w.n_ctx + 1 <= ids.size();
       start += w.n_ctx) {
    out.emplace_back(ids.begin() + start, ids.begin() + start + w.n_ctx + 1);
  }
  if (out.empty()) {
    throw UserError(
        fmt::format("error: the evaluation text has {} characters; at least {} are needed",
                    ids.size(), w.n_ctx + 1));
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
    l.relative_error = std::sqrt(t.noise[m] / t.signal[m]);
    l.snr_db = t.noise[m] > 0 ? 10.0 * std::log10(t.signal[m] / t.noise[m])
                              : std::numeric_limits<double>::infinity();
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
  r.mean_snr_db = finite ? sum / finite : std::numeric_limits<double>::infinity();
  return r;
}

}  // namespace cimsim
