// A transformer workload as an op graph: weight matmuls (static, mapped onto crossbars),
// activation-by-activation matmuls (QK^T and AV, dynamic), and the nonlinear and elementwise
// ops that run on the digital vector unit.
//
// Counting conventions: a matmul of M input vectors through a K x N weight is M*K*N MACs.
// Attention is counted dense (no causal-mask savings), as un-fused GPU kernels compute it.
// Vector-unit op counts per element follow the usual formulations: LayerNorm 8 ops per element
// plus one rsqrt per row; RMSNorm 4 plus one rsqrt; softmax 5 (scale, max, subtract, sum,
// multiply by the reciprocal) plus one exp per element and one reciprocal per row; GELU (tanh
// form, Hendrycks and Gimpel 2016) 7 plus one tanh; SiLU-gated unit 3 plus exp and reciprocal;
// RoPE 3 per rotated element; residual add 1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cimsim {

enum class OpKind { embedding, weight_matmul, dynamic_matmul, vector };

// What a vector op is, for baselines that fuse kernels: elementwise ops fold into the kernel
// that produced their input; normalizations and softmax read and write whole rows.
enum class VectorKind { elementwise, normalization, softmax };

struct Op {
  std::string name;
  OpKind kind = OpKind::vector;
  int layer = -1;                 // transformer block, -1 outside the blocks
  std::vector<int> inputs;        // producer ops (indices into Workload::ops)
  std::vector<int> whole_inputs;  // inputs needed complete before the first output row (all keys)
  // Matmuls: `instances` independent products of an M x K by a K x N matrix.
  std::int64_t m = 0, k = 0, n = 0, instances = 1;
  // Dynamic matmuls: the distinct K x N operands (keys, values) among the instances; below
  // `instances` when several share one (grouped-query attention: query heads share a KV head).
  std::int64_t operand_instances = 1;
  // Dynamic matmuls in decode: the K x N operand is a KV cache, and this pass appends one
  // position to it, a row (k) or a column (n); the rest was written by earlier passes.
  enum class CachedAxis { none, k, n };
  CachedAxis appended_axis = CachedAxis::none;
  // Vector ops: elementwise operations and special functions (exp, rsqrt, ...).
  std::int64_t vector_ops = 0, vector_specials = 0;
  VectorKind vector_kind = VectorKind::elementwise;
  std::int64_t output_elements = 0;  // elements this op produces

  std::int64_t macs() const { return instances * m * k * n; }
};

struct TransformerShape {
  std::string name;
  std::string style;  // encoder (BERT, ViT) or decoder (GPT-2, Llama)
  int layers = 0;
  int d_model = 0;
  int heads = 0;
  int kv_heads = 0;  // grouped-query attention when below heads
  int ffn = 0;
  std::string ffn_kind;       // gelu or swiglu
  std::string norm;           // layernorm or rmsnorm
  std::string norm_position;  // post (BERT) or pre (GPT-2, ViT, Llama)
  int vocab = 0;              // LM head width for decoders; 0 for none
  int classes = 0;            // classifier head width (ViT); 0 for none
  int patch_pixels = 0;       // ViT: pixels x channels per patch; 0 for token inputs
  int image_tokens = 0;       // ViT: patches plus the class token the image always gives
  bool rope = false;
  std::string source;
};

struct WorkloadRequest {
  std::string phase = "prefill";  // prefill or decode
  int seq = 0;                    // prefill: tokens per sequence; 0 = the model's own (128 for
                                  // text, the image's tokens for ViT)
  int batch = 1;
  int context = 0;  // decode: tokens already in the KV cache
};

struct Workload {
  std::string name;
  TransformerShape shape;
  WorkloadRequest request;
  std::vector<Op> ops;

  std::int64_t weight_macs() const;
  std::int64_t dynamic_macs() const;
  std::int64_t total_macs() const { return weight_macs() + dynamic_macs(); }
  std::int64_t weight_parameters() const;  // distinct weights of the weight matmuls
};

// What is wrong with asking `shape` for `request`, if anything: the request key at fault
// ("phase" or "seq") and why, spelled as the user wrote it (`--phase decode` on the command
// line, `phase: decode` in a sweep file, whose message is placed at the key's line).
struct RequestProblem {
  std::string key;
  std::string what;
};
std::optional<RequestProblem> request_problem(const TransformerShape& shape,
                                              const WorkloadRequest& request, bool command_line);

// Builds the op graph of one forward pass (prefill) or one generated token (decode).
Workload build_transformer(const TransformerShape& shape, const WorkloadRequest& request);

// The built-in zoo (docs/workloads.md) and YAML workloads. Unknown names are UserErrors.
std::vector<TransformerShape> zoo();
TransformerShape find_workload(const std::string& name_or_file);
bool is_builtin_workload(const std::string& name);
// Why `name` is no workload: the built-in names, and the closest of them.
std::string unknown_workload_message(const std::string& name);

}  // namespace cimsim
