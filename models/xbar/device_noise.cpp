// Published device-variability fits (shared/reference README, section 5).
#include "models/xbar/device_noise.hpp"

#include <algorithm>
#include <cmath>

#include "models/core/registry.hpp"

namespace cimsim {
namespace {

constexpr double kMicro = 1e-6;
constexpr double kNano = 1e-9;

class NoNoise final : public DeviceNoise {
 public:
  explicit NoNoise(const ConfigNode&) {}
  double sigma(double, double) const override { return 0.0; }
};

// CrossSim RRAMMilo (Milo et al., IRPS 2021): sigma_G = max(-0.009107 G + 4.782, 0) uS, G in uS,
// fitted over 50-225 uS.
class RramMilo final : public DeviceNoise {
 public:
  explicit RramMilo(const ConfigNode&) {}
  double sigma(double g, double) const override {
    double g_us = g / kMicro;
    return std::max(-0.009107 * g_us + 4.782, 0.0) * kMicro;
  }
};

// CrossSim RRAMWan, fitted to NeuRRAM (Wan et al., Nature 2022):
// sigma_G = 1.536e-4 G^3 - 1.167e-2 G^2 + 0.2374 G + 1.053 uS, G <= 39.3 uS.
class RramWan final : public DeviceNoise {
 public:
  explicit RramWan(const ConfigNode&) {}
  double sigma(double g, double) const override {
    double x = std::min(g / kMicro, 39.3);
    return std::max(1.536e-4 * x * x * x - 1.167e-2 * x * x + 0.2374 * x + 1.053, 0.0) * kMicro;
  }
};

// IBM aihwkit PCMLikeNoiseModel programming noise (Nandakumar et al. 2019): with g = G / g_max,
// sigma = max(-1.1731 g^2 + 1.9650 g + 0.2635, 0) uS at g_max = 25 uS; scaled to the card's
// g_max in proportion.
class PcmNandakumar final : public DeviceNoise {
 public:
  explicit PcmNandakumar(const ConfigNode&) {}
  double sigma(double g, double g_max) const override {
    double x = g / g_max;
    double sigma_us = std::max(-1.1731 * x * x + 1.9650 * x + 0.2635, 0.0);
    return sigma_us * kMicro * (g_max / (25.0 * kMicro));
  }
};

// CrossSim SONOS charge-trap programming spread at day 0 (Agrawal et al., IEDM 2022):
// sigma_I = A (1 - exp(-I / B)), A = 19.9 nA, B = 176 nA.
class SonosProgramming final : public DeviceNoise {
 public:
  explicit SonosProgramming(const ConfigNode&) {}
  double sigma(double i, double) const override {
    return 19.9 * kNano * (1.0 - std::exp(-i / (176.0 * kNano)));
  }
};

// CrossSim SONOS read noise (Agrawal et al., IEDM 2022): A = 12.58 nA, B = 215.4 nA.
class SonosRead final : public DeviceNoise {
 public:
  explicit SonosRead(const ConfigNode&) {}
  double sigma(double i, double) const override {
    return 12.58 * kNano * (1.0 - std::exp(-i / (215.4 * kNano)));
  }
};

}  // namespace

CIMSIM_REGISTER(DeviceNoise, NoNoise, "none", "an ideal device");
CIMSIM_REGISTER(DeviceNoise, RramMilo, "rram_milo", "CrossSim RRAMMilo fit (IRPS 2021)");
CIMSIM_REGISTER(DeviceNoise, RramWan, "rram_wan", "CrossSim RRAMWan fit to NeuRRAM (Nature 2022)");
CIMSIM_REGISTER(DeviceNoise, PcmNandakumar, "pcm_nandakumar", "aihwkit PCM programming noise");
CIMSIM_REGISTER(DeviceNoise, SonosProgramming, "sonos_programming",
                "CrossSim SONOS programming spread");
CIMSIM_REGISTER(DeviceNoise, SonosRead, "sonos_read", "CrossSim SONOS read noise");

std::shared_ptr<const DeviceNoise> make_device_noise(const ConfigNode& card,
                                                     const std::string& key) {
  if (!card.has(key)) return std::make_shared<NoNoise>(card);
  return Registry<DeviceNoise>::instance().create(card, key);
}

}  // namespace cimsim
