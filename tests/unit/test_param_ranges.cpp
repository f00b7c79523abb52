// The ranges `cimsim params` states are the ranges the parsers enforce, and docs/config.md states
// the same ones. For every architecture and GPU card key with a numeric range, a value past either
// end is refused as out of range, and a value at a closed end is not refused as out of range
// (another check may still object to it). A range stated wider or narrower than the code fails.
#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "cli/params.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/core/config.hpp"
#include "models/core/error.hpp"
#include "models/core/units.hpp"
#include "models/gpu/gpu_card.hpp"

using namespace cimsim;

namespace {

struct Bound {
  double value = 0;
  bool closed = true;
};
struct Range {
  enum class Kind { count, number, quantity } kind = Kind::count;
  std::optional<Dim> dim;  // for a quantity
  Bound lo, hi;
};

std::optional<Dim> dim_of_unit(const std::string& unit) {
  static const std::map<std::string, Dim> dims{
      {"J", Dim::energy},        {"s", Dim::time},
      {"Hz", Dim::frequency},    {"m", Dim::length},
      {"m2", Dim::area},         {"F2", Dim::feature_area},
      {"V", Dim::voltage},       {"A", Dim::current},
      {"Ohm", Dim::resistance},  {"W", Dim::power},
      {"F", Dim::capacitance},   {"bit", Dim::data_size},
      {"bit/s", Dim::bandwidth}, {"J/bit", Dim::energy_per_bit}};
  auto it = dims.find(unit);
  return it == dims.end() ? std::nullopt : std::optional<Dim>(it->second);
}

// A bound as written in the table: "0", "1TOhm", "1e15bit", "2^20", "65536". None for a bound
// that names another key ("rows", "bits", "tdp").
std::optional<double> bound_value(std::string text, std::optional<Dim> dim) {
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  std::smatch m;
  if (std::regex_match(text, m, std::regex(R"(2\^(\d+))"))) return std::ldexp(1.0, std::stoi(m[1]));
  if (std::regex_match(text, std::regex(R"(-?[0-9.]+(e[-+]?\d+)?)"))) return std::stod(text);
  if (!dim) return std::nullopt;
  return parse_quantity(text, *dim, nullptr);
}

std::optional<Range> parse_range(const ParamDoc& p) {
  Range r;
  // Peaks in TFLOPS and TOPS are written as plain numbers.
  const bool plain = p.unit.empty() || p.unit == "TFLOPS" || p.unit == "TOPS";
  if (!plain) {
    r.dim = dim_of_unit(p.unit);
    if (!r.dim) return std::nullopt;
  }
  std::smatch m;
  const std::string& text = p.range;
  std::optional<double> lo, hi;
  if (std::regex_search(text, m, std::regex(R"(^([\[(])([^,\]]+),([^\])]+)([\])]))"))) {
    lo = bound_value(m[2], r.dim);
    hi = bound_value(m[3], r.dim);
    r.lo.closed = m[1] == "[";
    r.hi.closed = m[4] == "]";
    r.kind = r.dim ? Range::Kind::quantity : Range::Kind::number;
  } else if (!r.dim && std::regex_search(text, m, std::regex(R"(^(\d+)\.\.(\S+?)(\s|$))"))) {
    lo = bound_value(m[1], r.dim);
    hi = bound_value(m[2], r.dim);
  }
  if (!lo || !hi) return std::nullopt;
  r.lo.value = *lo;
  r.hi.value = *hi;
  return r;
}

// `value` written for a key of this range: a count as an integer, a quantity in its SI unit.
std::string written(double value, const Range& r, const std::string& unit) {
  if (r.kind == Range::Kind::count) return fmt::format("{:.0f}", value);
  return fmt::format("{:.17g}{}", value, r.kind == Range::Kind::quantity ? unit : "");
}

std::vector<std::string> key_parts(const std::string& path) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// The error loading `base` with `path` set to `value` gives, or "" when it loads.
std::string load_arch_with(const std::string& base, const std::string& path,
                           const std::string& value) {
  YAML::Node root = YAML::LoadFile(base);
  const std::vector<std::string> parts = key_parts(path);
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next = chain.back()[parts[i]];
    if (!next.IsMap()) {
      next = YAML::Node(YAML::NodeType::Map);
      chain.back()[parts[i]] = next;
    }
    chain.push_back(chain.back()[parts[i]]);
  }
  chain.back()[parts.back()] = value;
  YAML::Emitter out;
  out << root;
  try {
    // Beside the base, so that its relative paths (presets by name) resolve as they do there.
    ConfigNode n = ConfigNode::load_string(out.c_str(), "probe.yaml", nullptr);
    parse_arch(n, base);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

bool refused_as_out_of_range(const std::string& error, const std::string& path) {
  return error.find("'" + path + "'") != std::string::npos &&
         error.find("out of range") != std::string::npos;
}

// The error a file gives with `path` set to the written value, or "" when it loads.
using Loader = std::function<std::string(const std::string& path, const std::string& value)>;

// Probes one documented range through `load`.
void probe(const ParamDoc& p, const Range& r, const Loader& load) {
  auto refused = [&](double value) {
    return refused_as_out_of_range(load(p.path, written(value, r, p.unit)), p.path);
  };
  // Past each end: for a count one step, otherwise a factor 2 (or -1 unit below zero).
  const bool count = r.kind == Range::Kind::count;
  CHECK(refused(count ? r.hi.value + 1 : r.hi.value * 2));
  CHECK(refused(count ? r.lo.value - 1 : r.lo.value > 0 ? r.lo.value / 2 : -1.0));
  // At a closed end, or just inside an open one, the value is in range. Above an open zero that
  // is the smallest magnitude a double holds, so that a floor the code keeps and the table does
  // not state is caught.
  CHECK_FALSE(refused(r.lo.closed      ? r.lo.value
                      : r.lo.value > 0 ? r.lo.value * (1 + 1e-9)
                                       : 1e-300));
  CHECK_FALSE(refused(r.hi.closed ? r.hi.value : r.hi.value * (1 - 1e-9)));
  if (!r.lo.closed) CHECK(refused(r.lo.value));
  if (!r.hi.closed) CHECK(refused(r.hi.value));
}

}  // namespace

TEST_CASE("the documented ranges are the ones the architecture parser enforces", "[params]") {
  const std::string configs = std::string(CIMSIM_SOURCE_DIR) + "/configs/";
  // Each key is probed on the first shipped architecture that reads it (a resistive card's
  // on_resistance on ReRAM, an SRAM card's capacitance on SRAM).
  std::vector<std::pair<std::string, ResolvedConfig>> bases;
  for (const char* arch : {"arch/reram_chiplets", "arch/sram_chiplets", "arch/nor_flash_chiplets",
                           "chips/wang_vlsi22/arch"}) {
    ResolvedConfig resolved;
    load_arch(configs + arch + ".yaml", &resolved);
    bases.emplace_back(configs + arch + ".yaml", std::move(resolved));
  }
  int probed = 0;
  for (const ParamDoc& p : parameter_docs()) {
    if (p.path.rfind("gpu.", 0) == 0) continue;
    const std::optional<Range> range = parse_range(p);
    if (!range) continue;
    const std::string* base = nullptr;
    for (const auto& [file, resolved] : bases) {
      for (const auto& e : resolved.entries()) {
        if (e.path == p.path) base = &file;
      }
      if (base) break;
    }
    if (!base) continue;
    ++probed;
    INFO(p.path << " documented as " << p.range << ", probed on " << *base);
    probe(p, *range, [&](const std::string& path, const std::string& value) {
      return load_arch_with(*base, path, value);
    });
  }
  // The table's numeric architecture ranges, all probed (a regex that stopped matching would
  // otherwise pass by probing nothing).
  CHECK(probed >= 40);
}

TEST_CASE("the documented ranges are the ones the GPU card parser enforces", "[params]") {
  const std::string base = std::string(CIMSIM_SOURCE_DIR) + "/configs/gpu/a100_sxm4_80gb.yaml";
  const std::string probe_file = (std::filesystem::temp_directory_path() /
                                  fmt::format("cimsim_probe_gpu_card_{}.yaml", ::getpid()))
                                     .string();
  int probed = 0;
  for (const ParamDoc& p : parameter_docs()) {
    if (p.path.rfind("gpu.", 0) != 0) continue;
    const std::optional<Range> range = parse_range(p);
    if (!range) continue;
    ++probed;
    INFO(p.path << " documented as " << p.range);
    probe(p, *range, [&](const std::string& path, const std::string& value) {
      YAML::Node root = YAML::LoadFile(base);
      YAML::Node entry(YAML::NodeType::Map);
      entry["value"] = value;
      entry["source"] = "range probe";
      root[path.substr(4)] = entry;
      YAML::Emitter out;
      out << root;
      std::ofstream(probe_file) << out.c_str() << "\n";
      try {
        load_gpu_card(probe_file, nullptr);
      } catch (const UserError& e) {
        return std::string(e.what());
      }
      return std::string();
    });
  }
  std::filesystem::remove(probe_file);
  CHECK(probed >= 15);
}

namespace {

// A range as both tables write it, up to its closing bracket ("[0, 1ms], at most ..." ->
// "[0,1ms]", "1..16 (2..16 for ...)" -> "1..16"), without spaces and with Ohm for the sign.
std::string range_core(std::string text) {
  for (std::size_t at; (at = text.find("\xCE\xA9")) != std::string::npos;) {
    text.replace(at, 2, "Ohm");
  }
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == ' ' || c == '`'; }),
             text.end());
  std::smatch m;
  if (std::regex_search(text, m, std::regex(R"(^[\[(][^\])]*[\])])"))) return m[0];
  if (std::regex_search(text, m, std::regex(R"(^\d+\.\.[0-9^]+)"))) return m[0];
  return "";
}

}  // namespace

