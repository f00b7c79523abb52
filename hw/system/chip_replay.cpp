#include "hw/system/chip_replay.hpp"

#include <fmt/format.h>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <queue>
#include <sstream>
#include <systemc>
#include <tlm>

#include "hw/mesh/packet_mesh.hpp"
#include "hw/system/chiplet.hpp"
#include "hw/system/tile.hpp"
#include "models/core/error.hpp"
#include "models/core/output_file.hpp"

namespace cimsim {

namespace {

using sc_core::SC_FS;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;
using u64 = std::uint64_t;

// Times inside the replay are integer femtoseconds, the kernel's resolution (set below).
u64 femtoseconds(double s) {
  return static_cast<u64>(std::llround(s * 1e15));
}
sc_time at(u64 fs) {
  return sc_time::from_value(fs);
}

// What every module reads: the workload, the mapping and the analytical per-op timing, turned
// into per-row figures once.
struct Replay : RowObserver {
  const Workload* workload = nullptr;
  const Mapping* mapping = nullptr;
  const CostTable* costs = nullptr;
  std::vector<OpResult> per_op;
  ActionCounts counts;
  std::uint64_t transactions = 0;
  bool contention = true;
  bool caches_through_dram = false;  // the decode schedule the evaluator chose

  // Per op: one row's service time, and the actions of one row (the last row also takes the
  // remainder of counts that do not divide by the rows). A weight matmul's share holds only
  // what its tile does not count itself (its inputs' link bits).
  std::vector<sc_time> row_service;
  std::vector<ActionCounts> row_share, last_row_share;
  // Per weight matmul: one vector's actions by stage, and the time its row's remote activations
  // take to fill the tile's input buffer.
  std::vector<TileActions> tile_actions;
  std::vector<sc_time> input_fill;

  // Die-to-die links, keyed by (chiplet, direction 0..3 = E, W, N, S); 4 and 5 are the
  // router's injection and ejection ports.
  struct Link {
    sc_time free_at = SC_ZERO_TIME;
    sc_time busy = SC_ZERO_TIME;
  };
  // Router output ports switching data, per chiplet: a transfer occupies one output port of
  // every router on its route for its serialization time (a link port, or the ejection port at
  // the destination), as hw/mesh counts flits switched.
  std::vector<sc_time> router_busy;
  std::map<std::pair<int, int>, Link> links;

  // With contention: the packet-level routers (hw/mesh/packet_mesh.hpp), their clock period in
  // femtoseconds, and each chiplet's node on the mesh (y k_x + x).
  std::unique_ptr<PacketMesh> mesh;
  u64 cycle_fs = 0;
  std::vector<int> node_of;

  int chiplet_at(int x, int y) const {
    const auto& pos = mapping->chiplet_position;
    for (size_t c = 0; c < pos.size(); ++c)
      if (pos[c].x == x && pos[c].y == y) return static_cast<int>(c);
    panic("chip replay: no chiplet at a mesh position on a route");
  }

  // The XY route's links from chiplet a to chiplet b.
  // The source's injection port and the destination's ejection port (keys 4 and 5) are part of
  // the route: a router injects and ejects one flit per cycle, as in hw/mesh.
  std::vector<Link*> route(int a, int b) {
    std::vector<Link*> path{&links[{a, 4}]};
    auto [x, y] = std::pair{mapping->chiplet_position[a].x, mapping->chiplet_position[a].y};
    const auto& to = mapping->chiplet_position[b];
    while (x != to.x) {
      const int dir = to.x > x ? 0 : 1;
      path.push_back(&links[{chiplet_at(x, y), dir}]);
      x += to.x > x ? 1 : -1;
    }
    while (y != to.y) {
      const int dir = to.y > y ? 2 : 3;
      path.push_back(&links[{chiplet_at(x, y), dir}]);
      y += to.y > y ? 1 : -1;
    }
    path.push_back(&links[{b, 5}]);
    return path;
  }

  // The chiplets whose routers an XY route from a to b passes, a and b included.
  std::vector<int> routers_on_route(int a, int b) const {
    std::vector<int> path{a};
    int x = mapping->chiplet_position[a].x, y = mapping->chiplet_position[a].y;
    const auto& to = mapping->chiplet_position[b];
    while (x != to.x) {
      x += to.x > x ? 1 : -1;
      path.push_back(chiplet_at(x, y));
    }
    while (y != to.y) {
      y += to.y > y ? 1 : -1;
      path.push_back(chiplet_at(x, y));
    }
    return path;
  }

