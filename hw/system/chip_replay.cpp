#include "hw/system/chip_replay.hpp"

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <systemc>
#include <tlm>

#include "models/core/error.hpp"

namespace cimsim {

namespace {

using sc_core::SC_FS;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

sc_time seconds(double s) {
  return sc_time(s * 1e15, SC_FS);
}

struct RowJob {
  int op = 0;
  std::int64_t row = 0;
};

// What every module reads: the workload, the mapping and the analytical per-op timing.
struct Replay {
  const Workload* workload = nullptr;
  const Mapping* mapping = nullptr;
  const CostTable* costs = nullptr;
  std::vector<OpResult> per_op;
  ActionCounts counts;
  std::uint64_t transactions = 0;
  bool contention = true;

  // Die-to-die links, keyed by (chiplet, direction 0..3 = E, W, N, S).
  struct Link {
    sc_time free_at = SC_ZERO_TIME;
    sc_time busy = SC_ZERO_TIME;
  };
  std::map<std::pair<int, int>, Link> links;

  int chiplet_at(int x, int y) const {
    const auto& pos = mapping->chiplet_position;
    for (size_t c = 0; c < pos.size(); ++c)
      if (pos[c].x == x && pos[c].y == y) return static_cast<int>(c);
    panic("chip replay: no chiplet at a mesh position on a route");
  }

  // The XY route's links from chiplet a to chiplet b.
  std::vector<Link*> route(int a, int b) {
    std::vector<Link*> path;
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
    return path;
  }

  // Counts of one row of op i.
  void count_row(int i, std::int64_t row) {
    const Op& op = workload->ops[i];
    const OpResult& r = per_op[i];
    ActionCounts share;
    const std::int64_t rows = r.rows;
    for (int a = 0; a < kNumActions; ++a) {
      const std::uint64_t total = r.counts.count[a];
      share.count[a] = total / rows + (row == rows - 1 ? total % rows : 0);
    }
    if (op.kind == OpKind::weight_matmul) {
      // The arrays count their own work, one input vector at a time.
      Op one = op;
      one.m = 1;
      ActionCounts arrays;
      const Mapping& m = *mapping;
      count_weight_matmul(one, m.matrices[m.op_matrix[i]], *costs, m.input_cycles,
                          m.columns_per_weight, m.offset_column, m.dac_inputs, arrays);
      for (Action a : {Action::cell_read, Action::row_drive, Action::dac_conversion,
                       Action::adc_conversion, Action::shift_add, Action::partial_sum_add,
                       Action::tile_buffer_bit, Action::global_buffer_bit}) {
        share[a] = arrays[a];
      }
    }
    counts += share;
  }
};

// A resource that computes rows: annotates each row's time, queueing rows when shared.
class RowTarget : public sc_core::sc_module {
 public:
  // Many ops share one vector unit or the DRAM port: a multi-socket takes them all.
  tlm_utils::multi_passthrough_target_socket<RowTarget> socket;

  RowTarget(sc_core::sc_module_name name, Replay& replay, bool shared)
      : sc_module(name), socket("socket"), replay_(replay), shared_(shared) {
    socket.register_b_transport(this, &RowTarget::b_transport);
  }

  sc_time busy() const { return busy_; }

 private:
  void b_transport(int /*initiator*/, tlm::tlm_generic_payload& trans, sc_time& delay) {
    const auto* job = reinterpret_cast<const RowJob*>(trans.get_data_ptr());
    const OpResult& r = replay_.per_op[job->op];
    const sc_time service = seconds(r.busy_s / static_cast<double>(r.rows));
    sc_time start = sc_core::sc_time_stamp() + delay;
    if (shared_ && start < free_at_) start = free_at_;
    free_at_ = start + service;
    busy_ += service;
    delay = free_at_ - sc_core::sc_time_stamp();
    replay_.count_row(job->op, job->row);
    ++replay_.transactions;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  Replay& replay_;
  bool shared_;
  sc_time free_at_ = SC_ZERO_TIME;
  sc_time busy_ = SC_ZERO_TIME;
};

// One op: streams its rows to its target as inputs make them available.
class OpInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<OpInitiator> socket;
  SC_HAS_PROCESS(OpInitiator);

