// The chip in SystemC: a mapping replayed as TLM-2.0 loosely-timed transactions.
//
// Every op streams its rows (token vectors): row r starts once its own row r - 1 is done and
// its inputs have produced the rows it needs (all of them for an input needed whole, such as the
// keys of bidirectional attention), plus the inputs' per-hop latency. Each row is one
// b_transport to the resource that computes it: the tile of the op's weight matrix (which
// forwards the vector to its crossbar-array and ADC-bank modules, hw/system/tile.hpp, timed from
// the cost table's read_cycle_s and adc_bank_s), the vector unit of the op's chiplet, or the
// DRAM port. The vector unit and the DRAM port annotate a row's time from the same per-op
// timing the analytical evaluator uses; a shared target (vector unit, DRAM) queues rows that
// arrive while it is busy, which is the contention the closed form leaves out. With contention
// off every target is private and the replay reproduces the analytical latency. Targets count
// actions as they serve rows: a tile's arrays, ADC bank and shift-add/buffers vector by vector
// with the same count_weight_matmul as the evaluator, other ops their per-row share, so the
// totals must equal the analytical counts. Mesh transfers are timed as serialization plus hop
// latency, as in the evaluator, and each row's transfer also holds every link of its XY route for
// its serialization time (wormhole: the route is held end to end), so transfers that share a link
// wait for each other; this is where link contention and per-link utilization come from. (The
// cycle-level mesh with router buffers is hw/mesh, driven by `cimsim mesh`.) One initiator, the
// dispatcher (the chip's control), issues every op's rows in the order of their local time and runs
// ahead of the kernel by at most the quantum (temporal decoupling with a tlm_quantumkeeper).
// Issuing in time order is what keeps a shared target first come, first served while the dispatcher
// runs ahead; the result does not depend on the quantum, which only sets how often the kernel's
// time catches up (and so how often other processes could run). One replay per process: SystemC
// elaborates once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/cost/cost_table.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

struct LinkUse {
  int from_x = 0, from_y = 0, to_x = 0, to_y = 0;
  char direction = 'E';    // E, W, N, S
  double utilization = 0;  // busy / latency
};

struct RouterUse {
  int chiplet = 0, x = 0, y = 0;
  int output_ports = 0;    // ejection plus one per mesh neighbour
  double utilization = 0;  // output-port time switching data / (latency x output_ports)
};

struct ChipReplayResult {
  std::vector<LinkUse> links;      // every die-to-die link that carried data
  std::vector<RouterUse> routers;  // every chiplet's router
  ActionCounts counts;
  double latency_s = 0;
  double analytical_latency_s = 0;
  std::uint64_t transactions = 0;  // rows: the b_transport calls the chip's control issues
  // Every b_transport call, the tiles' calls to their arrays and ADC banks included.
  std::uint64_t component_transactions = 0;
  double quantum_s = 0;
  double wall_s = 0;      // the whole call: evaluation, elaboration, simulation
  double sim_wall_s = 0;  // sc_start only
  std::vector<double> vector_unit_utilization;  // per chiplet: busy / latency
  // The tiles (one per weight matrix): busy time of their crossbar arrays and of their ADC
  // banks, summed over tiles, and the time rows waited for a tile's input buffer, arrays or
  // bank (zero when no tile is shared: every matrix has its own arrays).
  int tiles = 0;
  double array_busy_s = 0;
  double adc_bank_busy_s = 0;
  double tile_wait_s = 0;
  double dram_utilization = 0;
};

// Writes the links' utilization as a heatmap-ready CSV (the columns of hw/mesh's CSV).
void write_link_csv(const ChipReplayResult& result, const std::string& path);
// Writes each chiplet's router utilization as a heatmap-ready CSV:
//   x,y,chiplet,output_ports,utilization
void write_router_csv(const ChipReplayResult& result, const std::string& path);
// Router utilization as a k_y x k_x grid, north row first (as `cimsim mesh` prints it).
std::string router_utilization_grid(const ChipReplayResult& result);

struct ReplayOptions {
  bool contention = true;  // false: every target private (reproduces the closed form)
  // How far the dispatcher may run ahead of the kernel's time. 1 us is about one BERT row on a
  // vector unit (a few kernel syncs per op); the replay's figures do not depend on it.
  double quantum_s = 1e-6;
};

ChipReplayResult replay_in_systemc(const Workload& workload, const Mapping& mapping,
                                   const CostTable& costs, const ReplayOptions& options);
ChipReplayResult replay_in_systemc(const Workload& workload, const Mapping& mapping,
                                   const CostTable& costs, bool contention);

}  // namespace cimsim
