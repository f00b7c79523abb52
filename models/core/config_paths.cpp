#include "models/core/config_paths.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "models/core/config.hpp"

namespace cimsim {

std::string config_dir() {
  if (const char* env = std::getenv("CIMSIM_CONFIG_DIR"); env && *env) return env;
  return CIMSIM_DEFAULT_CONFIG_DIR;
}

std::string preset_path(const std::string& folder, const std::string& name, const ConfigNode& where,
                        const std::string& key) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(config_dir()) / folder;
  fs::path file = dir / (name + ".yaml");
  if (fs::exists(file)) return file.string();
  if (!fs::is_directory(dir)) {
    where.fail(
        key, fmt::format("unknown preset '{}': the preset folder {} does not exist{}", name,
                         dir.string(),
                         std::getenv("CIMSIM_CONFIG_DIR") ? " (is CIMSIM_CONFIG_DIR right?)" : ""));
  }
  std::vector<std::string> known = preset_names(folder);
  std::string hint = closest_match(name, known);
  where.fail(key, hint.empty()
                      ? fmt::format("unknown preset '{}'; presets in configs/{}: {}", name, folder,
                                    fmt::join(known, ", "))
                      : fmt::format("unknown preset '{}'; did you mean '{}'?", name, hint));
}

std::vector<std::string> preset_names(const std::string& folder) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(config_dir()) / folder;
  std::vector<std::string> names;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool looks_like_file(const std::string& name) {
  return name.find('/') != std::string::npos || name.ends_with(".yaml") || name.ends_with(".yml");
}

ConfigNode with_preset(const ConfigNode& given, const std::string& folder) {
  if (!given.has("preset")) return given;
  std::string preset = given.string("preset");
  ConfigNode card =
      ConfigNode::load_card(preset_path(folder, preset, given, "preset"), given.resolved(),
                            given.path(), preset_display_name(folder, preset));
  return given.with_fallback(card);
}

std::string preset_display_name(const std::string& folder, const std::string& name) {
  // The shipped presets go by their place in the cimsim tree (stable across machines); presets
  // from another CIMSIM_CONFIG_DIR by their real path, which is where the user must look.
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool shipped = fs::equivalent(config_dir(), CIMSIM_DEFAULT_CONFIG_DIR, ec);
  if (shipped) return "configs/" + folder + "/" + name + ".yaml";
  return (fs::path(config_dir()) / folder / (name + ".yaml")).string();
}

}  // namespace cimsim