  OpInitiator(sc_core::sc_module_name name, Replay& replay, int op,
              std::vector<std::unique_ptr<OpInitiator>>& all)
      : sc_module(name), socket("socket"), replay_(replay), op_(op), all_(all) {
    SC_THREAD(run);
  }

  std::int64_t produced = 0;
  std::vector<sc_time> produced_at;
  sc_core::sc_event row_done;

 private:
  void run() {
    const Op& op = replay_.workload->ops[op_];
    const OpResult& r = replay_.per_op[op_];
    const std::int64_t rows = r.rows;
    produced_at.assign(rows, SC_ZERO_TIME);
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    RowJob job{op_, 0};
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_IGNORE_COMMAND);
    trans.set_data_ptr(reinterpret_cast<unsigned char*>(&job));
    trans.set_data_length(sizeof(job));
    for (std::int64_t row = 0; row < rows; ++row) {
      sc_time ready = SC_ZERO_TIME;
      for (int src : op.inputs) {
        OpInitiator& in = *all_[src];
        const std::int64_t src_rows = replay_.per_op[src].rows;
        const bool whole =
            std::find(op.whole_inputs.begin(), op.whole_inputs.end(), src) != op.whole_inputs.end();
        // Rows map proportionally when producer and consumer stream different counts.
        const std::int64_t need =
            whole ? src_rows : std::min(src_rows, ((row + 1) * src_rows + rows - 1) / rows);
        while (in.produced < need) sc_core::wait(in.row_done);
        ready = std::max(ready, in.produced_at[need - 1] + seconds(r.hop_latency_s));
      }
      if (ready > sc_core::sc_time_stamp()) sc_core::wait(ready - sc_core::sc_time_stamp());
      hold_routes(op, row);
      job.row = row;
      sc_time delay = qk.get_local_time();
      socket->b_transport(trans, delay);
      qk.set(delay);
      qk.sync();  // consumers wait on this row: make its time global before announcing it
      produced_at[row] = sc_core::sc_time_stamp();
      produced = row + 1;
      row_done.notify();
    }
  }

  // Each remote input's share of this row holds its whole XY route for its serialization time;
  // a route busy with another transfer delays the row.
  void hold_routes(const Op& op, std::int64_t row) {
    const int here = replay_.mapping->op_chiplet[op_];
    const std::int64_t rows = replay_.per_op[op_].rows;
    for (int src : op.inputs) {
      const int from = replay_.mapping->op_chiplet[src];
      if (from == here) continue;
      const double bits = static_cast<double>(replay_.workload->ops[src].output_elements) *
                          replay_.costs->activation_bits / static_cast<double>(rows);
      const sc_time serialization = seconds(bits / replay_.costs->link_bandwidth_bps);
      std::vector<Replay::Link*> path = replay_.route(from, here);
      sc_time start = sc_core::sc_time_stamp();
      if (replay_.contention) {
        for (auto* l : path) start = std::max(start, l->free_at);
      }
      for (auto* l : path) {
        l->free_at = start + serialization;
        l->busy += serialization;
      }
      (void)row;
      if (start > sc_core::sc_time_stamp()) sc_core::wait(start - sc_core::sc_time_stamp());
    }
  }

  Replay& replay_;
  int op_;
  std::vector<std::unique_ptr<OpInitiator>>& all_;
};

// Weights that do not fit: one thread runs the ops one after another, as the evaluator does,
// then reprograms the arrays.
class SequentialRunner : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<SequentialRunner> socket;
  SC_HAS_PROCESS(SequentialRunner);
  SequentialRunner(sc_core::sc_module_name name, Replay& replay, double reload_s)
      : sc_module(name), socket("socket"), replay_(replay), reload_s_(reload_s) {
    SC_THREAD(run);
  }

 private:
  void run() {
    RowJob job;
    tlm::tlm_generic_payload trans;
    trans.set_data_ptr(reinterpret_cast<unsigned char*>(&job));
    for (size_t i = 0; i < replay_.per_op.size(); ++i) {
      sc_core::wait(seconds(replay_.per_op[i].hop_latency_s));
      for (std::int64_t row = 0; row < replay_.per_op[i].rows; ++row) {
        job = {static_cast<int>(i), row};
        sc_time delay = SC_ZERO_TIME;
        socket->b_transport(trans, delay);
        sc_core::wait(delay);
      }
    }
    sc_core::wait(seconds(reload_s_));
  }
  Replay& replay_;
  double reload_s_;
};

}  // namespace

