// A GPT-2-architecture transformer in floating point: weights from safetensors (Hugging Face
// GPT-2 names and Conv1D [in, out] layout) and a reference forward pass (learned token and
// position embeddings, pre-LayerNorm blocks with causal multi-head attention and a tanh-GELU
// MLP, final LayerNorm, LM head tied to the token embedding; Radford et al. 2019).
//
// Every weight matmul and every activation-by-activation matmul goes through a MatmulBackend,
// so the same forward pass runs in float, in FP16 (the GPU baseline's arithmetic), in ideal
// INT8, or through modelled crossbars.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace cimsim {

struct Gpt2Weights {
  int n_layer = 0, n_head = 0, n_embd = 0, n_ctx = 0, vocab = 0;
  float layer_norm_epsilon = 1e-5f;
  std::string vocabulary;  // character i of the vocabulary (character-level models)
  std::string source;      // the file it was loaded from, for error messages
  Eigen::MatrixXf wte;     // vocab x d
  Eigen::MatrixXf wpe;     // n_ctx x d
  struct Block {
    Eigen::VectorXf ln1_w, ln1_b, attn_b, proj_b, ln2_w, ln2_b, fc_b, fc_proj_b;
    Eigen::MatrixXf attn_w;     // d x 3d (q, k, v)
    Eigen::MatrixXf proj_w;     // d x d
    Eigen::MatrixXf fc_w;       // d x 4d
    Eigen::MatrixXf fc_proj_w;  // 4d x d
  };
  std::vector<Block> blocks;
  Eigen::VectorXf lnf_w, lnf_b;
  Eigen::MatrixXf lm_head;  // d x vocab (wte transposed)

  // The weight matrices in a fixed order: per block attn, proj, fc, fc_proj; then lm_head.
  std::vector<std::pair<std::string, const Eigen::MatrixXf*>> weight_matrices() const;
  // UserError on unknown characters, naming `source` (the text's file) when given.
  std::vector<int> encode(const std::string& text, const std::string& source = "") const;
};

Gpt2Weights load_gpt2(const std::string& safetensors_path);

class MatmulBackend {
 public:
  virtual ~MatmulBackend() = default;
  // x (T x K) times weight matrix `index` of weight_matrices() (K x N).
  virtual Eigen::MatrixXf weight_matmul(int index, const Eigen::MatrixXf& x) = 0;
  // a (T x K) times b (K x N), both activations (attention scores and context).
  // `a_nonnegative`: a holds no negative value by construction (softmax probabilities), so
  // hardware may encode it unsigned.
  virtual Eigen::MatrixXf activation_matmul(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b,
                                            bool a_nonnegative = false) {
    (void)a_nonnegative;
    return a * b;
  }
};

class FloatBackend : public MatmulBackend {
 public:
  explicit FloatBackend(const Gpt2Weights& w);
  Eigen::MatrixXf weight_matmul(int index, const Eigen::MatrixXf& x) override;

 private:
  std::vector<const Eigen::MatrixXf*> weights_;
};

// Observes every weight matmul: its input and output, for per-layer error measurements.
using MatmulObserver = void (*)(void* context, int index, const Eigen::MatrixXf& x,
                                const Eigen::MatrixXf& y);

// Logits (T x vocab) for a token sequence of at most n_ctx tokens.
Eigen::MatrixXf gpt2_forward(const Gpt2Weights& w, const std::vector<int>& tokens,
                             MatmulBackend& backend, MatmulObserver observer = nullptr,
                             void* observer_context = nullptr);

}  // namespace cimsim
