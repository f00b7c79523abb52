#include "models/gpu/gpu_card.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#include "models/arch/parameter_docs.hpp"
#include "models/core/config_paths.hpp"
#include "models/gpu/gpu_model.hpp"

namespace cimsim {

namespace {

// Every key of a GPU card, under the card's own path ('gpu' in a run, none in a test's text),
// so that a missing key is not blamed on a neighbour it resembles.
std::shared_ptr<const std::vector<std::string>> gpu_card_key_paths(const std::string& at) {
  auto out = std::make_shared<std::vector<std::string>>();
  for (const ParamDoc& p : parameter_docs()) {
    if (p.path.rfind("gpu.", 0) == 0)
      out->push_back((at.empty() ? "" : at + ".") + p.path.substr(4));
  }
  return out;
}

}  // namespace

GpuCard parse_gpu_card(const ConfigNode& written) {
  const ConfigNode n = written.with_key_homes(gpu_card_key_paths(written.path()));
  n.free_text("description");
  GpuCard g;
  // Rates and sizes start at one unit (1 Hz, 1 bit, 1 bit/s): far below any card, and what keeps
  // times such as bytes / bandwidth finite.
  g.name = n.string("name");
  g.node = n.quantity<Dim::length>("node", {}, 1e-9, 1e-6, false);
  g.supply_voltage = n.quantity<Dim::voltage>("supply_voltage", {}, 0.0, 5.0);
  g.tensor_fp16_flops = n.number("tensor_fp16_tflops", 1e-3, 1e6) * 1e12;
  g.tensor_int8_ops = n.number("tensor_int8_tops", 1e-3, 1e6) * 1e12;
  g.vector_fp32_flops = n.number("vector_fp32_tflops", 1e-3, 1e6) * 1e12;
  g.sms = static_cast<int>(n.integer("sms", 1, 100000));
  g.clock = n.quantity<Dim::frequency>("clock", {}, 1.0, 20e9, false);
  g.hbm_capacity = n.quantity<Dim::data_size>("hbm_capacity", {}, 1.0, 1e18, false);
  g.hbm_bandwidth = n.quantity<Dim::bandwidth>("hbm_bandwidth", {}, 1.0, 1e18, false);
  g.hbm_energy_per_bit =
      n.quantity<Dim::energy_per_bit>("hbm_energy_per_bit", {}, 0.0, 1e-9, false);
  g.l2_size = n.quantity<Dim::data_size>("l2_size", {}, 1.0, 1e18, false);
  g.register_file_per_sm = n.quantity<Dim::data_size>("register_file_per_sm", {}, 1.0, 1e18, false);
  g.shared_memory_per_sm = n.quantity<Dim::data_size>("shared_memory_per_sm", {}, 1.0, 1e18, false);
  g.nvlink_bandwidth = n.quantity<Dim::bandwidth>("nvlink_bandwidth", {}, 1.0, 1e18, false);
  g.tdp = n.quantity<Dim::power>("tdp", {}, 0.0, 1e5);
  g.gemm_efficiency = n.number("gemm_efficiency", 0.01, 1.0);
  g.gemm_saturation_tokens = n.number("gemm_saturation_tokens", 1.0, 1e9);
  g.gemm_efficiency_floor = n.number("gemm_efficiency_floor", 0.001, 1.0);
  g.gemm_k_overhead = n.number("gemm_k_overhead", 0.0, 1e6);
  g.memory_efficiency = n.number("memory_efficiency", 0.01, 1.0);
  g.int8_gemm_efficiency = n.number("int8_gemm_efficiency", 0.01, 1.0);
  g.kernel_overhead = n.quantity<Dim::time>("kernel_overhead", {}, 0.0, 1e-2, false);
  g.awake_power = n.quantity<Dim::power>("awake_power", {}, 0.0, 1e5, false);
  g.board_energy_per_mac = n.quantity<Dim::energy>("board_energy_per_mac", {}, 0.0, 1e-9);
  g.board_energy_per_hbm_bit =
      n.quantity<Dim::energy_per_bit>("board_energy_per_hbm_bit", {}, 0.0, 1e-9);
  n.finish();
  if (!(g.awake_power.si < g.tdp.si)) {
    n.fail("awake_power", fmt::format("the awake power ({:g} W) must be below the TDP ({:g} W)",
                                      g.awake_power.si, g.tdp.si));
  }
  // A board held at its cap cannot draw twice its TDP: the board energies at the peak rates
  // must stay below that (the shipped cards' are below 1.3 TDP).
  const double mac_power = g.board_energy_per_mac.si * g.tensor_fp16_flops / 2.0;
  if (mac_power > 2.0 * g.tdp.si) {
    n.fail("board_energy_per_mac",
           fmt::format("at the FP16 peak rate the MACs alone would draw {:.4g} W, over twice the "
                       "TDP of {:g} W",
                       mac_power, g.tdp.si));
  }
  const double hbm_power = g.board_energy_per_hbm_bit.si * g.hbm_bandwidth.si;
  if (hbm_power > 2.0 * g.tdp.si) {
    n.fail("board_energy_per_hbm_bit",
           fmt::format("at the HBM bandwidth the traffic alone would draw {:.4g} W, over twice the "
                       "TDP of {:g} W",
                       hbm_power, g.tdp.si));
  }
  // The board energies are all-in: they cannot be below the parts the model names.
  const GpuNamedEnergy named = gpu_named_energy(g);
  if (g.board_energy_per_mac.si < named.fp16_mac_j) {
    n.fail("board_energy_per_mac",
           fmt::format("{:.4g} pJ is below the {:.4g} pJ the model names for an FP16 MAC (datapath "
                       "and operand reads at this node and supply)",
                       g.board_energy_per_mac.si * 1e12, named.fp16_mac_j * 1e12));
  }
  if (g.board_energy_per_hbm_bit.si < named.hbm_bit_j) {
    n.fail("board_energy_per_hbm_bit",
           fmt::format("{:.4g} pJ/bit is below the {:.4g} pJ/bit the model names for an HBM bit "
                       "(hbm_energy_per_bit and two L2 crossings)",
                       g.board_energy_per_hbm_bit.si * 1e12, named.hbm_bit_j * 1e12));
  }
  return g;
}

GpuCard load_gpu_card(const std::string& name_or_file, ResolvedConfig* resolved) {
  namespace fs = std::filesystem;
  if (looks_like_file(name_or_file)) {
    return parse_gpu_card(ConfigNode::load_file(name_or_file, resolved, true, "gpu"));
  }
  // Card names are written A100-SXM4-80GB; their files a100_sxm4_80gb.yaml.
  std::string stem = name_or_file;
  std::transform(stem.begin(), stem.end(), stem.begin(), [](unsigned char c) {
    return c == '-' ? '_' : static_cast<char>(std::tolower(c));
  });
  fs::path dir = fs::path(config_dir()) / "gpu";
  if (!fs::exists(dir / (stem + ".yaml"))) {
    // Named as --gpu takes them (A100-SXM4-80GB); a prefix (A100) is a near miss too.
    auto card_name = [](std::string file_stem) {
      std::transform(file_stem.begin(), file_stem.end(), file_stem.begin(), [](unsigned char c) {
        return c == '_' ? '-' : static_cast<char>(std::toupper(c));
      });
      return file_stem;
    };
    std::vector<std::string> known = preset_names("gpu");
    std::string hint = closest_match(stem, known);
    for (const auto& k : known) {
      if (hint.empty() && !stem.empty() && k.rfind(stem, 0) == 0) hint = k;
    }
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + card_name(k);
    throw UserError("error: unknown GPU '" + name_or_file + "'" +
                    (hint.empty() ? "" : " (did you mean '" + card_name(hint) + "'?)") +
                    "; GPU cards in configs/gpu: " + list + " (or give a YAML file)");
  }
  return parse_gpu_card(ConfigNode::load_file((dir / (stem + ".yaml")).string(), resolved, true,
                                              "gpu", preset_display_name("gpu", stem)));
}

}  // namespace cimsim