ChipReplayResult replay_in_systemc(const Workload& w, const Mapping& map, const CostTable& costs,
                                   bool contention) {
  static bool elaborated = false;
  if (elaborated) panic("replay_in_systemc: SystemC elaborates once per process");
  elaborated = true;
  const auto wall_start = std::chrono::steady_clock::now();
  sc_core::sc_set_time_resolution(1, SC_FS);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, sc_core::SC_NS));

  Replay replay;
  replay.workload = &w;
  replay.mapping = &map;
  replay.costs = &costs;
  replay.contention = contention;
  replay.per_op.resize(w.ops.size());
  Workspace ws;
  const Evaluation analytical = evaluate(w, map, costs, ws, replay.per_op);

  // Targets exist where an op uses them (an unbound TLM socket is an elaboration error).
  const int chiplets = static_cast<int>(map.chiplet_position.size());
  std::vector<std::unique_ptr<RowTarget>> vector_units(chiplets);
  auto vector_unit = [&](int c) -> RowTarget& {
    if (!vector_units[c]) {
      vector_units[c] = std::make_unique<RowTarget>(("vector_unit_" + std::to_string(c)).c_str(),
                                                    replay, contention);
    }
    return *vector_units[c];
  };
  std::unique_ptr<RowTarget> dram;
  std::vector<std::unique_ptr<RowTarget>> arrays;
  std::vector<std::unique_ptr<OpInitiator>> ops;
  std::unique_ptr<SequentialRunner> sequential;
  std::unique_ptr<RowTarget> any;  // the sequential runner's single target
  if (map.fits) {
    for (size_t i = 0; i < w.ops.size(); ++i) {
      ops.push_back(std::make_unique<OpInitiator>(sc_core::sc_gen_unique_name("op"), replay,
                                                  static_cast<int>(i), ops));
      const Op& op = w.ops[i];
      if (op.kind == OpKind::weight_matmul) {
        arrays.push_back(
            std::make_unique<RowTarget>(sc_core::sc_gen_unique_name("arrays"), replay, false));
        ops.back()->socket.bind(arrays.back()->socket);
      } else if (op.kind == OpKind::embedding) {
        if (!dram) dram = std::make_unique<RowTarget>("dram_port", replay, contention);
        ops.back()->socket.bind(dram->socket);
      } else {
        ops.back()->socket.bind(vector_unit(map.op_chiplet[i]).socket);
      }
    }
  } else {
    sequential =
        std::make_unique<SequentialRunner>("sequential", replay, analytical.reload_latency_s);
    any = std::make_unique<RowTarget>("whole_chip", replay, false);
    sequential->socket.bind(any->socket);
  }

  sc_core::sc_start();

  ChipReplayResult result;
  result.counts = replay.counts;
  if (!map.fits) {
    result.counts[Action::cell_write] += map.cells_used;
    result.counts[Action::dram_bit] += map.weight_bits_total;
  }
  result.latency_s = sc_core::sc_time_stamp().to_seconds();
  result.analytical_latency_s = analytical.latency_s;
  result.transactions = replay.transactions;
  for (const auto& v : vector_units) {
    const double busy = v ? v->busy().to_seconds() : 0.0;
    result.vector_unit_utilization.push_back(result.latency_s > 0 ? busy / result.latency_s : 0);
  }
  if (dram && result.latency_s > 0)
    result.dram_utilization = dram->busy().to_seconds() / result.latency_s;
  for (const auto& [key, link] : replay.links) {
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
  result.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

void write_link_csv(const ChipReplayResult& result, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw UserError(path + ": error: cannot write the link utilization CSV");
  out << "from_x,from_y,to_x,to_y,direction,utilization\n";
  for (const auto& l : result.links) {
    out << l.from_x << ',' << l.from_y << ',' << l.to_x << ',' << l.to_y << ',' << l.direction
        << ',' << l.utilization << '\n';
  }
}

}  // namespace cimsim
