// Device variability models: the standard deviation of a programmed (or read) cell level as a
// function of the level itself, in the cell's physical unit (siemens for resistive cells,
// amperes for flash current sources). Each published fit is one registered implementation,
// named by a technology card's `programming_noise:` or `read_noise:` key.
#pragma once

#include <memory>
#include <string>

#include "models/core/config.hpp"

namespace cimsim {

class DeviceNoise {
 public:
  virtual ~DeviceNoise() = default;
  // Standard deviation at `level` (S or A); `level_max` is the card's highest level.
  virtual double sigma(double level, double level_max) const = 0;
};

// The model a card names under `key` ("none" when absent).
std::shared_ptr<const DeviceNoise> make_device_noise(const ConfigNode& card,
                                                     const std::string& key);

}  // namespace cimsim
