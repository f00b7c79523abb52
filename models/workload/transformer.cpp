#include <fmt/format.h>

#include "models/core/error.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

std::int64_t Workload::weight_macs() const {
  std::int64_t s = 0;
  for (const auto& op : ops)
    if (op.kind == OpKind::weight_matmul) s += op.macs();
  return s;
}

std::int64_t Workload::dynamic_macs() const {
  std::int64_t s = 0;
  for (const auto& op : ops)
    if (op.kind == OpKind::dynamic_matmul) s += op.macs();
  return s;
}

std::int64_t Workload::weight_parameters() const {
  std::int64_t s = 0;
  for (const auto& op : ops)
    if (op.kind == OpKind::weight_matmul) s += op.k * op.n;
  return s;
}

namespace {

class GraphBuilder {
 public:
  explicit GraphBuilder(Workload& w) : w_(w) {}

  int matmul(const std::string& name, int layer, int input, std::int64_t m, std::int64_t k,
             std::int64_t n) {
    Op op;
    op.name = name;
    op.kind = OpKind::weight_matmul;
    op.layer = layer;
    op.inputs = {input};
    op.m = m;
    op.k = k;
    op.n = n;
    op.output_elements = m * n;
    return add(std::move(op));
  }

  int dynamic(const std::string& name, int layer, std::vector<int> inputs, std::int64_t instances,
              std::int64_t m, std::int64_t k, std::int64_t n) {
    Op op;
    op.name = name;
    op.kind = OpKind::dynamic_matmul;
    op.layer = layer;
    op.inputs = std::move(inputs);
    op.instances = instances;
    op.operand_instances = instances;
    op.m = m;
    op.k = k;
    op.n = n;
    op.output_elements = instances * m * n;
    return add(std::move(op));
  }

  int vector(const std::string& name, int layer, std::vector<int> inputs, std::int64_t elements,
             std::int64_t ops_per_element, std::int64_t specials,
             VectorKind kind = VectorKind::elementwise) {
    Op op;
    op.vector_kind = kind;
    op.name = name;
    op.kind = OpKind::vector;
    op.layer = layer;
    op.inputs = std::move(inputs);
    op.vector_ops = elements * ops_per_element;
    op.vector_specials = specials;
    op.output_elements = elements;
    return add(std::move(op));
  }

  int embedding(const std::string& name, std::int64_t elements, std::int64_t rows) {
    Op op;
    op.m = rows;
    op.name = name;
    op.kind = OpKind::embedding;
    op.output_elements = elements;
    return add(std::move(op));
  }

 private:
  int add(Op op) {
    w_.ops.push_back(std::move(op));
    return static_cast<int>(w_.ops.size()) - 1;
  }
  Workload& w_;
};

}  // namespace

std::optional<RequestProblem> request_problem(const TransformerShape& s, const WorkloadRequest& r,
                                              bool command_line) {
  if (r.phase == "decode" && s.style != "decoder") {
    return RequestProblem{"phase",
                          fmt::format("{} is an {}; {} applies to decoder models", s.name, s.style,
                                      command_line ? "--phase decode" : "phase: decode")};
  }
  // seq 0 asks for the default: the image's tokens.
  if (s.image_tokens > 0 && r.phase == "prefill" && r.seq != 0 && r.seq != s.image_tokens) {
    return RequestProblem{
        "seq", fmt::format("{} takes {} tokens per image ({} patches plus the class token){}",
                           s.name, s.image_tokens, s.image_tokens - 1,
                           command_line ? fmt::format("; got --seq {}", r.seq) : "")};
  }
  return std::nullopt;
}

