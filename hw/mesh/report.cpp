#include "hw/mesh/report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <sstream>

#include "models/core/error.hpp"
#include "models/core/output_file.hpp"

namespace cimsim {

void write_link_utilization_csv(const MeshStats& stats, std::ostream& out) {
  out << "from_x,from_y,to_x,to_y,direction,utilization\n";
  for (const MeshLinkStat& l : stats.links)
    out << fmt::format("{},{},{},{},{},{:.6f}\n", l.from_x, l.from_y, l.to_x, l.to_y,
                       to_string(l.direction), l.utilization);
}

void write_link_utilization_csv(const MeshStats& stats, const std::string& path) {
  std::ostringstream text;
  write_link_utilization_csv(stats, text);
  write_output_file(path, text.str());
}

bool mesh_saturated(const MeshStats& s) {
  if (!s.drained) return true;
  if (s.accepted_rate < 0.95 * s.created_rate) return true;
  return s.packets_delivered > 0 && s.mean_latency_cycles > 3.0 * s.zero_load_latency_cycles;
}

void print_mesh_table(const std::vector<MeshStats>& runs, std::ostream& out) {
  out << fmt::format("{:>8} {:>9} {:>9} {:>10} {:>9} {:>9} {:>7} {:>9} {:>8}  {}\n", "offered",
                     "created", "accepted", "latency", "p99", "zero-load", "hops", "max link",
                     "packets", "status");
  out << fmt::format("{:>8} {:>9} {:>9} {:>10} {:>9} {:>9} {:>7} {:>9} {:>8}\n", "fl/nd/cy",
                     "fl/nd/cy", "fl/nd/cy", "cycles", "cycles", "cycles", "", "util", "");
  for (const MeshStats& s : runs) {
    double max_link = 0.0;
    for (const auto& l : s.links) max_link = std::max(max_link, l.utilization);
    if (s.packets_delivered == 0) {
      // Nothing to average: no latency, hops or zero-load figure to show.
      out << fmt::format("{:>8.4f} {:>9.4f} {:>9.4f} {:>10} {:>9} {:>9} {:>7} {:>9.3f} {:>8}  {}\n",
                         s.offered_rate, s.created_rate, s.accepted_rate, "-", "-", "-", "-",
                         max_link, 0,
                         s.drained ? "no packet created in the window" : "saturated (not drained)");
      continue;
    }
    const char* status = !s.drained          ? "saturated (not drained)"
                         : mesh_saturated(s) ? "saturated"
                                             : "ok";
    out << fmt::format(
        "{:>8.4f} {:>9.4f} {:>9.4f} {:>10.2f} {:>9.0f} {:>9.2f} {:>7.3f} {:>9.3f} "
        "{:>8}  {}\n",
        s.offered_rate, s.created_rate, s.accepted_rate, s.mean_latency_cycles,
        s.p99_latency_cycles, s.zero_load_latency_cycles, s.mean_hops, max_link,
        s.packets_delivered, status);
  }
}

void print_mesh_utilization(const MeshStats& s, std::ostream& out) {
  out << fmt::format(
      "router utilization at offered {:.4f} (flits switched / (cycles x ports)), "
      "north row first:\n",
      s.offered_rate);
  for (int y = s.k_y - 1; y >= 0; --y) {
    out << fmt::format("  y={:<3}", y);
    for (int x = 0; x < s.k_x; ++x)
      out << fmt::format(" {:6.3f}", s.router_utilization[static_cast<size_t>(y) * s.k_x + x]);
    out << "\n";
  }
  std::vector<MeshLinkStat> links = s.links;
  std::stable_sort(links.begin(), links.end(),
                   [](const auto& a, const auto& b) { return a.utilization > b.utilization; });
  out << "busiest links:";
  for (std::size_t i = 0; i < std::min<std::size_t>(4, links.size()); ++i)
    out << fmt::format(" ({},{})->({},{}) {} {:.3f};", links[i].from_x, links[i].from_y,
                       links[i].to_x, links[i].to_y, to_string(links[i].direction),
                       links[i].utilization);
  out << "\n";
}

}  // namespace cimsim
