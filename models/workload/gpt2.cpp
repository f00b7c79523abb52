#include "models/workload/gpt2.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "models/core/error.hpp"
#include "models/workload/safetensors.hpp"

namespace cimsim {

namespace {

// A whole decimal integer in [lo, hi]: std::stoi took "1abc" as 1, "16.9" as 16 and "0x2" as 0.
int meta_int(const SafeTensors& st, const std::string& key, long long lo, long long hi) {
  const std::string& v = st.meta(key);
  long long n = 0;
  const bool digits =
      !v.empty() && v.size() <= 18 && v.find_first_not_of("0123456789") == std::string::npos;
  if (digits) n = std::stoll(v);
  if (!digits || n < lo || n > hi) {
    throw UserError(
        fmt::format("{}: error: metadata '{}' is '{}', expected a whole number from {} "
                    "to {}",
                    st.path(), key, v, lo, hi));
  }
  return static_cast<int>(n);
}

// A finite decimal number in (0, hi]: std::stof stopped at "abc" with an internal error and took
// "inf".
float meta_positive(const SafeTensors& st, const std::string& key, double hi) {
  const std::string& v = st.meta(key);
  std::size_t used = 0;
  double x = std::nan("");
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || !std::isfinite(x) || !(x > 0) || x > hi) {
    throw UserError(
        fmt::format("{}: error: metadata '{}' is '{}', expected a number above 0 and "
                    "at most {:g}",
                    st.path(), key, v, hi));
  }
  return static_cast<float>(x);
}

Eigen::MatrixXf layer_norm(const Eigen::MatrixXf& x, const Eigen::VectorXf& w,
                           const Eigen::VectorXf& b, float eps) {
  Eigen::MatrixXf out(x.rows(), x.cols());
  for (Eigen::Index t = 0; t < x.rows(); ++t) {
    const float mean = x.row(t).mean();
    const float var = (x.row(t).array() - mean).square().mean();
    out.row(t) =
        ((x.row(t).array() - mean) / std::sqrt(var + eps)).matrix().cwiseProduct(w.transpose()) +
        b.transpose();
  }
  return out;
}

// Finite weights can still overflow FP32 activations (|w| near 3e38); a NaN or infinity would
// then reach the quantizers as an undefined integer, so stop with the matrix it enters.
[[noreturn]] void activations_overflow(const Gpt2Weights& w, const std::string& where) {
  throw UserError(fmt::format(
      "{}: error: the activations {} overflow the FP32 range (a NaN or infinity); the model's "
      "weights are too large to run",
      w.source.empty() ? "model" : w.source, where));
}

float gelu_tanh(float x) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}

}  // namespace

std::vector<std::pair<std::string, const Eigen::MatrixXf*>> Gpt2Weights::weight_matrices() const {
  std::vector<std::pair<std::string, const Eigen::MatrixXf*>> out;
  for (size_t l = 0; l < blocks.size(); ++l) {
    out.push_back({fmt::format("h.{}.attn.c_attn", l), &blocks[l].attn_w});
    out.push_back({fmt::format("h.{}.attn.c_proj", l), &blocks[l].proj_w});
    out.push_back({fmt::format("h.{}.mlp.c_fc", l), &blocks[l].fc_w});
    out.push_back({fmt::format("h.{}.mlp.c_proj", l), &blocks[l].fc_proj_w});
  }
  out.push_back({"lm_head", &lm_head});
  return out;
}

std::vector<int> Gpt2Weights::encode(const std::string& text, const std::string& source) const {
  std::vector<int> ids;
  ids.reserve(text.size());
  for (char c : text) {
    auto pos = vocabulary.find(c);
    if (pos == std::string::npos) {
      throw UserError(fmt::format(
          "{}error: byte 0x{:02x} at offset {} of the text is not in the model's vocabulary ({})",
          source.empty() ? "" : source + ": ", static_cast<unsigned>(static_cast<unsigned char>(c)),
          ids.size(), this->source.empty() ? "model" : this->source));
    }
    ids.push_back(static_cast<int>(pos));
  }
  return ids;
}

