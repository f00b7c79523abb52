#include "hw/mesh/mesh.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <limits>
#include <string>
#include <systemc>

#include "models/core/error.hpp"

// libsystemc's own main() refers to sc_main; cimsim programs have their own main and drive
// SystemC directly, so this placeholder only satisfies the linker. Weak: a program that defines
// a real sc_main wins.
extern "C" __attribute__((weak)) int sc_main(int, char*[]) {
  return 0;
}

namespace cimsim {

const char* to_string(MeshDirection d) {
  switch (d) {
    case MeshDirection::east: return "E";
    case MeshDirection::west: return "W";
    case MeshDirection::north: return "N";
    case MeshDirection::south: return "S";
  }
  return "?";
}

double mesh_zero_load_latency(const MeshParams& p, double hops, double packet_flits) {
  return hops * (p.router_cycles + p.link_cycles) + p.router_cycles + (packet_flits - 1);
}

namespace {

// Ports of a router: 0 local, then the four directions in MeshDirection order plus one.
constexpr int kLocal = 0;
constexpr int kPorts = 5;
constexpr int kEast = 1, kWest = 2, kNorth = 3, kSouth = 4;
constexpr int opposite(int port) {
  return port == kEast ? kWest : port == kWest ? kEast : port == kNorth ? kSouth : kNorth;
}

constexpr std::uint8_t kHead = 1, kTail = 2, kMeasured = 4;

struct Flit {
  std::uint64_t created;  // cycle the packet was created
  std::uint16_t src;
  std::uint16_t dst;
  std::uint16_t hops;
  std::uint8_t flags;
};

// Fixed-capacity FIFO (capacity a power of two); overflow is a simulator bug.
template <class T>
class Ring {
 public:
  void init(std::size_t min_capacity) {
    std::size_t c = 1;
    while (c < min_capacity) c <<= 1;
    buf_.assign(c, T{});
    mask_ = c - 1;
    head_ = size_ = 0;
  }
  void clear() { head_ = size_ = 0; }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  T& front() { return buf_[head_]; }
  void pop() {
    head_ = (head_ + 1) & mask_;
    --size_;
  }
  void push(const T& v) {
    if (size_ > mask_) panic("mesh: a link or buffer FIFO overflowed (credit protocol bug)");
    buf_[(head_ + size_) & mask_] = v;
    ++size_;
  }

 private:
  std::vector<T> buf_;
  std::size_t mask_ = 0, head_ = 0, size_ = 0;
};

struct TimedFlit {
  std::uint64_t at;  // arrival cycle (on a link) or earliest departure (in a buffer)
  Flit flit;
};

// One direction of a die-to-die link: flits downstream, credits upstream.
struct Link {
  Ring<TimedFlit> flits;
  Ring<std::uint64_t> credits;  // arrival cycles of returning credits
};

// Shared, phase-level control written between sc_start calls only.
struct Control {
  std::uint64_t window_begin = 0, window_end = 0;  // measurement window [begin, end)
  double packet_probability = 0.0;
  int packet_flits = 1;
  bool scripted = false;  // record every ejected tail (MeshSimulation::run_scripted)
};

struct PendingPacket {
  std::uint64_t created;  // a scripted packet waits in the queue until this cycle
  std::uint16_t dst;
  bool measured;
  int flits;
};

// A scripted packet's tail, as the destination ejected it.
struct EjectedTail {
  std::uint64_t created, cycle;
  std::uint16_t src;
};

struct RouterStats {
  std::uint64_t created_flits = 0, created_packets_measured = 0;
  std::uint64_t ejected_flits = 0;  // in window
  std::uint64_t delivered_measured = 0;
  std::uint64_t sum_hops = 0, sum_latency = 0, sum_excess = 0;
  std::uint64_t min_excess = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t busy[kPorts] = {0, 0, 0, 0, 0};
  std::uint64_t switched = 0;
  std::uint64_t total_flits_ejected = 0, total_packets_ejected = 0;
  std::vector<std::uint32_t> latencies;
  std::vector<EjectedTail> tails;  // scripted runs: every tail ejected here, in order
};

class Router : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;

  Router(sc_core::sc_module_name name, const MeshParams& p, const Control& control, int id)
      : sc_core::sc_module(name), p_(p), control_(control), id_(id) {
    x_ = id % p.k_x;
    y_ = id / p.k_x;
    route_.resize(p.nodes());
    for (int d = 0; d < p.nodes(); ++d) {
      const int dx = d % p.k_x, dy = d / p.k_x;
      route_[d] = static_cast<std::uint8_t>(dx > x_   ? kEast
                                            : dx < x_ ? kWest
                                            : dy > y_ ? kNorth
                                            : dy < y_ ? kSouth
                                                      : kLocal);
    }
    for (auto& b : in_buf_) b.init(p.buffer_depth_flits);
    SC_HAS_PROCESS(Router);
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }

