// Synthetic traffic for the mesh (Dally and Towles 2004, sec. 3.2 and 23.1).
//
// Each node injects packets by a Bernoulli process: in every cycle a new packet is created with
// probability injection_rate / packet_flits, so the offered load is injection_rate flits per
// node per cycle. Destinations follow a pattern:
// - uniform: a node other than the source, each equally likely (self-traffic is excluded, so the
//   mean hop count is N/(N-1) times the textbook figure that includes self, see below);
// - transpose: (x, y) -> (y, x) on a square mesh; nodes on the diagonal stay silent;
// - hotspot: with probability hotspot_fraction the hotspot node, otherwise uniform (the hotspot
//   node itself always sends uniform traffic).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace cimsim {

enum class TrafficPattern { uniform, transpose, hotspot };

// "uniform" | "transpose" | "hotspot"; throws UserError listing the choices otherwise.
TrafficPattern parse_traffic_pattern(const std::string& name);
const char* to_string(TrafficPattern pattern);

struct TrafficSpec {
  TrafficPattern pattern = TrafficPattern::uniform;
  double injection_rate = 0.1;  // offered load, flits per node per cycle, in [0, 1]
  int packet_flits = 4;         // flits per packet (head ... tail)
  double hotspot_fraction = 0.2;
  int hotspot_node = -1;  // node id y * k_x + x; -1 = the centre node (k_x / 2, k_y / 2)

  void validate(int k_x, int k_y) const;  // UserError on a bad value
  int resolved_hotspot(int k_x, int k_y) const {
    return hotspot_node >= 0 ? hotspot_node : (k_y / 2) * k_x + k_x / 2;
  }
};

// Picks destinations for one source node. Deterministic given the generator's state.
class DestinationPicker {
 public:
  DestinationPicker() = default;
  DestinationPicker(const TrafficSpec& spec, int k_x, int k_y, int source);
  // False when this node never sends under the pattern (transpose diagonal, 1-node mesh).
  bool sends() const { return sends_; }
  int pick(std::mt19937_64& rng) const;

 private:
  TrafficPattern pattern_ = TrafficPattern::uniform;
  int nodes_ = 1;
  int source_ = 0;
  int fixed_ = -1;                       // transpose partner or hotspot
  std::uint64_t hotspot_threshold_ = 0;  // rng() below this picks the hotspot
  bool sends_ = false;
};

// Uniform integer in [0, n) from one 64-bit draw (multiply-shift; same on every platform).
inline std::uint64_t draw_below(std::mt19937_64& rng, std::uint64_t n) {
  __extension__ using Wide = unsigned __int128;
  return static_cast<std::uint64_t>((static_cast<Wide>(rng()) * n) >> 64);
}

// Exact mean minimal (XY) hop count of the pattern, every sending node injecting equally.
double expected_mean_hops(const TrafficSpec& spec, int k_x, int k_y);

// Dally and Towles' mean hop count for uniform traffic that includes self-traffic:
// (k_x^2 - 1) / (3 k_x) + (k_y^2 - 1) / (3 k_y), i.e. 2 (k^2 - 1) / (3k) on a k x k mesh.
double dally_towles_uniform_hops(int k_x, int k_y);

// Ideal throughput: 1 / (largest channel load per unit injection) under XY routing, counting
// mesh links and the injection and ejection channels (Dally and Towles 2004, sec. 3.3). For
// uniform traffic with self-traffic on an even k x k mesh this is the bisection bound 4/k.
double ideal_saturation_rate(const TrafficSpec& spec, int k_x, int k_y);

}  // namespace cimsim
