// Where presets live: technology cards, link cards and the ADC survey fit.
#pragma once

#include <string>

namespace cimsim {

// $CIMSIM_CONFIG_DIR when set, else the source tree's configs/ folder (compiled in).
std::string config_dir();

// configs/<folder>/<name>.yaml, or a UserError naming the preset and the ones that exist.
// Messages and sources call it by its place in the cimsim tree: preset_display_name().
std::string preset_path(const std::string& folder, const std::string& name,
                        const class ConfigNode& where, const std::string& key);

std::string preset_display_name(const std::string& folder, const std::string& name);

}  // namespace cimsim
