#include "cli/chip_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/config.hpp"
#include "models/core/config_paths.hpp"
#include "models/cost/cost_table.hpp"

namespace cimsim {

namespace {

// One weight matmul that fills every array: K = rows, N = all arrays' output columns.
Workload filling_matmul(const ArchSpec& arch, std::int64_t vectors) {
  const auto& xb = arch.crossbar;
  const std::int64_t outputs_per_array = xb.weights_per_array(arch.technology.bits_per_cell);
  Op op;
  op.name = "mvm";
  op.kind = OpKind::weight_matmul;
  op.m = vectors;
  op.k = xb.rows;
  op.n = outputs_per_array * arch.total_arrays();
  op.output_elements = op.m * op.n;
  Workload w;
  w.name = "filling-matmul";
  w.ops.push_back(op);
  return w;
}

ChipFigure parse_figure(const ConfigNode& measured, const std::string& key,
                        const std::string& metric) {
  ConfigNode f = measured.child(key);
  ChipFigure fig;
  fig.metric = metric;
  if (f.has("min") || f.has("max")) {
    // Figures of silicon sit far above 1e-6 (TOPS, TOPS/W, mm2); the floor keeps the error finite.
    fig.lo = f.number("min", 0.0, 1e12);
    fig.hi = f.number("max", 1e-6, 1e12);
    if (fig.hi <= fig.lo) f.fail("max", "the band's max must exceed its min");
    fig.measured = 0.5 * (fig.lo + fig.hi);
    fig.measured_text = fmt::format("{:g}-{:g}", fig.lo, fig.hi);
  } else {
    fig.measured = f.number("value", 1e-6, 1e12);
    const double tolerance = f.number("tolerance", 0.0, 1.0);
    if (tolerance == 0.0)
      f.fail("tolerance",
             "a band of zero width; give a tolerance above 0 (a fraction, 0.25 for 25%)");
    fig.lo = fig.measured * (1.0 - tolerance);
    fig.hi = fig.measured * (1.0 + tolerance);
    fig.measured_text = fmt::format("{:g} ±{:g}%", fig.measured, 100.0 * tolerance);
  }
  f.free_text("source");
  fig.role = f.choice("role", {"check", "calibration"}, "check");
  f.finish();
  return fig;
}

std::vector<ChipPoint> validate_chip(const std::string& folder) {
  const std::string chip_file = folder + "/chip.yaml";
  const std::string arch_file = folder + "/arch.yaml";
  ConfigNode chip = ConfigNode::load_file(chip_file, nullptr);
  const std::string id = chip.string("id");
  const std::string source = chip.string("source");
  const std::string technology = chip.string("technology");
  chip.free_text("title");
  chip.free_text("notes");
  const std::int64_t vectors = chip.integer("vectors", 1, 1 << 24, 1024);
  ConfigNode points = chip.child("points");
  if (points.keys().empty()) chip.fail("points", "a chip needs at least one operating point");
  std::vector<ChipPoint> out;
  for (const std::string& name : points.keys()) {
    ConfigNode p = points.child(name);
    ChipPoint cp;
    cp.chip = id;
    cp.chip_id_location = chip.location_of_key("id").str();
    cp.point = name;
    cp.source = source;
    cp.technology = technology;
    cp.arch_file = arch_file;
    if (is_blank(name) || std::any_of(name.begin(), name.end(),
                                      [](unsigned char c) { return c < 0x20 && c != '\t'; })) {
      points.fail(name, "a point's name is one line of text, not empty");
    }
    cp.precision = p.string("precision");
    p.free_text("notes");
    ConfigNode arch_root = ConfigNode::load_file(arch_file, nullptr);
    std::optional<ConfigNode> over = p.optional_child("override");
    // A preset under the override would bring its own values over the architecture's keys:
    // the point would differ from the architecture by more than the keys it names.
    auto refuse_preset = [](const std::optional<ConfigNode>& section, const char* what) {
      if (!section || !section->has("preset")) return;
      section->fail("preset", fmt::format("a point's override names the keys that change (e.g. "
                                          "supply_voltage), not a {} preset, whose values would "
                                          "replace the architecture's own",
                                          what));
    };
    if (over) {
      refuse_preset(over->optional_child("technology"), "technology");
      if (auto package = over->optional_child("package"))
        refuse_preset(package->optional_child("link"), "link");
    }
    const ArchSpec arch = over ? parse_arch(over->with_fallback(arch_root), arch_file)
                               : parse_arch(arch_root, arch_file);

    const CostTable table = build_cost_table(arch);
    const Workload w = filling_matmul(arch, vectors);
    const Mapping map = map_workload(
        arch, w,
        fmt::format("lower 'vectors' ({}) at {}", vectors, chip.location_of_key("vectors").str()));
    if (!map.fits) panic("validate: the filling matmul must fit its own arrays");
    Workspace ws;
    const Evaluation e = evaluate(w, map, table, ws, {});
    const double ops = 2.0 * static_cast<double>(e.macs);
    for (int c = 0; c < kNumComponents; ++c) {
      const double share = e.energy_by_component_j[c] / e.energy_j;
      if (share < 0.005) continue;
      if (!cp.energy_split.empty()) cp.energy_split += ", ";
      cp.energy_split +=
          fmt::format("{} {:.0f}%", component_name(static_cast<Component>(c)), 100.0 * share);
    }

    ConfigNode measured = p.child("measured");
    if (measured.has("tops_per_w")) {
      ChipFigure f = parse_figure(measured, "tops_per_w", "TOPS/W");
      f.modelled = ops / e.energy_j / 1e12;
      cp.figures.push_back(f);
    }
    if (measured.has("tops")) {
      ChipFigure f = parse_figure(measured, "tops", "TOPS");
      f.modelled = ops / e.latency_s / 1e12;
      cp.figures.push_back(f);
    }
    if (measured.has("area_mm2")) {
      ChipFigure f = parse_figure(measured, "area_mm2", "area mm2");
      f.modelled = table.total_area_m2() * 1e6;
      cp.figures.push_back(f);
    }
    measured.finish();
    if (cp.figures.empty())
      p.fail("measured", "a point needs at least one figure: tops_per_w, tops or area_mm2");
    // The table's in/w/out column is the paper's condition; it must be what the model ran.
    const std::string ran = fmt::format("{}/{}/{}", arch.crossbar.input_bits,
                                        arch.crossbar.weight_bits, arch.crossbar.adc.bits);
    if (cp.precision != ran) {
      p.fail("precision", fmt::format("'{}', but the architecture runs {} (crossbar.input_bits / "
                                      "weight_bits / adc.bits)",
                                      cp.precision, ran));
    }
    p.finish();
    out.push_back(std::move(cp));
  }
  chip.finish();
  return out;
}

}  // namespace

std::vector<ChipPoint> validate_chips(const std::string& chips_dir) {
  namespace fs = std::filesystem;
  const std::string dir = chips_dir.empty() ? config_dir() + "/chips" : chips_dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw UserError(fmt::format("error: chip folder '{}' does not exist or is not a folder", dir));
  }
  if (fs::exists(fs::path(dir) / "chip.yaml")) {
    throw UserError(fmt::format(
        "error: '{}' is itself a chip folder; --chips takes the folder that holds chip folders",
        dir));
  }
  // Every folder here is a chip: one without its chip.yaml would otherwise drop out unseen.
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    // Hidden folders (.git, .ipynb_checkpoints) are a tool's, not chips.
    if (!entry.is_directory() || entry.path().filename().string().rfind('.', 0) == 0) continue;
    if (!fs::exists(entry.path() / "chip.yaml")) {
      throw UserError(fmt::format(
          "{}: error: a chip folder without chip.yaml (each folder under '{}' is a chip: its "
          "chip.yaml and arch.yaml)",
          entry.path().string(), dir));
    }
    folders.push_back(entry.path().string());
  }
  std::sort(folders.begin(), folders.end());
  if (folders.empty()) {
    throw UserError(fmt::format("error: no chip folders (with a chip.yaml) under '{}'", dir));
  }
  std::vector<ChipPoint> out;
  std::map<std::string, std::string> folder_of_id;
  for (const auto& f : folders) {
    auto points = validate_chip(f);
    const std::string& id = points.front().chip;
    if (const auto [it, fresh] = folder_of_id.emplace(id, f); !fresh) {
      throw UserError(
          fmt::format("{}: error: at 'id': '{}' is also the id of {}; each chip needs its own",
                      points.front().chip_id_location, id, it->second));
    }
    out.insert(out.end(), points.begin(), points.end());
  }
  return out;
}

