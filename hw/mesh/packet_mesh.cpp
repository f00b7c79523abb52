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
  streams_ = p_.buffer_depth_flits >= 2 * p_.link_cycles + p_.router_cycles &&
             p_.buffer_depth_flits >= p_.router_cycles + 1;
}

std::uint64_t PacketMesh::send(int src, int dst, std::uint64_t flits, std::uint64_t created) {
  const int nodes = p_.nodes();
  if (src < 0 || src >= nodes || dst < 0 || dst >= nodes || src == dst || flits < 1)
    panic("PacketMesh::send: a packet needs two distinct nodes of the mesh and at least one flit");
  // XY route: (input buffer, output port) of every router from src to dst.
  route_.clear();
  int x = src % p_.k_x, y = src / p_.k_x;
  const int tx = dst % p_.k_x, ty = dst / p_.k_x;
  int in = kLocal;
  while (true) {
    const int out = tx > x ? kEast : tx < x ? kWest : ty > y ? kNorth : ty < y ? kSouth : kLocal;
    const int node = y * p_.k_x + x;
    route_.push_back({&buffer(node, in), &port_free_[static_cast<size_t>(node) * 5 + out],
                      &routers_[static_cast<size_t>(node)], out, 0, 0});
    if (out == kLocal) break;
    x += out == kEast ? 1 : out == kWest ? -1 : 0;
    y += out == kNorth ? 1 : out == kSouth ? -1 : 0;
    in = opposite(out);
  }
  const size_t hops = route_.size() - 1;
  const std::uint64_t depth = static_cast<std::uint64_t>(p_.buffer_depth_flits);
  const auto depth32 = static_cast<std::uint32_t>(depth);
  const std::uint64_t R = static_cast<std::uint64_t>(p_.router_cycles);
  const std::uint64_t L = static_cast<std::uint64_t>(p_.link_cycles);
  // Takes the next entry of buffer b for a flit written into it; the entry holds the departure
  // of the flit `depth` ahead (its slot's credit) until the new flit departs.
  auto take = [&](Buffer& b) {
    const std::uint32_t slot = b.slot;
    b.slot = slot + 1 == depth32 ? 0 : slot + 1;
    ++b.written;
    return slot;
  };
  std::uint64_t tail = 0;
  std::uint64_t& next_inject = next_inject_[static_cast<size_t>(src)];
  // Fast path: if at every router the head finds its buffer's earlier flits gone and its
  // output free, and each of the packet's first `depth` flits finds the credit of the earlier
  // flit whose slot it takes back in time (in the source's local buffer too), no term of the
  // recurrence binds: the later flits' credits come from the packet's own flits, back in time
  // when the buffer covers the credit round trip. Flit f then leaves router j at
  // start + j (R + L) + R + f, exactly what the flit-by-flit pass would give.
  // The source injects from `start` on, once its earlier packets are in (source queueing).
  const std::uint64_t start = std::max(created, next_inject);
  const std::uint64_t P = flits;
  const std::uint64_t checked = std::min(P, depth);  // flits whose slots earlier flits held
  // Flit f < depth of the packet takes the slot of the flit `depth` ahead of it in buffer b,
  // which must be gone `lag` cycles before `at + f`.
  auto slots_free = [&](const Buffer& b, std::uint64_t at, std::uint64_t lag) {
    std::uint32_t slot = b.slot;
    for (std::uint64_t f = 0; f < checked; ++f) {
      if (b.written + f >= depth && b.departed[slot] + lag > at + f) return false;
      slot = slot + 1 == depth32 ? 0 : slot + 1;
    }
    return true;
  };
  bool fast = fast_path_ && streams_ && slots_free(*route_[0].buffer, start, 1);
  for (size_t j = 0; fast && j <= hops; ++j) {
    const std::uint64_t d = start + j * (R + L) + R;
    const Hop& h = route_[j];
    fast = h.buffer->next_departure <= d && *h.port_free <= d &&
           (j == hops || slots_free(*route_[j + 1].buffer, d, L));
  }
  if (fast) {
    const std::uint64_t kept = std::min(P, depth);  // the ring keeps the last `depth` flits
    for (size_t j = 0; j <= hops; ++j) {
      const std::uint64_t d = start + j * (R + L) + R;
      Hop& h = route_[j];
      Buffer& b = *h.buffer;
      std::uint32_t slot = static_cast<std::uint32_t>((b.slot + (P - kept)) % depth);
      for (std::uint64_t f = P - kept; f < P; ++f) {
        b.departed[slot] = d + f;
        slot = slot + 1 == depth32 ? 0 : slot + 1;
      }
      b.slot = slot;
      b.written += P;
      b.next_departure = d + P;
      *h.port_free = d + P;
      PacketRouterStats& s = *h.stats;
      s.buffered_flit_cycles += P * R;
      s.flits_switched += P;
      if (j < hops) s.link_flits[h.out - 1] += P;
    }
    next_inject = start + P;
    ++fast_packets_;
    tail = start + hops * (R + L) + R + P - 1;
  }
  // Flit by flit. Once the packet holds every port and buffer slot on its route, each flit's
  // terms refer only to the packet's own earlier flits (the one ahead, the one `depth` ahead),
  // so if `depth` flits in a row each left every router one cycle after the flit ahead of them
  // (and entered the source's buffer one cycle after it), every later flit does the same: the
  // recurrence is shift-invariant. The rest of the packet is then booked at once, which keeps a
  // long packet behind contention (a spilled cache row of millions of flits) from costing a
  // pass per flit.
  std::uint64_t steady = 0;  // flits in a row that each trailed the flit ahead by one cycle
  std::uint64_t last_write = 0;
  for (std::uint64_t f = 0; !fast && f < P; ++f) {
    // The terminal writes the flit into its router's local buffer, a cycle after the slot's
    // previous flit left (the terminal sees the freed slot the next cycle).
    Hop& first = route_[0];
    Buffer& local = *first.buffer;
    std::uint64_t w = std::max(created, next_inject);
    if (local.written >= depth) w = std::max(w, local.departed[local.slot] + 1);
    next_inject = w + 1;
    first.slot = take(local);
    first.write = w;
    bool trailed = f > 0 && w == last_write + 1;
    last_write = w;
    for (size_t j = 0; j <= hops; ++j) {
      Hop& h = route_[j];
      Buffer& b = *h.buffer;
      std::uint64_t d = std::max(h.write + R, b.next_departure);
      if (f == 0) d = std::max(d, *h.port_free);
      Hop* next = j < hops ? &route_[j + 1] : nullptr;
      if (next) {
        const Buffer& nb = *next->buffer;
        if (nb.written >= depth) d = std::max(d, nb.departed[nb.slot] + L);  // credit
      }
      trailed = trailed && d == b.next_departure;  // one cycle after the flit ahead
      b.departed[h.slot] = d;
      b.next_departure = d + 1;
      *h.port_free = d + 1;
      PacketRouterStats& s = *h.stats;
      s.buffered_flit_cycles += d - h.write;
      s.blocked_flit_cycles += d - h.write - R;
      ++s.flits_switched;
      if (next) {
        ++s.link_flits[h.out - 1];
        next->slot = take(*next->buffer);
        next->write = d + L;
      } else {
        tail = d;
      }
    }
    steady = trailed ? steady + 1 : 0;
    const std::uint64_t left = P - 1 - f;
    if (fast_path_ && steady >= depth && left >= depth) {
      book_steady_tail(left, hops);
      ++steady_tails_;
      next_inject += left;
      tail += left;
      break;
    }
  }
  ++packets_;
  const auto zero_load = static_cast<std::uint64_t>(
      mesh_zero_load_latency(p_, static_cast<double>(hops), static_cast<double>(flits)));
  if (tail < created + zero_load) panic("PacketMesh: a packet beat its zero-load latency");
  excess_ += tail - created - zero_load;
  return tail;
}

