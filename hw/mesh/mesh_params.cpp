#include "hw/mesh/mesh_params.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/arch/arch_spec.hpp"
#include "models/core/error.hpp"

namespace cimsim {

MeshParams MeshParams::from_arch(const ArchSpec& arch) {
  MeshParams p;
  p.k_x = arch.package.mesh_columns;
  p.k_y = arch.package.mesh_rows;
  p.clock_hz = arch.clock.si;
  const double bits_per_cycle = arch.package.link.bandwidth.si / arch.clock.si;
  p.flit_bits = std::max(1, static_cast<int>(std::floor(bits_per_cycle + 1e-9)));
  const double hop_cycles = arch.package.link.latency_per_hop.si * arch.clock.si;
  p.link_cycles = std::max(1, static_cast<int>(std::ceil(hop_cycles - 1e-9)));
  p.energy_per_bit_j = arch.package.link.energy_per_bit.si;
  p.validate();
  return p;
}

MeshParams MeshParams::from_link(double bandwidth_bps, double latency_per_hop_s, int k_x, int k_y) {
  MeshParams p;
  p.k_x = k_x;
  p.k_y = k_y;
  p.clock_hz = bandwidth_bps / p.flit_bits;
  const double hop_cycles = latency_per_hop_s * p.clock_hz;
  p.link_cycles = std::max(1, static_cast<int>(std::ceil(hop_cycles - 1e-9)));
  p.validate();
  return p;
}

void MeshParams::validate() const {
  auto need = [](bool ok, const char* field, const std::string& what) {
    if (!ok) throw UserError(fmt::format("error: mesh parameter '{}': {}", field, what));
  };
  need(k_x >= 1 && k_x <= 256, "k_x", fmt::format("{} is not in 1..256", k_x));
  need(k_y >= 1 && k_y <= 256, "k_y", fmt::format("{} is not in 1..256", k_y));
  need(flit_bits >= 1, "flit_bits", "must be at least 1 bit");
  need(buffer_depth_flits >= 1 && buffer_depth_flits <= 4096, "buffer_depth_flits",
       fmt::format("{} is not in 1..4096", buffer_depth_flits));
  need(router_cycles >= 1 && router_cycles <= 1000, "router_cycles",
       fmt::format("{} is not in 1..1000", router_cycles));
  need(link_cycles >= 1 && link_cycles <= 1000, "link_cycles",
       fmt::format("{} is not in 1..1000 (a link takes at least one cycle)", link_cycles));
  need(clock_hz > 0 && std::isfinite(clock_hz), "clock_hz", "must be a positive frequency");
}

}  // namespace cimsim