  void connect(int port, Link* out, Link* in) {
    out_[port] = out;
    in_[port] = in;
  }
  bool has_port(int port) const { return port == kLocal || out_[port] != nullptr; }
  int output_ports() const {
    int n = 0;
    for (int o = 0; o < kPorts; ++o) n += has_port(o);
    return n;
  }

  // Empties buffers and queues, restores credits, restarts the statistics.
  // The generator depends on (seed, node) only, so a run is reproducible whatever ran before.
  void reset(const TrafficSpec& traffic, std::uint64_t seed) {
    for (auto& b : in_buf_) b.clear();
    for (int o = 0; o < kPorts; ++o) {
      held_by_[o] = -1;
      holds_[o] = -1;
      rr_[o] = 0;
      credits_[o] = p_.buffer_depth_flits;
    }
    buffered_ = 0;
    queue_.clear();
    injected_of_front_ = 0;
    stats_ = RouterStats{};
    picker_ = DestinationPicker(traffic, p_.k_x, p_.k_y, id_);
    std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                      static_cast<std::uint32_t>(id_)};
    rng_.seed(seq);
    const double prob = control_.packet_probability;
    packet_threshold_ = prob >= 1.0 ? std::numeric_limits<std::uint64_t>::max()
                                    : static_cast<std::uint64_t>(std::ldexp(prob, 64));
    sends_ = picker_.sends() && prob > 0.0;
  }

  // Queues a scripted packet (created at an absolute cycle; queue them in creation order).
  void script(std::uint64_t created, int dst, int flits) {
    queue_.push_back({created, static_cast<std::uint16_t>(dst), false, flits});
  }
  bool idle() const { return queue_.empty() && buffered_ == 0; }

  std::uint64_t cycle() const { return cycle_; }
  const RouterStats& stats() const { return stats_; }

 private:
  void tick() {
    const std::uint64_t now = cycle_++;
    const bool window = now >= control_.window_begin && now < control_.window_end;

    // 1. Flits arriving on input links; credits returning on output links.
    for (int port = 1; port < kPorts; ++port) {
      if (Link* in = in_[port]) {
        while (!in->flits.empty() && in->flits.front().at <= now) {
          if (in_buf_[port].size() >= static_cast<std::size_t>(p_.buffer_depth_flits))
            panic("mesh: a flit arrived at a full input buffer (credit protocol bug)");
          in_buf_[port].push({now + p_.router_cycles, in->flits.front().flit});
          in->flits.pop();
          ++buffered_;
        }
      }
      if (Link* out = out_[port]) {
        while (!out->credits.empty() && out->credits.front() <= now) {
          ++credits_[port];
          out->credits.pop();
        }
      }
    }

    // 2. The terminal: Bernoulli packet creation, then one flit into the local input buffer.
    if (sends_ && rng_() < packet_threshold_) {
      const auto dst = static_cast<std::uint16_t>(picker_.pick(rng_));
      queue_.push_back({now, dst, window, control_.packet_flits});
      if (window) {
        stats_.created_flits += control_.packet_flits;
        ++stats_.created_packets_measured;
      }
    }
    if (!queue_.empty() && queue_.front().created <= now &&
        in_buf_[kLocal].size() < static_cast<std::size_t>(p_.buffer_depth_flits)) {
      const PendingPacket& pk = queue_.front();
      Flit f{pk.created, static_cast<std::uint16_t>(id_), pk.dst, 0,
             static_cast<std::uint8_t>(pk.measured ? kMeasured : 0)};
      if (injected_of_front_ == 0) f.flags |= kHead;
      if (++injected_of_front_ == pk.flits) {
        f.flags |= kTail;
        injected_of_front_ = 0;
        queue_.pop_front();
      }
      in_buf_[kLocal].push({now + p_.router_cycles, f});
      ++buffered_;
    }

    // 3. Switch allocation and traversal. An input whose packet holds an output sends its next
    // flit there; an input with a head flit (an input that holds no output always has one at its
    // front) requests its XY output, and each free output grants one request round-robin. One
    // flit per input and per output per cycle.
    if (buffered_ == 0) return;
    unsigned requests[kPorts] = {0, 0, 0, 0, 0};  // per output: bit i = input i asks for it
    unsigned sent = 0;                            // outputs that carried a flit this cycle
    for (int i = 0; i < kPorts; ++i) {
      if (in_buf_[i].empty()) continue;
      const TimedFlit& t = in_buf_[i].front();
      if (t.at > now) continue;
      const int o = holds_[i];
      if (o >= 0) {
        if (o == kLocal || credits_[o] > 0) {
          send(i, o, now, window);
          sent |= 1u << o;
        }
      } else {
        requests[route_[t.flit.dst]] |= 1u << i;
      }
    }
    for (int o = 0; o < kPorts; ++o) {
      const unsigned req = requests[o];
      if (req == 0 || held_by_[o] >= 0 || (sent >> o & 1u)) continue;
      const int r = rr_[o];
      const unsigned rotated = ((req >> r) | (req << (kPorts - r))) & ((1u << kPorts) - 1);
      int i = r + std::countr_zero(rotated);
      if (i >= kPorts) i -= kPorts;
      held_by_[o] = i;
      holds_[i] = o;
      rr_[o] = i + 1 == kPorts ? 0 : i + 1;
      if (o == kLocal || credits_[o] > 0) send(i, o, now, window);
    }
  }

