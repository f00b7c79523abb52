#include "hw/mesh/packet_mesh.hpp"

#include <algorithm>

#include "hw/mesh/mesh.hpp"
#include "models/core/error.hpp"

namespace cimsim {

namespace {
constexpr int kLocal = 0, kEast = 1, kWest = 2, kNorth = 3, kSouth = 4;
constexpr int opposite(int port) {
  return port == kEast ? kWest : port == kWest ? kEast : port == kNorth ? kSouth : kNorth;
}
}  // namespace

PacketMesh::PacketMesh(const MeshParams& params) : p_(params) {
  p_.validate();
  const size_t n = static_cast<size_t>(p_.nodes());
  buffers_.resize(n * 5);
  for (auto& b : buffers_) b.departed.assign(static_cast<size_t>(p_.buffer_depth_flits), 0);
  port_free_.assign(n * 5, 0);
  next_inject_.assign(n, 0);
  routers_.assign(n, {});
}

std::uint64_t PacketMesh::send(int src, int dst, int flits, std::uint64_t created) {
  const int nodes = p_.nodes();
  if (src < 0 || src >= nodes || dst < 0 || dst >= nodes || src == dst || flits < 1)
    panic("PacketMesh::send: a packet needs two distinct nodes of the mesh and at least one flit");
  // XY route: (router, input port, output port) for every router from src to dst.
  route_.clear();
  int x = src % p_.k_x, y = src / p_.k_x;
  const int tx = dst % p_.k_x, ty = dst / p_.k_x;
  int in = kLocal;
  while (true) {
    const int out = tx > x ? kEast : tx < x ? kWest : ty > y ? kNorth : ty < y ? kSouth : kLocal;
    route_.push_back({y * p_.k_x + x, in, out, 0, 0});
    if (out == kLocal) break;
    x += out == kEast ? 1 : out == kWest ? -1 : 0;
    y += out == kNorth ? 1 : out == kSouth ? -1 : 0;
    in = opposite(out);
  }
  const size_t hops = route_.size() - 1;
  const std::uint64_t depth = static_cast<std::uint64_t>(p_.buffer_depth_flits);
  const std::uint64_t R = static_cast<std::uint64_t>(p_.router_cycles);
  const std::uint64_t L = static_cast<std::uint64_t>(p_.link_cycles);
  std::uint64_t tail = 0;
  for (int f = 0; f < flits; ++f) {
    // The terminal writes the flit into its router's local buffer.
    Hop& first = route_[0];
    Buffer& local = buffer(first.node, kLocal);
    std::uint64_t w = std::max(created, next_inject_[src]);
    if (local.written >= depth) w = std::max(w, local.departed[local.written % depth] + 1);
    next_inject_[src] = w + 1;
    first.index = local.written++;
    first.write = w;
    for (size_t j = 0; j <= hops; ++j) {
      Hop& h = route_[j];
      Buffer& b = buffer(h.node, h.in);
      std::uint64_t d = std::max(h.write + R, b.next_departure);
      const size_t port = static_cast<size_t>(h.node) * 5 + h.out;
      if (f == 0) d = std::max(d, port_free_[port]);
      Buffer* next = nullptr;
      if (j < hops) {
        next = &buffer(route_[j + 1].node, route_[j + 1].in);
        if (next->written >= depth) d = std::max(d, next->departed[next->written % depth] + L);
      }
      b.departed[h.index % depth] = d;
      b.next_departure = d + 1;
      port_free_[port] = d + 1;
      PacketRouterStats& s = routers_[static_cast<size_t>(h.node)];
      s.buffered_flit_cycles += d - h.write;
      s.blocked_flit_cycles += d - h.write - R;
      ++s.flits_switched;
      if (next) {
        ++s.link_flits[h.out - 1];
        route_[j + 1].index = next->written++;
        route_[j + 1].write = d + L;
      } else {
        tail = d;
      }
    }
  }
  ++packets_;
  const auto zero_load =
      static_cast<std::uint64_t>(mesh_zero_load_latency(p_, static_cast<double>(hops), flits));
  if (tail < created + zero_load) panic("PacketMesh: a packet beat its zero-load latency");
  excess_ += tail - created - zero_load;
  return tail;
}

}  // namespace cimsim