  // The keys and values a vector-unit attention reads from and writes to DRAM (mapper/
  // mapping.hpp): their bits a pass (0 when none), the DRAM port that serves them, and its
  // chiplet.
  struct Spill {
    double bits = 0;
    int port = -1;
    int from = -1;
  };
  Spill spill_of(size_t op) const {
    const Mapping& m = *mapping;
    if (op >= m.op_operand_spill.size()) return {};
    const double bits =
        static_cast<double>(dram_values(m.op_operand_spill[op], caches_through_dram)) *
        costs->activation_bits;
    if (bits <= 0) return {};
    const auto here = static_cast<size_t>(m.op_chiplet[op]);
    const int port = m.nearest_dram_port[here];
    return {bits, port, m.dram_ports[static_cast<size_t>(port)]};
  }

  // With contention, spilled keys and values hold their DRAM port for their share of a row
  // (port_row), in arrival order, before they cross the mesh; the port's busy time per port.
  std::vector<sc_time> port_row;
  std::vector<sc_time> port_free_at, port_busy;

  // Per-row service times and action shares of every op, from the evaluator's per-op results.
  void prepare() {
    const size_t n = per_op.size();
    row_service.resize(n);
    row_share.assign(n, {});
    last_row_share.assign(n, {});
    tile_actions.assign(n, {});
    input_fill.assign(n, SC_ZERO_TIME);
    port_row.assign(n, SC_ZERO_TIME);
    port_free_at.assign(mapping->dram_ports.size(), SC_ZERO_TIME);
    port_busy.assign(mapping->dram_ports.size(), SC_ZERO_TIME);
    for (size_t i = 0; i < n; ++i) {
      const Op& op = workload->ops[i];
      const OpResult& r = per_op[i];
      const std::int64_t rows = r.rows;
      // The evaluator's op time holds the remote inputs' serialization. Through the routers
      // (contention on) the packets carry it instead, so the targets serve the rest.
      double transfer_s = 0;
      for (int src : op.inputs) {
        if (mapping->op_chiplet[src] == mapping->op_chiplet[i]) continue;
        transfer_s += static_cast<double>(workload->ops[src].output_elements) *
                      costs->activation_bits / costs->link_bandwidth_bps;
      }
      // Spilled keys and values cross from the DRAM port's chiplet like a remote input; with
      // contention the dispatcher holds the port for its own time, so the op's target does not
      // serve it (ops that run one after another, weights not fitting, keep the closed form).
      const Spill spill = spill_of(i);
      if (spill.bits > 0 && spill.from != mapping->op_chiplet[i])
        transfer_s += spill.bits / costs->link_bandwidth_bps;
      double port_s = 0;
      if (spill.bits > 0 && contention && mapping->fits) {
        port_s = spill.bits / costs->dram_bandwidth_bps;
        port_row[i] = at(femtoseconds(port_s / static_cast<double>(rows)));
      }
      const bool through_routers = mesh != nullptr;
      const bool in_tile = op.kind == OpKind::weight_matmul;
      // A dynamic matmul in the arrays programs its operand once, before its first row.
      const double serve_s =
          (through_routers || in_tile ? r.busy_s - transfer_s : r.busy_s) - r.program_s - port_s;
      row_service[i] = at(femtoseconds(std::max(0.0, serve_s) / static_cast<double>(rows)));
      ActionCounts share, last;
      for (int a = 0; a < kNumActions; ++a) {
        const u64 total = r.counts.count[a];
        share.count[a] = total / rows;
        last.count[a] = total / rows + total % rows;
      }
      if (op.kind == OpKind::weight_matmul) {
        // The tile's stages count their own work, one input vector at a time.
        Op one = op;
        one.m = 1;
        ActionCounts arrays;
        const Mapping& m = *mapping;
        count_weight_matmul(one, m.matrices[m.op_matrix[i]], *costs, m.input_cycles,
                            m.columns_per_weight, m.offset_column, m.dac_inputs, arrays);
        tile_actions[i] = TileActions::split(arrays);
        for (Action a : {Action::cell_read, Action::row_drive, Action::dac_conversion,
                         Action::adc_conversion, Action::shift_add, Action::partial_sum_add,
                         Action::tile_buffer_bit, Action::global_buffer_bit}) {
          share[a] = last[a] = 0;
        }
        // The evaluator's op time: the remote inputs' serialization, then m vectors. Through
        // the routers the packets' arrival replaces the serialization.
        if (!through_routers)
          input_fill[i] = at(femtoseconds(transfer_s / static_cast<double>(rows)));
      }
      row_share[i] = share;
      last_row_share[i] = last;
    }
  }

  // Counts of one row of op i.
  void count_row(int i, std::int64_t row) {
    counts += row == per_op[i].rows - 1 ? last_row_share[i] : row_share[i];
  }