  // Moves the front flit of input i through the switch to output o (which has a credit).
  void send(int i, int o, std::uint64_t now, bool window) {
    const Flit f = in_buf_[i].front().flit;
    in_buf_[i].pop();
    --buffered_;
    if (i != kLocal) in_[i]->credits.push(now + p_.link_cycles);
    if (window) {
      ++stats_.busy[o];
      ++stats_.switched;
    }
    if (o == kLocal) {
      eject(f, now, window);
    } else {
      Flit g = f;
      ++g.hops;
      out_[o]->flits.push({now + p_.link_cycles, g});
      --credits_[o];
    }
    if (f.flags & kTail) {
      held_by_[o] = -1;
      holds_[i] = -1;
    }
  }

  void eject(const Flit& f, std::uint64_t now, bool window) {
    ++stats_.total_flits_ejected;
    if (window) ++stats_.ejected_flits;
    if (!(f.flags & kTail)) return;
    ++stats_.total_packets_ejected;
    if (control_.scripted) stats_.tails.push_back({f.created, now, f.src});
    if (!(f.flags & kMeasured)) return;
    const std::uint64_t latency = now - f.created;
    const std::uint64_t zero_load =
        static_cast<std::uint64_t>(f.hops) * (p_.router_cycles + p_.link_cycles) +
        p_.router_cycles + (control_.packet_flits - 1);
    if (latency < zero_load) panic("mesh: a packet arrived faster than its zero-load latency");
    ++stats_.delivered_measured;
    stats_.sum_hops += f.hops;
    stats_.sum_latency += latency;
    stats_.sum_excess += latency - zero_load;
    stats_.min_excess = std::min(stats_.min_excess, latency - zero_load);
    stats_.latencies.push_back(static_cast<std::uint32_t>(
        std::min<std::uint64_t>(latency, std::numeric_limits<std::uint32_t>::max())));
  }

  const MeshParams& p_;
  const Control& control_;
  int id_, x_ = 0, y_ = 0;
  std::vector<std::uint8_t> route_;  // output port towards each destination (XY)
  Link* out_[kPorts] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  Link* in_[kPorts] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  Ring<TimedFlit> in_buf_[kPorts];
  int held_by_[kPorts];  // per output: the input whose packet holds it, or -1
  int holds_[kPorts];    // per input: the output its packet holds, or -1
  int rr_[kPorts];       // per output: round-robin pointer
  int credits_[kPorts];  // per output: free slots in the downstream input buffer
  int buffered_ = 0;     // flits in all input buffers

  std::deque<PendingPacket> queue_;  // source queue (unbounded)
  int injected_of_front_ = 0;
  DestinationPicker picker_;
  std::mt19937_64 rng_;
  std::uint64_t packet_threshold_ = 0;
  bool sends_ = false;

  std::uint64_t cycle_ = 0;
  RouterStats stats_;
};

bool g_elaborated = false;

}  // namespace

struct MeshSimulation::Impl {
  MeshParams params;
  Control control;
  std::unique_ptr<sc_core::sc_clock> clock;
  std::vector<std::unique_ptr<Router>> routers;
  std::vector<Link> links;  // (node, direction) -> node * 4 + direction; unused at edges
  sc_core::sc_time period;

  void advance_to(std::uint64_t cycle) {
    while (routers[0]->cycle() < cycle) {
      sc_core::sc_start(period * static_cast<double>(cycle - routers[0]->cycle()));
    }
  }
};