Gpt2Weights load_gpt2(const std::string& path) {
  SafeTensors st = SafeTensors::load(path);
  Gpt2Weights w;
  w.source = path;
  // Sizes a run can hold: the attention of one window keeps a T x T score matrix per head, so
  // the context stops at 32768 (4 GB of FP32 scores per head); GPT-2's is 1024.
  w.n_layer = meta_int(st, "n_layer", 1, 1024);
  w.n_head = meta_int(st, "n_head", 1, 1024);
  w.n_embd = meta_int(st, "n_embd", 1, 65536);
  w.n_ctx = meta_int(st, "n_ctx", 1, 32768);
  if (st.metadata().count("layer_norm_epsilon"))
    w.layer_norm_epsilon = meta_positive(st, "layer_norm_epsilon", 1.0);
  if (w.n_embd % w.n_head != 0) {
    throw UserError(fmt::format("{}: error: n_embd {} is not divisible by n_head {}", path,
                                w.n_embd, w.n_head));
  }
  const std::vector<std::int64_t> wte_shape = st.shape("wte.weight");
  if (wte_shape.size() != 2) {
    throw UserError(
        fmt::format("{}: error: tensor 'wte.weight' has shape [{}], expected [vocab, "
                    "n_embd]",
                    path, fmt::join(wte_shape, ", ")));
  }
  w.vocab = static_cast<int>(std::min<std::int64_t>(wte_shape[0], 1 << 24));
  // The text is read character by character: the vocabulary is the model's characters, one byte
  // each, in the order of wte.weight's rows.
  if (!st.metadata().count("vocab")) {
    throw UserError(fmt::format(
        "{}: error: missing metadata 'vocab': the model's characters (one byte each, in the order "
        "of wte.weight's rows), which the accuracy run encodes its text with",
        path));
  }
  w.vocabulary = st.meta("vocab");
  if (static_cast<std::int64_t>(w.vocabulary.size()) != wte_shape[0]) {
    throw UserError(fmt::format("{}: error: metadata vocab has {} bytes but wte.weight has {} rows",
                                path, w.vocabulary.size(), wte_shape[0]));
  }
  const int d = w.n_embd;
  w.wte = st.matrix("wte.weight", w.vocab, d);
  w.wpe = st.matrix("wpe.weight", w.n_ctx, d);
  for (int l = 0; l < w.n_layer; ++l) {
    auto n = [&](const char* part) { return fmt::format("h.{}.{}", l, part); };
    Gpt2Weights::Block b;
    b.ln1_w = st.vector(n("ln_1.weight"), d);
    b.ln1_b = st.vector(n("ln_1.bias"), d);
    b.attn_w = st.matrix(n("attn.c_attn.weight"), d, 3 * d);
    b.attn_b = st.vector(n("attn.c_attn.bias"), 3 * d);
    b.proj_w = st.matrix(n("attn.c_proj.weight"), d, d);
    b.proj_b = st.vector(n("attn.c_proj.bias"), d);
    b.ln2_w = st.vector(n("ln_2.weight"), d);
    b.ln2_b = st.vector(n("ln_2.bias"), d);
    b.fc_w = st.matrix(n("mlp.c_fc.weight"), d, 4 * d);
    b.fc_b = st.vector(n("mlp.c_fc.bias"), 4 * d);
    b.fc_proj_w = st.matrix(n("mlp.c_proj.weight"), 4 * d, d);
    b.fc_proj_b = st.vector(n("mlp.c_proj.bias"), d);
    w.blocks.push_back(std::move(b));
  }
  w.lnf_w = st.vector("ln_f.weight", d);
  w.lnf_b = st.vector("ln_f.bias", d);
  w.lm_head = w.wte.transpose();
  return w;
}

FloatBackend::FloatBackend(const Gpt2Weights& w) {
  for (const auto& [name, m] : w.weight_matrices()) weights_.push_back(m);
}

Eigen::MatrixXf FloatBackend::weight_matmul(int index, const Eigen::MatrixXf& x) {
  return x * *weights_[index];
}

Eigen::MatrixXf gpt2_forward(const Gpt2Weights& w, const std::vector<int>& tokens,
                             MatmulBackend& backend, MatmulObserver observer, void* context) {
  const int T = static_cast<int>(tokens.size());
  if (T == 0 || T > w.n_ctx)
    panic(fmt::format("gpt2_forward: {} tokens for a context of {}", T, w.n_ctx));
  const int d = w.n_embd, h = w.n_head, dh = d / h;
  const auto matrices = w.weight_matrices();
  auto weight_matmul = [&](int index, const Eigen::MatrixXf& x) {
    if (!x.allFinite())
      activations_overflow(w, fmt::format("entering '{}'", matrices[index].first));
    Eigen::MatrixXf y = backend.weight_matmul(index, x);
    if (!y.allFinite()) activations_overflow(w, fmt::format("leaving '{}'", matrices[index].first));
    if (observer) observer(context, index, x, y);
    return y;
  };

  Eigen::MatrixXf x(T, d);
  for (int t = 0; t < T; ++t) x.row(t) = w.wte.row(tokens[t]) + w.wpe.row(t);

  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  for (int l = 0; l < w.n_layer; ++l) {
    const auto& b = w.blocks[l];
    Eigen::MatrixXf a = layer_norm(x, b.ln1_w, b.ln1_b, w.layer_norm_epsilon);
    Eigen::MatrixXf qkv = weight_matmul(4 * l, a);
    qkv.rowwise() += b.attn_b.transpose();
    Eigen::MatrixXf context_all(T, d);
    for (int head = 0; head < h; ++head) {
      Eigen::MatrixXf q = qkv.middleCols(head * dh, dh);
      Eigen::MatrixXf k = qkv.middleCols(d + head * dh, dh);
      Eigen::MatrixXf v = qkv.middleCols(2 * d + head * dh, dh);
      Eigen::MatrixXf scores = backend.activation_matmul(q, k.transpose()) * scale;
      if (!scores.allFinite())
        activations_overflow(w, fmt::format("in layer {} head {}'s attention scores", l, head));
      for (int i = 0; i < T; ++i) {
        for (int j = i + 1; j < T; ++j) scores(i, j) = -std::numeric_limits<float>::infinity();
        const float mx = scores.row(i).maxCoeff();
        scores.row(i) = (scores.row(i).array() - mx).exp().matrix();
        scores.row(i) /= scores.row(i).sum();
      }
      context_all.middleCols(head * dh, dh) =
          backend.activation_matmul(scores, v, /*a_nonnegative=*/true);
    }
    Eigen::MatrixXf attn = weight_matmul(4 * l + 1, context_all);
    attn.rowwise() += b.proj_b.transpose();
    x += attn;
    Eigen::MatrixXf m = layer_norm(x, b.ln2_w, b.ln2_b, w.layer_norm_epsilon);
    Eigen::MatrixXf hidden = weight_matmul(4 * l + 2, m);
    hidden.rowwise() += b.fc_b.transpose();
    hidden = hidden.unaryExpr(&gelu_tanh);
    Eigen::MatrixXf out = weight_matmul(4 * l + 3, hidden);
    out.rowwise() += b.fc_proj_b.transpose();
    x += out;
  }
  Eigen::MatrixXf f = layer_norm(x, w.lnf_w, w.lnf_b, w.layer_norm_epsilon);
  return weight_matmul(4 * w.n_layer, f);
}

}  // namespace cimsim