void PacketMesh::book_steady_tail(std::uint64_t left, size_t hops) {
  // Flit f + k leaves router j at d_j(f) + k and spends as long in each buffer as flit f did.
  const std::uint64_t depth = static_cast<std::uint64_t>(p_.buffer_depth_flits);
  const std::uint64_t R = static_cast<std::uint64_t>(p_.router_cycles);
  for (size_t j = 0; j <= hops; ++j) {
    Hop& h = route_[j];
    Buffer& b = *h.buffer;
    const std::uint64_t last = b.next_departure - 1;  // flit f's departure
    // The ring keeps the departures of the last `depth` flits: flits left - depth .. left - 1
    // of the booked ones, in the entries after the `left - depth` that earlier ones pass over.
    std::uint64_t slot = (b.slot + (left - depth)) % depth;
    for (std::uint64_t k = left - depth + 1; k <= left; ++k) {
      b.departed[slot] = last + k;
      slot = slot + 1 == depth ? 0 : slot + 1;
    }
    b.slot = static_cast<std::uint32_t>(slot);
    b.written += left;
    b.next_departure = last + left + 1;
    *h.port_free = last + left + 1;
    PacketRouterStats& s = *h.stats;
    const std::uint64_t held = last - h.write;
    s.buffered_flit_cycles += left * held;
    s.blocked_flit_cycles += left * (held - R);
    s.flits_switched += left;
    if (j < hops) s.link_flits[h.out - 1] += left;
  }
}

}  // namespace cimsim
