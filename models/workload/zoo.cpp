// The built-in transformer zoo, with shapes from the models' published configurations:
// BERT (Devlin et al., NAACL 2019), GPT-2 (Radford et al. 2019), ViT-B/16 (Dosovitskiy et al.,
// ICLR 2021), Llama 2 (Touvron et al. 2023), Llama 3 8B (Meta Llama 3 model card, 2024).
// A user workload is a YAML file with the same keys (docs/workloads.md).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "models/core/config.hpp"
#include "models/core/config_paths.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

std::vector<TransformerShape> zoo() {
  const char* bert = "Devlin et al., BERT, NAACL 2019 (Table: BERT-base L=12 H=768 A=12)";
  return {
      {"bert-base", "encoder", 12, 768, 12, 12, 3072, "gelu", "layernorm", "post", 0, 0, 0, 0,
       false, bert},
      {"bert-large", "encoder", 24, 1024, 16, 16, 4096, "gelu", "layernorm", "post", 0, 0, 0, 0,
       false, "Devlin et al., BERT, NAACL 2019 (BERT-large L=24 H=1024 A=16)"},
      {"gpt2-small", "decoder", 12, 768, 12, 12, 3072, "gelu", "layernorm", "pre", 50257, 0, 0, 0,
       false, "Radford et al., GPT-2, 2019 (124M config)"},
      {"gpt2-medium", "decoder", 24, 1024, 16, 16, 4096, "gelu", "layernorm", "pre", 50257, 0, 0, 0,
       false, "Radford et al., GPT-2, 2019 (355M config)"},
      {"vit-b16", "encoder", 12, 768, 12, 12, 3072, "gelu", "layernorm", "pre", 0, 1000,
       16 * 16 * 3, 197, false,
       "Dosovitskiy et al., ICLR 2021 (ViT-Base/16, 224x224: 196 patches + class token)"},
      {"llama2-7b", "decoder", 32, 4096, 32, 32, 11008, "swiglu", "rmsnorm", "pre", 32000, 0, 0, 0,
       true, "Touvron et al., Llama 2, 2023 (7B config)"},
      {"llama3-8b", "decoder", 32, 4096, 32, 8, 14336, "swiglu", "rmsnorm", "pre", 128256, 0, 0, 0,
       true, "Meta Llama 3 model card, 2024 (8B: GQA with 8 KV heads)"},
  };
}

namespace {

TransformerShape load_workload_file(const std::string& path) {
  ConfigNode root = ConfigNode::load_file(path, nullptr);
  ConfigNode t = root.child("transformer");
  root.free_text("description");
  TransformerShape s;
  s.name = root.string("name");
  s.source = root.string("source", path);
  s.style = t.choice("style", {"encoder", "decoder"});
  s.layers = static_cast<int>(t.integer("layers", 1, 1024));
  s.d_model = static_cast<int>(t.integer("d_model", 1, 1 << 20));
  s.heads = static_cast<int>(t.integer("heads", 1, 4096));
  s.kv_heads = static_cast<int>(t.integer("kv_heads", 1, s.heads, s.heads));
  if (s.d_model % s.heads != 0)
    t.fail("heads", fmt::format("d_model {} is not divisible by {} heads", s.d_model, s.heads));
  if (s.heads % s.kv_heads != 0)
    t.fail("kv_heads",
           fmt::format("{} heads are not divisible into {} KV groups", s.heads, s.kv_heads));
  s.ffn = static_cast<int>(t.integer("ffn", 1, 1 << 22));
  s.ffn_kind = t.choice("ffn_kind", {"gelu", "swiglu"}, "gelu");
  s.norm = t.choice("norm", {"layernorm", "rmsnorm"}, "layernorm");
  s.norm_position = t.choice("norm_position", {"pre", "post"}, "pre");
  s.vocab = static_cast<int>(t.integer("vocab", 0, 1 << 24, 0));
  s.classes = static_cast<int>(t.integer("classes", 0, 1 << 24, 0));
  s.patch_pixels = static_cast<int>(t.integer("patch_pixels", 0, 1 << 20, 0));
  s.image_tokens = static_cast<int>(t.integer("image_tokens", 0, 1 << 20, 0));
  if (s.patch_pixels > 0 && s.image_tokens < 2)
    t.fail("image_tokens",
           fmt::format("image_tokens {}: a patch-embedded (ViT) workload needs at least 2 (its "
                       "patches plus the class token)",
                       s.image_tokens));
  // Decode appends text tokens, which a patch-embedded model has no embedding for.
  if (s.patch_pixels > 0 && s.style != "encoder")
    t.fail("patch_pixels", "a patch-embedded (ViT) workload is an encoder; write style: encoder");
  // On a token-input model image_tokens would silently fix the prefill length.
  if (s.patch_pixels == 0 && s.image_tokens > 0)
    t.fail("image_tokens",
           "image_tokens applies only to a patch-embedded (ViT) workload; set patch_pixels or "
           "remove image_tokens (text models take their length from --seq)");
  s.rope = t.boolean("rope", false);
  // RoPE rotates each head's values in pairs.
  if (s.rope && (s.d_model / s.heads) % 2 != 0)
    t.fail("rope", fmt::format("RoPE rotates pairs of values, but a head holds d_model / heads = "
                               "{} / {} = {}, an odd number",
                               s.d_model, s.heads, s.d_model / s.heads));
  t.finish();
  root.finish();
  return s;
}

}  // namespace

TransformerShape find_workload(const std::string& name_or_file) {
  for (const auto& s : zoo())
    if (s.name == name_or_file) return s;
  if (looks_like_file(name_or_file)) return load_workload_file(name_or_file);
  throw UserError("error: " + unknown_workload_message(name_or_file));
}

bool is_builtin_workload(const std::string& name) {
  const auto shapes = zoo();
  return std::any_of(shapes.begin(), shapes.end(),
                     [&](const TransformerShape& s) { return s.name == name; });
}

std::string unknown_workload_message(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& s : zoo()) names.push_back(s.name);
  const std::string hint = closest_match(name, names);
  return fmt::format("unknown workload '{}'{}; built-in workloads: {} (or give a YAML file)", name,
                     hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                     fmt::join(names, ", "));
}

}  // namespace cimsim
