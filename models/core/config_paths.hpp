// Where presets live: technology cards, link cards and the ADC survey fit.
#pragma once

#include <string>
#include <vector>

#include "models/core/config.hpp"

namespace cimsim {

// $CIMSIM_CONFIG_DIR when set, else the source tree's configs/ folder (compiled in).
std::string config_dir();

// configs/<folder>/<name>.yaml, or a UserError naming the preset and the ones that exist.
// Messages and sources call it by its place in the cimsim tree: preset_display_name().
std::string preset_path(const std::string& folder, const std::string& name, const ConfigNode& where,
                        const std::string& key);

std::string preset_display_name(const std::string& folder, const std::string& name);

// The presets in configs/<folder>/, sorted by name.
std::vector<std::string> preset_names(const std::string& folder);

// Whether a command-line name is a file path rather than a built-in name.
bool looks_like_file(const std::string& name);

// `given` layered over configs/<folder>/<preset>.yaml when it names `preset:`, else `given`.
// Preset cards must give a source for every number.
ConfigNode with_preset(const ConfigNode& given, const std::string& folder);

}  // namespace cimsim