  // A tile served a row: its other actions (link bits) are counted here.
  void row_served(const RowJob& job) override {
    count_row(job.op, job.row);
    ++transactions;
  }
};

// The chip's control: sends every op's rows to the targets that compute them, as a
// loosely-timed initiator with temporal decoupling. Row r of an op is ready once its row r - 1
// is done and its inputs have produced the rows it needs (all of them for an input needed
// whole), plus the inputs' per-hop latency; a remote input's share of the row then holds its XY
// route for its serialization time. The dispatcher keeps the ops' next steps in a queue ordered
// by local time (ties in graph order) and issues them in that order, running ahead of the
// kernel's time by at most a quantum (tlm_quantumkeeper). Because every b_transport and link
// reservation is issued in time order, a shared target sees its rows in arrival order and
// queues them first come, first served (rows arriving at the same instant in graph order), as
// if each op were a thread synchronized on every row, without a context switch per row.
class RowDispatcher : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_initiator_socket<RowDispatcher> socket;
  SC_HAS_PROCESS(RowDispatcher);

  RowDispatcher(sc_core::sc_module_name name, Replay& replay) : sc_module(name), replay_(replay) {
    SC_THREAD(run);
    const size_t n = replay.per_op.size();
    ops_.resize(n);
    consumers_.resize(n);
    const Mapping& map = *replay.mapping;
    const Workload& w = *replay.workload;
    for (size_t i = 0; i < n; ++i) {
      const Op& op = w.ops[i];
      OpState& s = ops_[i];
      s.rows = replay.per_op[i].rows;
      s.produced_at.assign(s.rows, SC_ZERO_TIME);
      // Through the routers a packet's flight replaces the evaluator's per-hop latency.
      s.hop = replay.mesh ? SC_ZERO_TIME : at(femtoseconds(replay.per_op[i].hop_latency_s));
      const int here = map.op_chiplet[i];
      for (int src : op.inputs) {
        // A dynamic matmul in the arrays programs its operand whole first.
        const bool programmed = src == replay.per_op[i].programmed_input;
        const bool whole = programmed || std::find(op.whole_inputs.begin(), op.whole_inputs.end(),
                                                   src) != op.whole_inputs.end();
        s.inputs.push_back(
            {src, whole, programmed ? at(femtoseconds(replay.per_op[i].program_s)) : SC_ZERO_TIME});
        const int from = map.op_chiplet[src];
        if (from == here) continue;
        const double bits = static_cast<double>(w.ops[src].output_elements) *
                            replay.costs->activation_bits / static_cast<double>(s.rows);
        s.routes.push_back(make_route(from, here, bits));
      }
      if (const Replay::Spill spill = replay.spill_of(i); spill.bits > 0) {
        if (replay.port_row[i] > SC_ZERO_TIME) s.port = spill.port;
        if (spill.from != here)
          s.routes.push_back(
              make_route(spill.from, here, spill.bits / static_cast<double>(s.rows)));
      }
    }
  }

  // Sends op i's rows to a target socket (a chiplet's tile or vector unit, the DRAM port);
  // each target is bound once, binding order is the socket index.
  void bind(int op, tlm::tlm_target_socket<>& target) {
    const auto [it, added] = bound_.try_emplace(&target, static_cast<int>(bound_.size()));
    if (added) socket.bind(target);
    ops_[op].target = it->second;
  }

 private:
  struct Route {
    std::vector<Replay::Link*> links;
    std::vector<int> routers;  // every router on the route, source to destination
    sc_time serialization;     // per row
    // Through the packet-level routers: the nodes and one row's share in flits.
    int src_node = -1, dst_node = -1;
    std::uint64_t flits = 0;
  };

  // A row's share of bits from one chiplet to another.
  Route make_route(int from, int here, double bits_per_row) {
    const double flit_bits =
        replay_.mesh ? static_cast<double>(replay_.mesh->params().flit_bits) : 1.0;
    // 64-bit: a spilled cache row over a narrow link can exceed 2^31 flits.
    const auto flits =
        static_cast<std::uint64_t>(std::max(1.0, std::ceil(bits_per_row / flit_bits - 1e-9)));
    Route r{{}, {}, at(femtoseconds(bits_per_row / replay_.costs->link_bandwidth_bps)),
            -1, -1, flits};
    if (replay_.mesh) {
      r.src_node = replay_.node_of[from];
      r.dst_node = replay_.node_of[here];
    } else {
      r.links = replay_.route(from, here);
      r.routers = replay_.routers_on_route(from, here);
    }
    return r;
  }
  struct OpState {
    std::int64_t rows = 0;
    std::int64_t next = 0;  // next row to send
    std::vector<sc_time> produced_at;
    sc_time done;  // when the last row sent is done
    sc_time hop;
    struct Input {
      int src;
      bool whole;    // needed whole
      sc_time then;  // after it arrives (KV arrays: programming its keys or values)
    };
    std::vector<Input> inputs;
    std::vector<Route> routes;  // remote inputs' routes
    size_t routed = 0;          // routes held for the next row
    int port = -1;              // the DRAM port its spilled keys and values hold first
    bool ported = false;        // the port served the next row's share
    int target = -1;
  };
  struct Waiter {
    int op;
    std::int64_t need;
  };
  struct Step {
    sc_time t;
    u64 seq;
    int op;
    bool operator>(const Step& o) const {
      if (t != o.t) return t > o.t;
      return op != o.op ? op > o.op : seq > o.seq;
    }
  };

