#include "hw/mesh/traffic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "models/core/error.hpp"

namespace cimsim {

TrafficPattern parse_traffic_pattern(const std::string& name) {
  if (name == "uniform") return TrafficPattern::uniform;
  if (name == "transpose") return TrafficPattern::transpose;
  if (name == "hotspot") return TrafficPattern::hotspot;
  throw UserError(fmt::format(
      "error: unknown traffic pattern '{}': expected one of uniform, transpose, hotspot", name));
}

const char* to_string(TrafficPattern pattern) {
  switch (pattern) {
    case TrafficPattern::uniform: return "uniform";
    case TrafficPattern::transpose: return "transpose";
    case TrafficPattern::hotspot: return "hotspot";
  }
  return "?";
}

void TrafficSpec::validate(int k_x, int k_y) const {
  if (!(injection_rate >= 0.0 && injection_rate <= 1.0))
    throw UserError(
        fmt::format("error: injection rate {} is not in [0, 1] flits per node per cycle (a node "
                    "injects at most "
                    "one flit per cycle)",
                    injection_rate));
  if (packet_flits < 1 || packet_flits > 65535)
    throw UserError(fmt::format("error: packet size {} flits is not in 1..65535", packet_flits));
  if (pattern == TrafficPattern::transpose && k_x != k_y)
    throw UserError(
        fmt::format("error: transpose traffic needs a square mesh, not {}x{}", k_x, k_y));
  if (pattern == TrafficPattern::hotspot) {
    if (!(hotspot_fraction >= 0.0 && hotspot_fraction <= 1.0))
      throw UserError(fmt::format("error: hotspot fraction {} is not in [0, 1]", hotspot_fraction));
    if (hotspot_node >= k_x * k_y)
      throw UserError(
          fmt::format("error: hotspot node {} is not in 0..{}", hotspot_node, k_x * k_y - 1));
  }
}

DestinationPicker::DestinationPicker(const TrafficSpec& spec, int k_x, int k_y, int source)
    : pattern_(spec.pattern), nodes_(k_x * k_y), source_(source) {
  sends_ = nodes_ > 1;
  switch (pattern_) {
    case TrafficPattern::uniform: break;
    case TrafficPattern::transpose: {
      const int x = source % k_x, y = source / k_x;
      fixed_ = x * k_x + y;
      sends_ = fixed_ != source;
      break;
    }
    case TrafficPattern::hotspot: {
      fixed_ = spec.resolved_hotspot(k_x, k_y);
      const double f = fixed_ == source ? 0.0 : spec.hotspot_fraction;
      hotspot_threshold_ = f >= 1.0 ? UINT64_MAX : static_cast<std::uint64_t>(std::ldexp(f, 64));
      break;
    }
  }
}

int DestinationPicker::pick(std::mt19937_64& rng) const {
  if (pattern_ == TrafficPattern::transpose) return fixed_;
  if (pattern_ == TrafficPattern::hotspot && hotspot_threshold_ != 0 && rng() < hotspot_threshold_)
    return fixed_;
  int d = static_cast<int>(draw_below(rng, static_cast<std::uint64_t>(nodes_ - 1)));
  return d >= source_ ? d + 1 : d;
}

namespace {

// Probability that source s sends a packet to d, for every pair (row-major s * N + d).
std::vector<double> destination_matrix(const TrafficSpec& spec, int k_x, int k_y) {
  const int n = k_x * k_y;
  std::vector<double> m(static_cast<size_t>(n) * n, 0.0);
  for (int s = 0; s < n; ++s) {
    DestinationPicker picker(spec, k_x, k_y, s);
    if (!picker.sends()) continue;
    double* row = &m[static_cast<size_t>(s) * n];
    if (spec.pattern == TrafficPattern::transpose) {
      row[(s % k_x) * k_x + s / k_x] = 1.0;
      continue;
    }
    double hot = 0.0;
    int h = -1;
    if (spec.pattern == TrafficPattern::hotspot) {
      h = spec.resolved_hotspot(k_x, k_y);
      hot = h == s ? 0.0 : spec.hotspot_fraction;
    }
    for (int d = 0; d < n; ++d)
      if (d != s) row[d] = (1.0 - hot) / (n - 1);
    if (h >= 0 && h != s) row[h] += hot;
  }
  return m;
}

}  // namespace

double expected_mean_hops(const TrafficSpec& spec, int k_x, int k_y) {
  const int n = k_x * k_y;
  const auto m = destination_matrix(spec, k_x, k_y);
  double hops = 0.0, weight = 0.0;
  for (int s = 0; s < n; ++s)
    for (int d = 0; d < n; ++d) {
      const double p = m[static_cast<size_t>(s) * n + d];
      if (p == 0.0) continue;
      hops += p * (std::abs(s % k_x - d % k_x) + std::abs(s / k_x - d / k_x));
      weight += p;
    }
  return weight > 0 ? hops / weight : 0.0;
}

double dally_towles_uniform_hops(int k_x, int k_y) {
  return (k_x * k_x - 1.0) / (3.0 * k_x) + (k_y * k_y - 1.0) / (3.0 * k_y);
}

double ideal_saturation_rate(const TrafficSpec& spec, int k_x, int k_y) {
  const int n = k_x * k_y;
  const auto m = destination_matrix(spec, k_x, k_y);
  // Load per unit injection rate on each directed link (node, direction) and ejection port.
  std::vector<double> link(static_cast<size_t>(n) * 4, 0.0), eject(n, 0.0);
  double max_load = 0.0;
  for (int s = 0; s < n; ++s) {
    double out = 0.0;
    for (int d = 0; d < n; ++d) {
      const double p = m[static_cast<size_t>(s) * n + d];
      if (p == 0.0) continue;
      out += p;
      eject[d] += p;
      int x = s % k_x, y = s / k_x;
      const int dx = d % k_x, dy = d / k_x;
      while (x != dx) {
        const int dir = x < dx ? 0 : 1;  // east, west
        link[(static_cast<size_t>(y) * k_x + x) * 4 + dir] += p;
        x += x < dx ? 1 : -1;
      }
      while (y != dy) {
        const int dir = y < dy ? 2 : 3;  // north, south
        link[(static_cast<size_t>(y) * k_x + x) * 4 + dir] += p;
        y += y < dy ? 1 : -1;
      }
    }
    max_load = std::max(max_load, out);  // injection channel
  }
  for (double l : link) max_load = std::max(max_load, l);
  for (double e : eject) max_load = std::max(max_load, e);
  return max_load > 0 ? 1.0 / max_load : 0.0;
}

}  // namespace cimsim
