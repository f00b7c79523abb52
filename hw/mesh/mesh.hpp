// Cycle-level SystemC model of the die-to-die chiplet mesh, with contention.
//
// Each router is an sc_module with one SC_METHOD clocked on the mesh clock's rising edge (the
// mesh is where contention lives, so it is the one place cimsim ticks per cycle; crossbars never
// are). Routers exchange flits and credits only through link pipelines whose latency is at least
// one cycle, so the order in which SystemC runs the routers within a cycle cannot change a
// result: the simulation is deterministic for a seed.
//
// Router micro-architecture (Dally and Towles 2004, ch. 13 and 16), five ports (local, east,
// west, north, south):
// - input-queued, one FIFO of buffer_depth_flits flits per input port, one virtual channel;
// - wormhole: a head flit whose route (XY) is computed asks its output port; a free output is
//   granted round-robin among the requesting inputs and stays held until the tail flit leaves;
// - an output sends a flit only with a credit for the downstream buffer; each popped flit sends
//   a credit back upstream, arriving link_cycles later;
// - a flit may leave a router router_cycles after it was written into the input buffer, then
//   spends link_cycles on the link; at most one flit per input and per output per cycle;
// - the terminal injects one flit per cycle into the local input buffer when it has room, from an
//   unbounded source queue; ejection accepts one flit per cycle.
//
// Zero-load latency of a packet of P flits over H hops, from creation to tail ejection:
//   T0 = H (router_cycles + link_cycles) + router_cycles + (P - 1)
// i.e. H hops, the destination router's traversal into the ejection port, and serialization
// (with buffer_depth_flits >= 2 link_cycles + router_cycles no credit stall slows a lone packet).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hw/mesh/mesh_params.hpp"
#include "hw/mesh/traffic.hpp"

namespace cimsim {

struct MeshRunSpec {
  TrafficSpec traffic;
  std::uint64_t warmup_cycles = 2000;
  std::uint64_t measure_cycles = 10000;
  // After the window, the run goes on (traffic still flowing) until every packet created in the
  // window has arrived or this many more cycles have passed (then `drained` is false).
  std::uint64_t drain_cycles_max = 20000;
  std::uint64_t seed = 1;
};

enum class MeshDirection { east = 0, west = 1, north = 2, south = 3 };
const char* to_string(MeshDirection d);

struct MeshLinkStat {
  int from_x = 0, from_y = 0, to_x = 0, to_y = 0;
  MeshDirection direction = MeshDirection::east;
  std::uint64_t busy_cycles = 0;  // flits sent during the measurement window
  double utilization = 0.0;       // busy_cycles / measure_cycles
};

struct MeshStats {
  int k_x = 0, k_y = 0;
  double offered_rate = 0.0;  // requested injection rate, flits/node/cycle
  std::uint64_t measure_cycles = 0;
  std::uint64_t cycles_simulated = 0;  // warm-up + window + drain

  // Packets created during the measurement window, and how many of them arrived.
  std::uint64_t packets_measured = 0;
  std::uint64_t packets_delivered = 0;
  bool drained = false;  // all measured packets arrived before drain_cycles_max

  double created_rate = 0.0;   // flits created per node per cycle in the window
  double accepted_rate = 0.0;  // flits ejected per node per cycle in the window

  // Over delivered measured packets; latency from creation (incl. source queueing) to the
  // cycle the tail flit is ejected.
  double mean_latency_cycles = 0.0;
  double p50_latency_cycles = 0.0;
  double p99_latency_cycles = 0.0;
  double max_latency_cycles = 0.0;
  double mean_hops = 0.0;
  // Latency minus each packet's own zero-load latency T0(H, P) (see the top of this file): the
  // queueing and contention delay. Never negative; min_excess_cycles is 0 when some packet met
  // no contention.
  double mean_excess_cycles = 0.0;
  double min_excess_cycles = 0.0;
  double zero_load_latency_cycles = 0.0;  // T0 at the measured mean hop count

  std::vector<MeshLinkStat> links;
  std::uint64_t link_flits = 0;  // flit-hops over all links in the window (sum of busy_cycles)
  std::vector<double> router_utilization;  // per node: flits switched / (cycles x output ports)

  // Over the whole run (for throughput of the simulator itself).
  std::uint64_t total_flits_ejected = 0;
  std::uint64_t total_packets_ejected = 0;
};

// Zero-load latency T0 of one packet (see the top of this file).
double mesh_zero_load_latency(const MeshParams& p, double hops, double packet_flits);

// Owns the SystemC modules of one mesh. SystemC allows one elaboration per process, so a process
// constructs at most one MeshSimulation (a second throws InternalError); run() may be called any
// number of times, each call resetting the network and its statistics.
class MeshSimulation {
 public:
  explicit MeshSimulation(const MeshParams& params);
  ~MeshSimulation();
  MeshSimulation(const MeshSimulation&) = delete;
  MeshSimulation& operator=(const MeshSimulation&) = delete;

  const MeshParams& params() const;
  MeshStats run(const MeshRunSpec& spec);

  // Injects the given packets (no synthetic traffic), created at cycles counted from the call,
  // runs until all are delivered (at most max_cycles) and returns each one's tail ejection
  // cycle, counted the same way. For checking models against these routers.
  struct ScriptedPacket {
    int src = 0, dst = 1, flits = 1;
    std::uint64_t created = 0;
  };
  std::vector<std::uint64_t> run_scripted(const std::vector<ScriptedPacket>& packets,
                                          std::uint64_t max_cycles = 1000000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cimsim
