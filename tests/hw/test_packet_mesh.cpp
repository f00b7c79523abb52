// The packet-level mesh of the chip replay (hw/mesh/packet_mesh.hpp) against closed forms:
// zero-load latency, credit throttling by a buffer shorter than the credit round trip, and
// backpressure with head-of-line blocking through a finite buffer.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "hw/mesh/mesh.hpp"
#include "hw/mesh/packet_mesh.hpp"

using namespace cimsim;

namespace {

MeshParams params(int k_x, int k_y, int depth) {
  MeshParams p;  // router_cycles 3, link_cycles 2 (the defaults: UCIe 2 ns hops at 1 GHz)
  p.k_x = k_x;
  p.k_y = k_y;
  p.buffer_depth_flits = depth;
  return p;
}

}  // namespace

TEST_CASE("packet mesh: a lone packet takes the zero-load latency T0", "[packet_mesh]") {
  // T0 = H (R + L) + R + (P - 1) whenever the buffer covers the credit round trip 2L + R = 7.
  for (int depth : {7, 8, 64}) {
    for (int flits : {1, 4, 24, 100}) {
      for (int dst : {1, 3, 5, 15}) {  // H = 1, 3, 2, 6 on a 4x4 mesh from node 0
        PacketMesh mesh(params(4, 4, depth));
        const std::uint64_t created = 1000;
        const int hops = dst % 4 + dst / 4;
        const std::uint64_t tail = mesh.send(0, dst, flits, created);
        INFO("depth " << depth << " flits " << flits << " dst " << dst);
        CHECK(tail - created == static_cast<std::uint64_t>(hops * (3 + 2) + 3 + (flits - 1)));
        CHECK(tail - created ==
              static_cast<std::uint64_t>(mesh_zero_load_latency(mesh.params(), hops, flits)));
        CHECK(mesh.excess_cycles() == 0);
        std::uint64_t blocked = 0, switched = 0;
        for (const auto& r : mesh.routers()) {
          blocked += r.blocked_flit_cycles;
          switched += r.flits_switched;
        }
        CHECK(blocked == 0);
        CHECK(switched == static_cast<std::uint64_t>(flits * (hops + 1)));
      }
    }
  }
}

TEST_CASE("packet mesh: a buffer shorter than the credit round trip throttles a packet",
          "[packet_mesh]") {
  // One hop, B < 2L + R = 7: flit f leaves the source router at
  // R + floor(f / B) (2L + R) + f mod B (a credit comes back 2L + R after the flit B ahead left),
  // and is ejected L + R later (Dally and Towles 2004, sec. 13.3). B >= R + 1 keeps the local
  // buffer out of the way.
  for (int depth : {4, 5, 6}) {
    for (int flits : {1, 4, 9, 24}) {
      PacketMesh mesh(params(2, 1, depth));
      const std::uint64_t tail = mesh.send(0, 1, flits, 0);
      const int f = flits - 1;
      INFO("depth " << depth << " flits " << flits);
      CHECK(tail == static_cast<std::uint64_t>(3 + f / depth * 7 + f % depth + 2 + 3));
    }
  }
}