TEST_CASE("docs/config.md states the numeric ranges cimsim params states", "[params]") {
  std::ifstream doc(std::string(CIMSIM_SOURCE_DIR) + "/docs/config.md");
  REQUIRE(doc);
  int compared = 0;
  // The key reference names a key within its section: `rows` under `crossbar` is crossbar.rows,
  // `mesh.rows` under `package` is package.mesh.rows; top-level, tile and chiplet rows are whole.
  bool in_reference = false;
  std::string section;
  for (std::string line; std::getline(doc, line);) {
    if (line.rfind("## ", 0) == 0) in_reference = line == "## Key reference";
    if (line.rfind("### ", 0) == 0) {
      section = "";
      for (const char* s : {"technology", "crossbar", "package"}) {
        if (line.rfind(fmt::format("### `{}`", s), 0) == 0) section = fmt::format("{}.", s);
      }
    }
    if (!in_reference || line.rfind("| `", 0) != 0) continue;
    // Columns: key, unit, default, range, meaning ("\|" inside a column is a literal bar).
    std::vector<std::string> columns;
    std::string column;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
        column += '|';
        ++i;
      } else if (line[i] == '|') {
        columns.push_back(column);
        column.clear();
      } else {
        column += line[i];
      }
    }
    if (columns.size() < 5) continue;
    std::string key = columns[0];
    key.erase(std::remove_if(key.begin(), key.end(), [](char c) { return c == ' ' || c == '`'; }),
              key.end());
    const std::string documented = range_core(columns[3]);
    if (documented.empty() || key.find(',') != std::string::npos) continue;
    const std::string path = section + key;
    const ParamDoc* stated = nullptr;
    for (const ParamDoc& p : parameter_docs()) {
      if (p.path == path) stated = &p;
    }
    INFO(path << ": docs/config.md says " << columns[3]);
    REQUIRE(stated != nullptr);  // a documented numeric key that cimsim params lacks
    ++compared;
    CHECK(range_core(stated->range) == documented);
  }
  CHECK(compared >= 40);
}
