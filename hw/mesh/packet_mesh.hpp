// Packet-level model of the die-to-die mesh's routers, for the loosely-timed chip replay.
//
// The cycle-level mesh (mesh.hpp) ticks every router on every clock edge; a workload replay
// spans millions of cycles and is driven by a time-ordered dispatcher that must know when a
// transfer arrives as soon as it sends it. This model keeps the same routers (MeshParams: XY
// routing, wormhole with one virtual channel, input buffers of buffer_depth_flits flits with
// credit backpressure, router_cycles per router, link_cycles per link and per credit, one flit
// per input, per output and per link per cycle, one flit per cycle injected from an unbounded
// source queue) but computes each packet's flit times when it is sent, with the recurrence the
// cycle-level routers obey (Dally and Towles 2004, ch. 13 and 16):
//
//   a flit written into an input buffer at cycle w may leave it at the earliest cycle d with
//     d >= w + router_cycles,
//     d >= the departure of the flit ahead of it in the same buffer + 1   (FIFO: head-of-line),
//     d >= the output port's last departure + 1 for a head flit            (wormhole: the port
//                                                                           is held to the tail),
//     d >= departure of the flit buffer_depth_flits ahead of it in the downstream buffer
//          + link_cycles                                                   (credit backpressure),
//   and is written downstream at d + link_cycles. A source writes a flit into its local buffer
//   one cycle after the one buffer_depth_flits ahead of it left (the terminal sees the freed slot
//   the next cycle), and at most one flit per cycle. The destination ejects without backpressure.
//
// Flits are computed flit by flit, router by router along the route: every term above refers to
// an earlier flit, so one pass gives exact times. The one abstraction: packets take ports in
// the order they are sent (the dispatcher sends in time order, ties in graph order), where the
// cycle-level routers grant round-robin among the heads present in a cycle. A packet sent later
// never overtakes an earlier one at a shared port, even where its head would have arrived
// first. Where it could not have, both give the same times: tests/hw/test_packet_vs_cycle.cpp
// drives the cycle-level routers and this model with the same scripted packets and gets the same
// tail cycle for each; tests/hw/test_packet_mesh.cpp checks closed forms of credit throttling,
// backpressure and head-of-line blocking. Zero-load latency of a P-flit packet over H
// hops: T0 = H (router_cycles + link_cycles) + router_cycles + (P - 1), as in mesh.hpp.
//
// Per router the model books the flit-cycles flits spent in its input buffers (mean occupancy by
// Little's law: flit-cycles / elapsed cycles) and the part of them beyond the router pipeline
// (blocked: waiting for an output held by another packet, for a credit, or behind a blocked flit
// of another packet in the same FIFO).
#pragma once

#include <cstdint>
#include <vector>

#include "hw/mesh/mesh_params.hpp"

namespace cimsim {

struct PacketRouterStats {
  std::uint64_t buffered_flit_cycles = 0;  // sum over flits of (departure - write)
  std::uint64_t blocked_flit_cycles = 0;   // sum over flits of (departure - write - router_cycles)
  std::uint64_t flits_switched = 0;        // flits through any output port (ejection included)
  std::uint64_t link_flits[4] = {0, 0, 0, 0};  // flits sent east, west, north, south
};

class PacketMesh {
 public:
  explicit PacketMesh(const MeshParams& params);

  // Sends a packet of `flits` flits (>= 1) from node src to node dst (node = y k_x + x, src !=
  // dst), created at cycle `created`; returns the cycle its tail flit is ejected. Packets are
  // served in the order they are sent.
  std::uint64_t send(int src, int dst, std::uint64_t flits, std::uint64_t created);

  // A packet that meets nothing on its route (every buffer, port and credit it needs is free
  // when its head gets there) streams at T0; with buffers that cover the credit round trip
  // (buffer_depth_flits >= 2 link_cycles + router_cycles) the model then books it at once
  // instead of flit by flit, with the same result. A packet that does meet others is booked
  // at once from the point where its flits stream one a cycle (see send()). Off: always flit
  // by flit (for tests).
  void set_fast_path(bool on) { fast_path_ = on; }

  const MeshParams& params() const { return p_; }
  const std::vector<PacketRouterStats>& routers() const { return routers_; }
  std::uint64_t packets() const { return packets_; }
  std::uint64_t packets_booked_at_once() const { return fast_packets_; }
  // Packets whose last flits were booked at once once they streamed behind contention.
  std::uint64_t tails_booked_at_once() const { return steady_tails_; }
  // Sum over packets of (tail ejection - created - T0(H, P)): the latency contention added.
  std::uint64_t excess_cycles() const { return excess_; }

 private:
  // One input buffer (one FIFO per port): departure cycles of its last buffer_depth_flits
  // flits, indexed by how many flits it has held.
  struct Buffer {
    std::vector<std::uint64_t> departed;  // ring of buffer_depth_flits entries
    std::uint64_t written = 0;            // flits written so far
    std::uint32_t slot = 0;               // written mod buffer_depth_flits: the next flit's entry
    std::uint64_t next_departure = 0;     // the last flit's departure + 1 (FIFO, 1 per cycle)
  };
  Buffer& buffer(int node, int port) { return buffers_[static_cast<size_t>(node) * 5 + port]; }

  MeshParams p_;
  std::vector<Buffer> buffers_;             // node x 5 ports (0 local, then E, W, N, S)
  std::vector<std::uint64_t> port_free_;    // node x 5 outputs: last departure + 1
  std::vector<std::uint64_t> next_inject_;  // per node: its last flit's write cycle + 1
  std::vector<PacketRouterStats> routers_;
  std::uint64_t packets_ = 0, excess_ = 0;
  std::uint64_t fast_packets_ = 0, steady_tails_ = 0;
  bool fast_path_ = true;
  bool streams_ = false;  // buffers cover the credit round trip (and the local one)
  // Scratch per packet: route (router, input port, output port) and buffer indices.
  struct Hop {
    Buffer* buffer;            // the input buffer the packet enters this router by
    std::uint64_t* port_free;  // the output it leaves by
    PacketRouterStats* stats;  // the router's
    int out;                   // that output: 0 ejection, 1..4 E, W, N, S
    std::uint32_t slot;        // the current flit's entry in the buffer's ring
    std::uint64_t write;       // cycle the current flit is written into the buffer
  };
  // Books the packet's last `left` flits, each a cycle behind the one ahead at every router of
  // the `hops`-hop route (route_ holds the flit before them).
  void book_steady_tail(std::uint64_t left, size_t hops);
  std::vector<Hop> route_;
};

}  // namespace cimsim