MeshSimulation::MeshSimulation(const MeshParams& params) : impl_(std::make_unique<Impl>()) {
  params.validate();
  if (params.nodes() > 65535) throw UserError("error: mesh: at most 65535 nodes");
  if (g_elaborated)
    panic("MeshSimulation: SystemC allows one elaboration per process; construct one mesh");
  g_elaborated = true;
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);  // keep the CLI's output clean

  Impl& m = *impl_;
  m.params = params;
  m.period = sc_core::sc_time(params.clock_period_s(), sc_core::SC_SEC);
  if (m.period == sc_core::SC_ZERO_TIME)
    throw UserError("error: mesh: the clock period is below SystemC's time resolution");
  m.clock = std::make_unique<sc_core::sc_clock>("mesh_clock", m.period);
  const int n = params.nodes();
  m.links.resize(static_cast<std::size_t>(n) * 4);
  for (auto& l : m.links) {
    l.flits.init(params.link_cycles + 2);
    l.credits.init(params.link_cycles + 2);
  }
  for (int id = 0; id < n; ++id) {
    m.routers.push_back(std::make_unique<Router>(
        fmt::format("router_{}_{}", id % params.k_x, id / params.k_x).c_str(), m.params, m.control,
        id));
    m.routers.back()->clk(*m.clock);
  }
  for (int id = 0; id < n; ++id) {
    const int x = id % params.k_x, y = id / params.k_x;
    for (int port = 1; port < kPorts; ++port) {
      const int nx = x + (port == kEast) - (port == kWest);
      const int ny = y + (port == kNorth) - (port == kSouth);
      if (nx < 0 || ny < 0 || nx >= params.k_x || ny >= params.k_y) continue;
      const int nb = ny * params.k_x + nx;
      Link* out = &m.links[static_cast<std::size_t>(id) * 4 + (port - 1)];
      Link* in = &m.links[static_cast<std::size_t>(nb) * 4 + (opposite(port) - 1)];
      m.routers[id]->connect(port, out, in);
    }
  }
}

MeshSimulation::~MeshSimulation() = default;

const MeshParams& MeshSimulation::params() const {
  return impl_->params;
}

MeshStats MeshSimulation::run(const MeshRunSpec& spec) {
  Impl& m = *impl_;
  const MeshParams& p = m.params;
  spec.traffic.validate(p.k_x, p.k_y);
  if (spec.measure_cycles == 0)
    throw UserError("error: mesh: the measurement window needs cycles > 0");

  const std::uint64_t start = m.routers[0]->cycle();
  m.control.window_begin = start + spec.warmup_cycles;
  m.control.window_end = m.control.window_begin + spec.measure_cycles;
  m.control.packet_flits = spec.traffic.packet_flits;
  m.control.packet_probability = spec.traffic.injection_rate / spec.traffic.packet_flits;
  for (auto& l : m.links) {
    l.flits.clear();
    l.credits.clear();
  }
  for (auto& r : m.routers) r->reset(spec.traffic, spec.seed);

  m.advance_to(m.control.window_end);
  auto outstanding = [&] {
    std::uint64_t created = 0, delivered = 0;
    for (auto& r : m.routers) {
      created += r->stats().created_packets_measured;
      delivered += r->stats().delivered_measured;
    }
    return created - delivered;
  };
  const std::uint64_t drain_end = m.control.window_end + spec.drain_cycles_max;
  const std::uint64_t chunk = 200;
  while (outstanding() > 0 && m.routers[0]->cycle() < drain_end)
    m.advance_to(std::min(drain_end, m.routers[0]->cycle() + chunk));

  MeshStats s;
  s.k_x = p.k_x;
  s.k_y = p.k_y;
  s.offered_rate = spec.traffic.injection_rate;
  s.measure_cycles = spec.measure_cycles;
  s.cycles_simulated = m.routers[0]->cycle() - start;
  std::uint64_t created_flits = 0, ejected_flits = 0, sum_hops = 0, sum_latency = 0, sum_excess = 0,
                min_excess = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::uint32_t> latencies;
  const double window = static_cast<double>(spec.measure_cycles);
  for (int id = 0; id < p.nodes(); ++id) {
    const Router& r = *m.routers[id];
    const RouterStats& rs = r.stats();
    s.packets_measured += rs.created_packets_measured;
    s.packets_delivered += rs.delivered_measured;
    created_flits += rs.created_flits;
    ejected_flits += rs.ejected_flits;
    sum_hops += rs.sum_hops;
    sum_latency += rs.sum_latency;
    sum_excess += rs.sum_excess;
    min_excess = std::min(min_excess, rs.min_excess);
    latencies.insert(latencies.end(), rs.latencies.begin(), rs.latencies.end());
    s.total_flits_ejected += rs.total_flits_ejected;
    s.total_packets_ejected += rs.total_packets_ejected;
    s.router_utilization.push_back(static_cast<double>(rs.switched) / (window * r.output_ports()));
    const int x = id % p.k_x, y = id / p.k_x;
    for (int port = 1; port < kPorts; ++port) {
      if (!r.has_port(port)) continue;
      MeshLinkStat ls;
      ls.from_x = x;
      ls.from_y = y;
      ls.to_x = x + (port == kEast) - (port == kWest);
      ls.to_y = y + (port == kNorth) - (port == kSouth);
      ls.direction = static_cast<MeshDirection>(port - 1);
      ls.busy_cycles = rs.busy[port];
      s.link_flits += rs.busy[port];
      ls.utilization = static_cast<double>(rs.busy[port]) / window;
      s.links.push_back(ls);
    }
  }
  s.drained = s.packets_delivered == s.packets_measured;
  const double node_cycles = window * p.nodes();
  s.created_rate = static_cast<double>(created_flits) / node_cycles;
  s.accepted_rate = static_cast<double>(ejected_flits) / node_cycles;
  if (s.packets_delivered > 0) {
    const double n = static_cast<double>(s.packets_delivered);
    s.mean_hops = static_cast<double>(sum_hops) / n;
    s.mean_latency_cycles = static_cast<double>(sum_latency) / n;
    s.mean_excess_cycles = static_cast<double>(sum_excess) / n;
    s.min_excess_cycles = static_cast<double>(min_excess);
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double q) {
      const auto k = static_cast<std::size_t>(std::ceil(q * latencies.size())) - 1;
      return static_cast<double>(latencies[std::min(k, latencies.size() - 1)]);
    };
    s.p50_latency_cycles = pct(0.50);
    s.p99_latency_cycles = pct(0.99);
    s.max_latency_cycles = latencies.back();
  }
  s.zero_load_latency_cycles = mesh_zero_load_latency(p, s.mean_hops, spec.traffic.packet_flits);
  return s;
}

