#include "hw/mesh/mesh_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/arch/arch_spec.hpp"
#include "models/core/error.hpp"

namespace cimsim {

namespace {

// Input buffers that cover the credit round trip 2 L + R, so that one packet streams at a flit
// per cycle however long the hop (Dally and Towles 2004, sec. 13.3: a designer sizes them so);
// at least 8 flits, the depth with the default 2-cycle hops.
int buffer_depth_for(int link_cycles, int router_cycles) {
  return std::max(8, 2 * link_cycles + router_cycles);
}

int link_cycles_for(double latency_per_hop_s, double clock_hz) {
  const double hop_cycles = latency_per_hop_s * clock_hz;
  return std::max(1, static_cast<int>(std::ceil(hop_cycles - 1e-9)));
}

}  // namespace

MeshParams MeshParams::from_arch(const ArchSpec& arch) {
  MeshParams p;
  p.k_x = arch.package.mesh_columns;
  p.k_y = arch.package.mesh_rows;
  const double bandwidth = arch.package.link.bandwidth.si;
  const double chip_clock = arch.clock.si;
  const double bits_per_cycle = bandwidth / chip_clock;
  const double whole = std::round(bits_per_cycle);
  if (whole >= 1 && std::abs(bits_per_cycle - whole) <= 1e-9 * whole) {
    p.flit_bits = static_cast<std::int64_t>(whole);
    p.clock_hz = chip_clock;
  } else {
    // Not a whole number of bits per chip cycle (a link slower than the clock, or 1.9 bits a
    // cycle): the routers get a clock of their own, at most the chip's, at which a whole-bit
    // flit per cycle carries exactly the card's bandwidth.
    p.flit_bits = static_cast<std::int64_t>(std::ceil(bits_per_cycle));
    p.clock_hz = bandwidth / static_cast<double>(p.flit_bits);
  }
  p.link_cycles = link_cycles_for(arch.package.link.latency_per_hop.si, p.clock_hz);
  p.buffer_depth_flits = buffer_depth_for(p.link_cycles, p.router_cycles);
  p.energy_per_bit_j = arch.package.link.energy_per_bit.si;
  p.validate();
  return p;
}

MeshParams MeshParams::from_link(double bandwidth_bps, double latency_per_hop_s, int k_x, int k_y) {
  MeshParams p;
  p.k_x = k_x;
  p.k_y = k_y;
  p.clock_hz = bandwidth_bps / static_cast<double>(p.flit_bits);
  p.link_cycles = link_cycles_for(latency_per_hop_s, p.clock_hz);
  p.buffer_depth_flits = buffer_depth_for(p.link_cycles, p.router_cycles);
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