  // Queues op i's next row at the time it is ready, or, while an input has not produced the
  // rows it needs, makes the op wait for that input. The ready time depends only on rows
  // already done, so it is found once, when the last of them is known.
  void prepare_next(int i) {
    OpState& s = ops_[i];
    if (s.next >= s.rows) return;
    sc_time ready = s.done;
    for (const auto& [src, whole, then] : s.inputs) {
      const OpState& in = ops_[src];
      const std::int64_t need =
          whole               ? in.rows
          : in.rows == s.rows ? s.next + 1
                              : std::min(in.rows, ((s.next + 1) * in.rows + s.rows - 1) / s.rows);
      if (in.next < need) {
        consumers_[src].push_back({i, need});
        return;
      }
      ready = std::max(ready, in.produced_at[need - 1] + s.hop + then);
    }
    queue_.push({ready, seq_++, i});
  }

  void run() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    sc_time now = sc_core::sc_time_stamp();
    sc_time sync_at = now + tlm::tlm_global_quantum::instance().compute_local_quantum();
    for (size_t i = 0; i < ops_.size(); ++i) prepare_next(static_cast<int>(i));
    RowJob job;
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_IGNORE_COMMAND);
    trans.set_data_ptr(reinterpret_cast<unsigned char*>(&job));
    trans.set_data_length(sizeof(job));
    sc_time end = SC_ZERO_TIME;
    while (!queue_.empty()) {
      const Step step = queue_.top();
      queue_.pop();
      const sc_time t = step.t;
      // Temporal decoupling: the kernel catches up once the dispatcher is a quantum ahead.
      if (t >= sync_at) {
        qk.set(t - now);
        qk.sync();
        now = sc_core::sc_time_stamp();
        sync_at = now + tlm::tlm_global_quantum::instance().compute_local_quantum();
      }
      OpState& s = ops_[step.op];
      // Spilled keys and values come through their DRAM port first, in arrival order.
      if (s.port >= 0 && !s.ported) {
        const auto port = static_cast<size_t>(s.port);
        const sc_time start = std::max(t, replay_.port_free_at[port]);
        const sc_time row = replay_.port_row[static_cast<size_t>(step.op)];
        replay_.port_free_at[port] = start + row;
        replay_.port_busy[port] += row;
        s.ported = true;
        queue_.push({start + row, seq_++, step.op});
        continue;
      }
      // Remote inputs hold their whole XY route for their serialization time (wormhole); a
      // route busy with another transfer delays the row.
      if (s.routed < s.routes.size() && replay_.mesh) {
        // Contention: each remote input's share of the row is a packet injected at the first
        // router cycle from now, in the dispatcher's time order; the row starts when the last
        // tail is ejected (the routers' flight and serialization replace the closed form's).
        const u64 cycle = replay_.cycle_fs;
        const u64 inject = (t.value() + cycle - 1) / cycle;
        u64 arrival = t.value();
        for (const Route& r : s.routes) {
          arrival = std::max(arrival,
                             replay_.mesh->send(r.src_node, r.dst_node, r.flits, inject) * cycle);
        }
        s.routed = s.routes.size();
        queue_.push({at(arrival), seq_++, step.op});
        continue;
      }
      if (s.routed < s.routes.size()) {
        const Route& r = s.routes[s.routed++];
        sc_time start = t;
        if (replay_.contention) {
          for (const auto* l : r.links) start = std::max(start, l->free_at);
        }
        for (auto* l : r.links) {
          l->free_at = start + r.serialization;
          l->busy += r.serialization;
        }
        for (int c : r.routers) replay_.router_busy[c] += r.serialization;
        queue_.push({start, seq_++, step.op});  // the next route, or the row itself
        continue;
      }
      s.routed = 0;
      s.ported = false;
      job.op = step.op;
      job.row = s.next;
      sc_time delay = t - now;
      socket[s.target]->b_transport(trans, delay);
      s.done = now + delay;
      end = std::max(end, s.done);
      s.produced_at[s.next++] = s.done;
      // Consumers waiting for this row find their start from its time.
      auto& waiting = consumers_[step.op];
      if (!waiting.empty()) {
        ready_.clear();
        auto kept = waiting.begin();
        for (const Waiter& c : waiting) {
          if (c.need <= s.next) {
            ready_.push_back(c);
          } else {
            *kept++ = c;
          }
        }
        waiting.erase(kept, waiting.end());
        for (const Waiter& c : ready_) prepare_next(c.op);
      }
      prepare_next(step.op);
    }
    qk.set(end - now);
    qk.sync();
  }

  Replay& replay_;
  std::vector<OpState> ops_;
  std::vector<std::vector<Waiter>> consumers_;  // per producer: ops waiting for its rows
  std::vector<Waiter> ready_;                   // scratch: waiters a row releases
  std::priority_queue<Step, std::vector<Step>, std::greater<Step>> queue_;
  u64 seq_ = 0;
  std::map<const void*, int> bound_;  // target socket -> its index on socket
};

