// Parameters of the die-to-die chiplet mesh model (hw/mesh).
//
// Model assumptions (see mesh.cpp for the cycle-level behaviour):
// - A k_x by k_y 2-D mesh, one chiplet (terminal) per router, dimension-order XY routing.
// - Wormhole flow control with one virtual channel per port, finite input buffers of
//   `buffer_depth_flits` flits and credit-based backpressure (Dally and Towles, "Principles and
//   Practices of Interconnection Networks", 2004, ch. 13 and 16).
// - One flit per link per direction per cycle: link bandwidth = flit_bits x clock.
// - A flit spends `router_cycles` in each router it passes (route computation, switch allocation,
//   switch traversal) and `link_cycles` on each link. Credits travel back in `link_cycles`.
//
// Defaults and their sources:
// - clock: the architecture's clock (configs/arch/*.yaml, 1 GHz in the shipped ones).
// - flit_bits: link bandwidth / clock, so that one flit per cycle carries the link card's
//   bandwidth (UCIe standard x16: 256 Gb/s at 1 GHz = 256 bits). Where that is not a whole
//   number of bits, flit_bits rounds up and the routers run at bandwidth / flit_bits, a clock of
//   their own below the chip's: the simulated link always carries the card's bandwidth.
// - link_cycles: ceil(latency_per_hop x clock) from the link card (UCIe: 2 ns -> 2 cycles).
// - router_cycles = 3: a wormhole router's RC, SA, ST stages (Dally and Towles 2004, sec. 16.2
//   gives RC, VA, SA, ST for a virtual-channel router; wormhole needs no VC allocation).
// - buffer_depth_flits = max(8, 2 x link_cycles + router_cycles): covers the credit round trip
//   (7 cycles with the defaults), so a single packet streams at one flit per cycle however long
//   the hop (Dally and Towles 2004, sec. 13.3: buffers shorter than the credit round trip
//   throttle a link, so a designer sizes them to it).
#pragma once

#include <cstdint>
#include <string>

namespace cimsim {

struct ArchSpec;

struct MeshParams {
  int k_x = 4;                   // routers per row (mesh columns)
  int k_y = 4;                   // routers per column (mesh rows)
  std::int64_t flit_bits = 256;  // bits per flit = bits per link per cycle
  int buffer_depth_flits = 8;    // input buffer depth per port, flits
  int router_cycles = 3;  // cycles from a flit's arrival in a router to its earliest departure
  int link_cycles = 2;    // cycles on a link (and for a credit to travel back)
  double clock_hz = 1e9;  // router and link clock
  double energy_per_bit_j = 0.5e-12;  // link energy per bit per hop (reported, not simulated)

  int nodes() const { return k_x * k_y; }
  double clock_period_s() const { return 1.0 / clock_hz; }
  double link_bandwidth_bits_per_s() const { return static_cast<double>(flit_bits) * clock_hz; }

  // Mesh size, clock, flit width, link latency and energy from the architecture's package card;
  // router_cycles keeps its default and the buffers cover the credit round trip.
  static MeshParams from_arch(const ArchSpec& arch);

  // The same from a link's bandwidth and per-hop latency alone (a cost table carries no clock):
  // flit_bits keeps its default and the clock is bandwidth / flit_bits, so that one flit per
  // cycle carries the bandwidth; link_cycles = ceil(latency_per_hop x clock).
  static MeshParams from_link(double bandwidth_bps, double latency_per_hop_s, int k_x, int k_y);

  // Throws UserError naming the bad field when a value is out of range.
  void validate() const;
};

}  // namespace cimsim
