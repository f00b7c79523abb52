// Readable and machine-readable reports of mesh runs.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "hw/mesh/mesh.hpp"

namespace cimsim {

// Heatmap-ready CSV of link utilization, one row per directed link:
//   from_x,from_y,to_x,to_y,direction,utilization
// direction is E (+x), W (-x), N (+y) or S (-y); utilization = busy cycles / measured cycles.
void write_link_utilization_csv(const MeshStats& stats, std::ostream& out);
void write_link_utilization_csv(const MeshStats& stats, const std::string& path);  // UserError

// A saturated (unstable) operating point: packets created in the window did not all arrive, the
// network accepted less than 95% of what was created, or the mean latency exceeds three times
// the zero-load latency.
bool mesh_saturated(const MeshStats& stats);

// One row per run: offered and accepted rate, latency (mean, p99), zero-load latency, hops.
void print_mesh_table(const std::vector<MeshStats>& runs, std::ostream& out);

// Router utilization as a k_y x k_x grid (north row first), and the busiest links.
void print_mesh_utilization(const MeshStats& stats, std::ostream& out);

}  // namespace cimsim