// Weights that do not fit: one thread runs the ops one after another, as the evaluator does,
// then reprograms the arrays. Each op's rows go to the same targets as in the pipelined replay.
class SequentialRunner : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_initiator_socket<SequentialRunner> socket;
  SC_HAS_PROCESS(SequentialRunner);
  SequentialRunner(sc_core::sc_module_name name, Replay& replay, double reload_s)
      : sc_module(name),
        socket("socket"),
        replay_(replay),
        reload_s_(reload_s),
        target_(replay.per_op.size(), -1) {
    SC_THREAD(run);
  }

  // Sends op i's rows to a target socket (a chiplet's tile or vector unit, the DRAM port);
  // each target is bound once, binding order is the socket index.
  void bind(int op, tlm::tlm_target_socket<>& target) {
    const auto [it, added] = bound_.try_emplace(&target, static_cast<int>(bound_.size()));
    if (added) socket.bind(target);
    target_[op] = it->second;
  }

 private:
  void run() {
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    RowJob job;
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_IGNORE_COMMAND);
    trans.set_data_ptr(reinterpret_cast<unsigned char*>(&job));
    trans.set_data_length(sizeof(job));
    for (size_t i = 0; i < replay_.per_op.size(); ++i) {
      qk.inc(at(femtoseconds(replay_.per_op[i].hop_latency_s)));
      // A dynamic matmul in the arrays programs its keys or values before its first row.
      qk.inc(at(femtoseconds(replay_.per_op[i].program_s)));
      for (std::int64_t row = 0; row < replay_.per_op[i].rows; ++row) {
        job = {static_cast<int>(i), row};
        sc_time delay = qk.get_local_time();
        socket[target_[i]]->b_transport(trans, delay);
        qk.set(delay);
        if (qk.need_sync()) qk.sync();
      }
    }
    qk.inc(at(femtoseconds(reload_s_)));
    qk.sync();
  }
  Replay& replay_;
  double reload_s_;
  std::vector<int> target_;           // per op: its socket index
  std::map<const void*, int> bound_;  // target socket -> its index on socket
};

}  // namespace

ChipReplayResult replay_in_systemc(const Workload& w, const Mapping& map, const CostTable& costs,
                                   bool contention) {
  ReplayOptions options;
  options.contention = contention;
  return replay_in_systemc(w, map, costs, options);
}