std::vector<std::uint64_t> MeshSimulation::run_scripted(const std::vector<ScriptedPacket>& packets,
                                                        std::uint64_t max_cycles) {
  Impl& m = *impl_;
  const MeshParams& p = m.params;
  TrafficSpec quiet;
  quiet.injection_rate = 0;
  m.control.window_begin = m.control.window_end = 0;
  m.control.packet_probability = 0;
  m.control.packet_flits = 1;  // the ejection's zero-load check is then a lower bound
  m.control.scripted = true;
  for (auto& l : m.links) {
    l.flits.clear();
    l.credits.clear();
  }
  for (auto& r : m.routers) r->reset(quiet, 1);
  const std::uint64_t start = m.routers[0]->cycle();
  for (const ScriptedPacket& pk : packets) {
    if (pk.src < 0 || pk.src >= p.nodes() || pk.dst < 0 || pk.dst >= p.nodes() ||
        pk.src == pk.dst || pk.flits < 1)
      throw UserError("error: mesh: a scripted packet needs two distinct nodes and a flit");
    m.routers[pk.src]->script(start + pk.created, pk.dst, pk.flits);
  }
  const std::uint64_t end = start + max_cycles;
  auto busy = [&] {
    for (auto& r : m.routers)
      if (!r->idle()) return true;
    for (auto& l : m.links)
      if (!l.flits.empty()) return true;
    return false;
  };
  while (busy() && m.routers[0]->cycle() < end)
    m.advance_to(std::min(end, m.routers[0]->cycle() + 64));
  m.control.scripted = false;
  // Match tails to packets: packets with the same source, destination and creation cycle
  // follow the same route in order, so their tails arrive in the order they were queued.
  std::vector<std::uint64_t> tails(packets.size(), 0);
  std::vector<std::vector<bool>> taken(static_cast<size_t>(p.nodes()));
  for (int n = 0; n < p.nodes(); ++n) taken[n].assign(m.routers[n]->stats().tails.size(), false);
  for (size_t i = 0; i < packets.size(); ++i) {
    const ScriptedPacket& pk = packets[i];
    const auto& got = m.routers[pk.dst]->stats().tails;
    for (size_t k = 0; k < got.size(); ++k) {
      if (taken[pk.dst][k] || got[k].src != pk.src || got[k].created != start + pk.created)
        continue;
      taken[pk.dst][k] = true;
      tails[i] = got[k].cycle - start;
      break;
    }
    if (tails[i] == 0) panic("mesh: a scripted packet was not delivered within max_cycles");
  }
  return tails;
}

}  // namespace cimsim