Workload build_transformer(const TransformerShape& s, const WorkloadRequest& request) {
  if (s.d_model % s.heads != 0) panic(fmt::format("{}: d_model not divisible by heads", s.name));
  if (const auto problem = request_problem(s, request, true))
    throw UserError("error: " + problem->what);
  WorkloadRequest r = request;
  if (r.seq == 0) r.seq = s.image_tokens > 0 ? s.image_tokens : 128;
  Workload w;
  w.shape = s;
  w.request = r;
  const bool decode = r.phase == "decode";
  w.name = decode ? fmt::format("{} decode ctx {} batch {}", s.name, r.context, r.batch)
                  : fmt::format("{} prefill seq {} batch {}", s.name, r.seq, r.batch);
  const std::int64_t q_len = decode ? 1 : r.seq;
  const std::int64_t kv_len = decode ? r.context + 1 : r.seq;
  const std::int64_t tokens = static_cast<std::int64_t>(r.batch) * q_len;
  const std::int64_t d = s.d_model;
  const std::int64_t d_head = d / s.heads;
  const std::int64_t d_kv = d_head * s.kv_heads;
  const bool layernorm = s.norm == "layernorm";
  const std::int64_t norm_ops = layernorm ? 8 : 4;

  GraphBuilder g(w);
  auto norm = [&](const std::string& name, int layer, int input) {
    return g.vector(name, layer, {input}, tokens * d, norm_ops, tokens, VectorKind::normalization);
  };

  int x = 0;
  if (s.patch_pixels > 0) {
    // ViT: the class token is a learned vector, not a patch; the others are projected patches.
    const std::int64_t patches = tokens - r.batch;
    int pixels = g.embedding("patches", patches * s.patch_pixels, patches);
    x = g.matmul("patch_embed", -1, pixels, patches, s.patch_pixels, d);
  } else {
    x = g.embedding("embedding", tokens * d, tokens);
  }

  for (int l = 0; l < s.layers; ++l) {
    auto nm = [&](const char* part) { return fmt::format("layer{}.{}", l, part); };
    const bool pre = s.norm_position == "pre";
    int attn_in = pre ? norm(nm("norm1"), l, x) : x;
    int q = g.matmul(nm("attn.q"), l, attn_in, tokens, d, d);
    int k = g.matmul(nm("attn.k"), l, attn_in, tokens, d, d_kv);
    int v = g.matmul(nm("attn.v"), l, attn_in, tokens, d, d_kv);
    if (s.rope) {
      q = g.vector(nm("attn.rope_q"), l, {q}, tokens * d, 3, 0);
      k = g.vector(nm("attn.rope_k"), l, {k}, tokens * d_kv, 3, 0);
    }
    const std::int64_t inst = static_cast<std::int64_t>(r.batch) * s.heads;
    int scores = g.dynamic(nm("attn.qk"), l, {q, k}, inst, q_len, d_head, kv_len);
    int probs = g.vector(nm("attn.softmax"), l, {scores}, inst * q_len * kv_len, 5,
                         inst * q_len * kv_len + inst * q_len, VectorKind::softmax);
    int ctx = g.dynamic(nm("attn.av"), l, {probs, v}, inst, q_len, kv_len, d_head);
    // Each query head reads its KV head's keys and values: K^T is d_head x kv_len (a key per
    // column), V is kv_len x d_head (a value per row); a decode step appends one of each.
    w.ops[scores].operand_instances = w.ops[ctx].operand_instances =
        static_cast<std::int64_t>(r.batch) * s.kv_heads;
    if (decode) {
      w.ops[scores].appended_axis = Op::CachedAxis::n;
      w.ops[ctx].appended_axis = Op::CachedAxis::k;
    }
    if (s.style == "encoder" && !decode) {
      // Bidirectional: every query row needs all keys and values of its sequence.
      w.ops[scores].whole_inputs = {k};
      w.ops[ctx].whole_inputs = {v};
    }
    int o = g.matmul(nm("attn.o"), l, ctx, tokens, d, d);
    int res1 = g.vector(nm("residual1"), l, {o, x}, tokens * d, 1, 0);
    int ffn_in = pre ? norm(nm("norm2"), l, res1) : norm(nm("norm1"), l, res1);
    int hidden = 0;
    if (s.ffn_kind == "swiglu") {
      int gate = g.matmul(nm("ffn.gate"), l, ffn_in, tokens, d, s.ffn);
      int up = g.matmul(nm("ffn.up"), l, ffn_in, tokens, d, s.ffn);
      hidden = g.vector(nm("ffn.silu_mul"), l, {gate, up}, tokens * s.ffn, 3, 2 * tokens * s.ffn);
    } else {
      int up = g.matmul(nm("ffn.up"), l, ffn_in, tokens, d, s.ffn);
      hidden = g.vector(nm("ffn.gelu"), l, {up}, tokens * s.ffn, 7, tokens * s.ffn);
    }
    int down = g.matmul(nm("ffn.down"), l, hidden, tokens, s.ffn, d);
    int res2 = g.vector(nm("residual2"), l, {down, pre ? res1 : ffn_in}, tokens * d, 1, 0);
    x = pre ? res2 : norm(nm("norm2"), l, res2);
  }

  if (s.norm_position == "pre") x = norm("final_norm", -1, x);
  if (s.vocab > 0) {
    // Decoders predict the next token from the last position of each sequence in prefill.
    int head = g.matmul("lm_head", -1, x, r.batch, d, s.vocab);
    w.ops[head].whole_inputs = {x};  // the last position is the last row out
  }
  if (s.classes > 0) {
    int head = g.matmul("classifier", -1, x, r.batch, d, s.classes);
    w.ops[head].whole_inputs = {x};  // the class token's row, after the whole image
  }
  return w;
}

}  // namespace cimsim
