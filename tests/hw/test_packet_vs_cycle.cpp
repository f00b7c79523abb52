// The replay's packet-level routers (PacketMesh) against the cycle-level SystemC routers of
// hw/mesh driven with the same scripted packets: the same tail ejection cycle for every packet,
// wherever the two arbitrate alike (no two heads asking for one output in the same cycle). Each
// TEST_CASE is its own process: SystemC elaborates one mesh per process.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "hw/mesh/mesh.hpp"
#include "hw/mesh/packet_mesh.hpp"

using namespace cimsim;

namespace {

using Script = std::vector<MeshSimulation::ScriptedPacket>;

// Scripts in creation order whose contention the first-sent-first-served rule orders as the
// cycle-level round-robin does (a later packet's head is never at a shared output first). Where
// it is, the two differ: 0 -> 3, 1 -> 3, 2 -> 3, 30 flits each, created at 0, 4, 9 leave the
// cycle-level routers at 106, 76, 46 (the nearest source's head reaches the shared port first)
// and the packet model at 47, 77, 107 (first sent, first served).
std::vector<Script> scripts() {
  return {
      // lone packets, 1 to 6 hops, 1 to 40 flits
      {{0, 1, 1, 0}},
      {{0, 15, 40, 0}},
      {{5, 3, 24, 7}},
      // three packets: A holds node 2's ejection, B backs up behind it, C is stuck behind B
      // (tests/hw/test_packet_mesh.cpp derives the closed form)
      {{1, 2, 20, 0}, {3, 2, 16, 1}, {3, 1, 1, 1}},
      // one source, a burst of packets to different destinations (source queueing)
      {{0, 3, 24, 0}, {0, 12, 24, 0}, {0, 15, 24, 0}, {0, 1, 8, 0}},
      // a chain of row transfers along a snake, as the replay sends them
      {{0, 1, 24, 0},
       {1, 2, 24, 10},
       {2, 3, 24, 20},
       {3, 7, 24, 30},
       {0, 1, 24, 30},
       {7, 6, 24, 40},
       {1, 2, 24, 45}},
      // two streams merging onto one link, the second's head arriving while the first holds it
      {{0, 3, 30, 0}, {1, 3, 30, 10}},
  };
}

void compare(int depth) {
  MeshParams p;  // 4x4, R = 3, L = 2
  p.buffer_depth_flits = depth;
  MeshSimulation cycle_level(p);
  for (const Script& script : scripts()) {
    const std::vector<std::uint64_t> want = cycle_level.run_scripted(script);
    PacketMesh packets(p);
    for (size_t i = 0; i < script.size(); ++i) {
      const auto& pk = script[i];
      INFO("depth " << depth << ", packet " << i << " of a script of " << script.size() << ": "
                    << pk.src << " -> " << pk.dst << ", " << pk.flits << " flits at "
                    << pk.created);
      CHECK(packets.send(pk.src, pk.dst, pk.flits, pk.created) == want[i]);
    }
  }
}

}  // namespace

TEST_CASE("packet routers equal the cycle-level routers with 8-flit buffers", "[packet_mesh]") {
  compare(8);
}

TEST_CASE("packet routers equal the cycle-level routers with 5-flit buffers (credit-throttled)",
          "[packet_mesh]") {
  compare(5);
}