TEST_CASE("packet mesh: backpressure and head-of-line blocking through a buffer of B flits",
          "[packet_mesh]") {
  // A 4x1 mesh, nodes 0..3 west to east; stream(f) = floor(f / B) max(B, 2L + R) + f mod B is
  // when flit f of a stream leaves a router after its first (one flit per cycle, or B flits per
  // credit round trip 2L + R = 7 when B is shorter than it). Sent in this order:
  //   A: 1 -> 2, 20 flits, created at 0: meets nobody, its tail ejected at node 2 at
  //      a = R + stream(19) + L + R (T0 when B >= 7);
  //   B: 3 -> 2, 16 flits, created at 1: its head is eligible at router 2 at 9, after A's (8),
  //      and waits for the ejection port A holds: it leaves at s = a + 1. Meanwhile its flits
  //      fill router 2's east buffer (B flits) and credits stop router 3; flit f is ejected at
  //      s + stream(f);
  //   C: 3 -> 1, one flit, created at 1, behind B: router 2's west port is free all along, but C
  //      sits behind B in router 2's east buffer (head-of-line blocking) and needs B's credits:
  //      it leaves router 2 as flit 16 of that FIFO, at s + stream(16), and is ejected at node 1
  //      L + R later.
  // B >= R + 1 keeps each source's local buffer out of the way.
  for (int depth : {4, 5, 6, 7, 8, 16}) {
    PacketMesh mesh(params(4, 1, depth));
    const auto stream = [&](int f) { return f / depth * std::max(depth, 7) + f % depth; };
    const std::uint64_t a = mesh.send(1, 2, 20, 0);
    const std::uint64_t b = mesh.send(3, 2, 16, 1);
    const std::uint64_t c = mesh.send(3, 1, 1, 1);
    const int s = 3 + stream(19) + 2 + 3 + 1;
    INFO("depth " << depth);
    CHECK(a == static_cast<std::uint64_t>(s - 1));
    if (depth >= 7) CHECK(a == 1 * 5 + 3 + 19u);  // T0(1 hop, 20 flits)
    CHECK(b == static_cast<std::uint64_t>(s + stream(15)));
    CHECK(c == static_cast<std::uint64_t>(s + stream(16) + 2 + 3));
    // Their latency over T0 (1 hop 20 flits, 1 hop 16 flits, 2 hops 1 flit) is what the
    // routers added.
    const std::uint64_t excess = (a - 27) + (b - 1 - (5 + 3 + 15)) + (c - 1 - (2 * 5 + 3));
    CHECK(mesh.excess_cycles() == excess);
    // Router 2 held B's head from 9, when it was eligible, to s.
    CHECK(mesh.routers()[2].blocked_flit_cycles >= static_cast<std::uint64_t>(s - 9));
    CHECK(mesh.routers()[0].buffered_flit_cycles == 0);
  }
}

TEST_CASE("packet mesh: booking packets and streaming tails at once equals flit by flit",
          "[packet_mesh]") {
  // Random packets (seeded) in creation order on a 4x4 mesh, light to saturating load: the
  // fast paths (a packet that meets nothing streams at T0; a packet's flits, once they stream
  // one a cycle behind contention, keep doing so) and the flit-by-flit recurrence give the
  // same tail of every packet and the same router statistics.
  // Depth 5 is below the credit round trip of 7: no packet streams at T0, and the tails are
  // throttled by credits.
  for (int depth : {5, 7, 8, 16}) {
    for (int gap : {1, 8, 40}) {
      PacketMesh fast(params(4, 4, depth)), slow(params(4, 4, depth));
      slow.set_fast_path(false);
      std::mt19937_64 rng(42);
      std::uint64_t now = 0;
      for (int i = 0; i < 3000; ++i) {
        now += rng() % gap;
        const int src = static_cast<int>(rng() % 16);
        int dst = static_cast<int>(rng() % 15);
        if (dst >= src) ++dst;
        // Up to 80 flits: packets longer than twice the buffer reach the steady stream that
        // is booked at once behind contention.
        const int flits = 1 + static_cast<int>(rng() % 80);
        INFO("depth " << depth << " gap " << gap << " packet " << i);
        REQUIRE(fast.send(src, dst, flits, now) == slow.send(src, dst, flits, now));
      }
      CHECK(fast.excess_cycles() == slow.excess_cycles());
      if (gap == 1) CHECK(slow.excess_cycles() > 0);  // contention happened
      CHECK(slow.packets_booked_at_once() == 0);
      CHECK(slow.tails_booked_at_once() == 0);
      if (depth >= 7 && gap == 1) CHECK(fast.tails_booked_at_once() > 0);
      if (depth >= 7) CHECK(fast.packets_booked_at_once() > 0);
      if (depth >= 7 && gap == 40) CHECK(fast.packets_booked_at_once() > 1500);
      for (int n = 0; n < 16; ++n) {
        const auto& a = fast.routers()[n];
        const auto& b = slow.routers()[n];
        CHECK(a.buffered_flit_cycles == b.buffered_flit_cycles);
        CHECK(a.blocked_flit_cycles == b.blocked_flit_cycles);
        CHECK(a.flits_switched == b.flits_switched);
        for (int d = 0; d < 4; ++d) CHECK(a.link_flits[d] == b.link_flits[d]);
      }
    }
  }
}