std::string chip_validation_table(const std::vector<ChipPoint>& points) {
  std::string s = fmt::format("{:<18} {:<15} {:<24} {:<9} {:<9} {:>14} {:>10} {:>8}  {:<4} {}\n",
                              "chip", "point", "technology", "in/w/out", "figure", "measured",
                              "modelled", "error", "band", "role");
  for (const auto& p : points) {
    for (const auto& f : p.figures) {
      s += fmt::format("{:<18} {:<15} {:<24} {:<9} {:<9} {:>14} {:>10.4g} {:>+7.1f}%  {:<4} {}\n",
                       p.chip, p.point, p.technology, p.precision, f.metric, f.measured_text,
                       f.modelled, 100.0 * f.error(), f.in_band() ? "in" : "OUT", f.role);
    }
    s += fmt::format("{:<18} {:<15} energy: {}\n", "", "", p.energy_split);
  }
  return s;
}

namespace {

// Text as one Markdown table cell: a '|' would end the cell and a line break the row.
std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else
      out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string chip_validation_markdown(const std::vector<ChipPoint>& points) {
  std::string s =
      "| chip | point | source | technology | in/w/out bits | figure | measured | modelled | "
      "error | in band | role |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& p : points) {
    for (const auto& f : p.figures) {
      s += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {:.4g} | {:+.1f}% | {} | {} |\n",
                       markdown_cell(p.chip), markdown_cell(p.point), markdown_cell(p.source),
                       markdown_cell(p.technology), p.precision, f.metric, f.measured_text,
                       f.modelled, 100.0 * f.error(), f.in_band() ? "yes" : "**no**", f.role);
    }
  }
  return s;
}

}  // namespace cimsim
