// Where presets live: technology cards, link cards and the ADC survey fit.
#pragma once

#include <string>

namespace cimsim {

// $CIMSIM_CONFIG_DIR when set, else the source tree's configs/ folder (compiled in).
std::string config_dir();

// configs/<folder>/<name>.yaml, or a UserError naming the preset and the ones that exist.
std::string preset_path(const std::string& folder, const std::string& name,
                        const class ConfigNode& where, const std::string& key);

}  // namespace cimsim