ChipReplayResult replay_in_systemc(const Workload& w, const Mapping& map, const CostTable& costs,
                                   const ReplayOptions& options) {
  if (!(options.quantum_s >= 0) || options.quantum_s > 1.0)
    throw UserError("error: the SystemC quantum must be a time from 0 to 1s");
  int k_x = 0, k_y = 0;
  for (const auto& p : map.chiplet_position) {
    k_x = std::max(k_x, p.x + 1);
    k_y = std::max(k_y, p.y + 1);
  }
  MeshParams mesh_params =
      options.mesh ? *options.mesh
                   : MeshParams::from_link(costs.link_bandwidth_bps, costs.link_latency_per_hop_s,
                                           std::max(k_x, 1), std::max(k_y, 1));
  mesh_params.validate();
  if (mesh_params.k_x < k_x || mesh_params.k_y < k_y) {
    throw UserError(fmt::format(
        "error: the mesh's routers ({} x {}) do not reach the mapping's chiplets ({} x {})",
        mesh_params.k_x, mesh_params.k_y, k_x, k_y));
  }
  static bool elaborated = false;
  if (elaborated) panic("replay_in_systemc: SystemC elaborates once per process");
  elaborated = true;
  const auto wall_start = std::chrono::steady_clock::now();
  sc_core::sc_set_time_resolution(1, SC_FS);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(at(femtoseconds(options.quantum_s)));

  Replay replay;
  replay.workload = &w;
  replay.mapping = &map;
  replay.costs = &costs;
  replay.contention = options.contention;
  replay.per_op.resize(w.ops.size());
  replay.router_busy.assign(map.chiplet_position.size(), SC_ZERO_TIME);
  if (options.contention && map.fits) {
    replay.mesh = std::make_unique<PacketMesh>(mesh_params);
    replay.cycle_fs = std::max<u64>(1, femtoseconds(mesh_params.clock_period_s()));
    for (const auto& p : map.chiplet_position)
      replay.node_of.push_back(p.y * mesh_params.k_x + p.x);
  }
  Workspace ws;
  const Evaluation analytical = evaluate(w, map, costs, ws, replay.per_op);
  for (const OpResult& r : replay.per_op) {
    if (!std::isfinite(r.busy_s) || !std::isfinite(r.hop_latency_s) || r.busy_s < 0)
      panic("replay_in_systemc: the evaluator gave an op a time that is not finite");
  }
  replay.caches_through_dram = analytical.decode_caches_through_dram;
  replay.prepare();

  // Modules exist where an op uses them (an unbound TLM socket is an elaboration error): a
  // chiplet module per chiplet with ops placed on it (hw/system/chiplet.hpp), holding a tile
  // (arrays, ADC bank) per weight matrix placed there and its vector unit; the DRAM port.
  const bool contention = options.contention;
  const int chiplets = static_cast<int>(map.chiplet_position.size());
  const int ops = static_cast<int>(w.ops.size());
  const TileTiming timing = TileTiming::from(costs, map.input_cycles);
  // The tile's stages rebuild the cost table's vector time (to the femtosecond rounding).
  if (std::abs(static_cast<double>(timing.vector_fs()) * 1e-15 - costs.array_vector_s) >
      1e-9 * costs.array_vector_s + 2e-15)
    panic("replay_in_systemc: the tile's array and ADC bank times do not add up to array_vector_s");
  std::vector<ChipletPlan> plans(static_cast<size_t>(chiplets));
  bool uses_dram = false;
  for (int i = 0; i < ops; ++i) {
    const OpKind kind = w.ops[i].kind;
    if (kind == OpKind::embedding) {
      uses_dram = true;
      continue;
    }
    const int c = map.op_chiplet[i];
    if (c < 0 || c >= chiplets) panic("replay_in_systemc: an op placed on no chiplet");
    ChipletPlan& plan = plans[static_cast<size_t>(c)];
    if (kind == OpKind::dynamic_matmul && map.op_matrix[i] >= 0) {
      plan.operand_ops.push_back({i, map.op_matrix[i]});
    } else if (kind == OpKind::weight_matmul) {
      plan.tiles.push_back({i, map.op_matrix[i],
                            map.matrices[static_cast<size_t>(map.op_matrix[i])].groups_per_array,
                            replay.tile_actions[i], replay.input_fill[i]});
    } else {
      plan.vector_ops.push_back(i);
    }
  }
  std::vector<std::unique_ptr<Chiplet>> chiplet_modules(static_cast<size_t>(chiplets));
  for (int c = 0; c < chiplets; ++c) {
    const ChipletPlan& plan = plans[static_cast<size_t>(c)];
    if (plan.tiles.empty() && plan.vector_ops.empty() && plan.operand_ops.empty()) continue;
    chiplet_modules[c] =
        std::make_unique<Chiplet>(("chiplet_" + std::to_string(c)).c_str(), ops, plan, timing,
                                  replay.row_service, &replay, contention);
  }
  std::unique_ptr<RowServer> dram;
  if (uses_dram)
    dram = std::make_unique<RowServer>("dram_port", replay.row_service, &replay, contention);
  auto bind_all = [&](auto& initiator) {
    for (int i = 0; i < ops; ++i) {
      if (w.ops[i].kind == OpKind::embedding) {
        initiator.bind(i, dram->socket);
      } else {
        initiator.bind(i, chiplet_modules[map.op_chiplet[i]]->socket_for(i));
      }
    }
  };
  std::unique_ptr<RowDispatcher> dispatcher;
  std::unique_ptr<SequentialRunner> sequential;
  if (map.fits) {
    dispatcher = std::make_unique<RowDispatcher>("dispatcher", replay);
    bind_all(*dispatcher);
  } else {
    sequential =
        std::make_unique<SequentialRunner>("sequential", replay, analytical.reload_latency_s);
    bind_all(*sequential);
  }

  const auto sim_start = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const auto sim_end = std::chrono::steady_clock::now();

  ChipReplayResult result;
  result.counts = replay.counts;
  result.component_transactions = replay.transactions;
  for (int c = 0; c < chiplets; ++c) {
    const Chiplet* chiplet = chiplet_modules[c].get();
    if (!chiplet) continue;
    ChipletUse use;
    use.chiplet = c;
    use.name = chiplet->name();
    for (const sc_core::sc_object* child : chiplet->get_child_objects()) {
      if (dynamic_cast<const sc_core::sc_module*>(child)) use.children.push_back(child->name());
    }
    for (const auto& t : chiplet->tiles()) {
      result.counts += t->counts();
      result.component_transactions += t->inner_transactions();
      use.array_busy_s += t->arrays().busy().to_seconds();
      use.adc_bank_busy_s += t->adc().busy().to_seconds();
      use.rows += t->rows();
      result.tile_wait_s += t->waited().to_seconds();
    }
    for (const auto& kv : chiplet->operand_arrays()) {
      use.kv_arrays_busy_s += kv->busy().to_seconds();
      use.rows += kv->rows();
    }
    // Programming the keys and values precedes each op's first row (the dispatcher's wait).
    for (const auto& o : plans[static_cast<size_t>(c)].operand_ops)
      use.kv_arrays_busy_s += replay.per_op[static_cast<size_t>(o.op)].program_s;
    if (const RowServer* v = chiplet->vector_unit()) {
      use.vector_unit_busy_s = v->busy().to_seconds();
      use.rows += v->rows();
    }
    use.tiles = static_cast<int>(chiplet->tiles().size());
    result.tiles += use.tiles;
    result.array_busy_s += use.array_busy_s;
    result.adc_bank_busy_s += use.adc_bank_busy_s;
    result.chiplets.push_back(std::move(use));
  }
  if (!map.fits) {
    result.counts[Action::cell_write] += map.reloaded_cells;
    result.counts[Action::dram_bit] += map.reloaded_weight_bits;
    result.counts[Action::link_bit_hop] += map.reload_link_bit_hops;
  }
  result.latency_s = sc_core::sc_time_stamp().to_seconds();
  result.analytical_latency_s = analytical.latency_s;
  result.transactions = replay.transactions;
  result.quantum_s = options.quantum_s;
  result.mesh = mesh_params;
  result.vector_unit_utilization.assign(static_cast<size_t>(chiplets), 0.0);
  for (const ChipletUse& use : result.chiplets) {
    if (result.latency_s > 0)
      result.vector_unit_utilization[use.chiplet] = use.vector_unit_busy_s / result.latency_s;
  }
  // The busiest DRAM port: the first reads the embeddings; spills hold the port serving them.
  if (result.latency_s > 0) {
    for (size_t p = 0; p < replay.port_busy.size(); ++p) {
      const double busy =
          replay.port_busy[p].to_seconds() + (p == 0 && dram ? dram->busy().to_seconds() : 0.0);
      result.dram_utilization = std::max(result.dram_utilization, busy / result.latency_s);
    }
  }
  const double cycle_s = static_cast<double>(replay.cycle_fs) * 1e-15;
  if (replay.mesh) {
    // Links from the packet-level routers: flits sent x the cycle.
    const MeshParams& mp = replay.mesh->params();
    for (int node = 0; node < mp.nodes(); ++node) {
      const auto& st = replay.mesh->routers()[static_cast<size_t>(node)];
      for (int d = 0; d < 4; ++d) {
        if (st.link_flits[d] == 0) continue;
        LinkUse use;
        use.from_x = node % mp.k_x;
        use.from_y = node / mp.k_x;
        use.to_x = use.from_x + (d == 0 ? 1 : d == 1 ? -1 : 0);
        use.to_y = use.from_y + (d == 2 ? 1 : d == 3 ? -1 : 0);
        use.direction = "EWNS"[d];
        use.utilization = result.latency_s > 0
                              ? static_cast<double>(st.link_flits[d]) * cycle_s / result.latency_s
                              : 0;
        result.links.push_back(use);
      }
    }
    result.mesh_packets = replay.mesh->packets();
    result.mesh_packets_at_once = replay.mesh->packets_booked_at_once();
    result.mesh_excess_s = static_cast<double>(replay.mesh->excess_cycles()) * cycle_s;
  }
  for (const auto& [key, link] : replay.links) {
    if (key.second >= 4) continue;  // injection and ejection ports are not die-to-die links
    const auto& p = map.chiplet_position[key.first];
    LinkUse use;
    use.from_x = p.x;
    use.from_y = p.y;
    use.to_x = p.x + (key.second == 0 ? 1 : key.second == 1 ? -1 : 0);
    use.to_y = p.y + (key.second == 2 ? 1 : key.second == 3 ? -1 : 0);
    use.direction = "EWNS"[key.second];
    use.utilization = result.latency_s > 0 ? link.busy.to_seconds() / result.latency_s : 0;
    result.links.push_back(use);
  }
  // Router utilization: busy output-port time over latency x output ports (the ejection port
  // and one per neighbour on the mesh), the definition hw/mesh uses for synthetic traffic.
  for (size_t c = 0; c < map.chiplet_position.size(); ++c) {
    const auto& p = map.chiplet_position[c];
    RouterUse use;
    use.chiplet = static_cast<int>(c);
    use.x = p.x;
    use.y = p.y;
    use.output_ports = 1 + (p.x > 0) + (p.x + 1 < k_x) + (p.y > 0) + (p.y + 1 < k_y);
    double busy_s = replay.router_busy[c].to_seconds();
    if (replay.mesh && result.latency_s > 0) {
      const auto& st = replay.mesh->routers()[static_cast<size_t>(replay.node_of[c])];
      busy_s = static_cast<double>(st.flits_switched) * cycle_s;
      use.buffer_occupancy_flits =
          static_cast<double>(st.buffered_flit_cycles) * cycle_s / result.latency_s;
      use.blocked_flits = static_cast<double>(st.blocked_flit_cycles) * cycle_s / result.latency_s;
    }
    use.utilization = result.latency_s > 0 ? busy_s / (result.latency_s * use.output_ports) : 0;
    result.routers.push_back(use);
  }
  result.sim_wall_s = std::chrono::duration<double>(sim_end - sim_start).count();
  result.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

void write_link_csv(const ChipReplayResult& result, const std::string& path) {
  write_output_file(path, link_csv(result));
}

void write_router_csv(const ChipReplayResult& result, const std::string& path) {
  write_output_file(path, router_csv(result));
}

std::string link_csv(const ChipReplayResult& result) {
  std::ostringstream out;
  out << "from_x,from_y,to_x,to_y,direction,utilization\n";
  for (const auto& l : result.links) {
    out << l.from_x << ',' << l.from_y << ',' << l.to_x << ',' << l.to_y << ',' << l.direction
        << ',' << l.utilization << '\n';
  }
  return out.str();
}

std::string router_csv(const ChipReplayResult& result) {
  std::ostringstream out;
  out << "x,y,chiplet,output_ports,utilization,buffer_occupancy_flits,blocked_flits\n";
  for (const auto& r : result.routers) {
    out << r.x << ',' << r.y << ',' << r.chiplet << ',' << r.output_ports << ',' << r.utilization
        << ',' << r.buffer_occupancy_flits << ',' << r.blocked_flits << '\n';
  }
  return out.str();
}

std::string router_utilization_grid(const ChipReplayResult& result) {
  int k_x = 0, k_y = 0;
  for (const auto& r : result.routers) {
    k_x = std::max(k_x, r.x + 1);
    k_y = std::max(k_y, r.y + 1);
  }
  auto print_grid = [&](const char* title, auto field) {
    std::vector<double> grid(static_cast<size_t>(k_x) * k_y, 0.0);
    for (const auto& r : result.routers) grid[static_cast<size_t>(r.y) * k_x + r.x] = field(r);
    std::string out = title;
    char cell[32];
    for (int y = k_y - 1; y >= 0; --y) {
      std::snprintf(cell, sizeof(cell), "    y=%-3d", y);
      out += cell;
      for (int x = 0; x < k_x; ++x) {
        std::snprintf(cell, sizeof(cell), " %7.4f", grid[static_cast<size_t>(y) * k_x + x]);
        out += cell;
      }
      out += "\n";
    }
    return out;
  };
  std::string out = print_grid(
      "  router utilization per chiplet (output-port time switching data / (latency x ports)), "
      "north row first:\n",
      [](const RouterUse& r) { return r.utilization; });
  bool buffered = false;
  for (const auto& r : result.routers) buffered = buffered || r.buffer_occupancy_flits > 0;
  if (buffered) {
    out += print_grid(
        "  router input buffers per chiplet: mean flits held (flit-time / latency), north row "
        "first:\n",
        [](const RouterUse& r) { return r.buffer_occupancy_flits; });
    out += print_grid(
        "  of which blocked beyond the router pipeline (output held, no credit, or behind a "
        "blocked flit):\n",
        [](const RouterUse& r) { return r.blocked_flits; });
  }
  return out;
}

}  // namespace cimsim
