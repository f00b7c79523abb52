// The chip in SystemC: a mapping replayed as TLM-2.0 loosely-timed transactions.
//
// Every op streams its rows (token vectors): row r starts once its own row r - 1 is done and
// its inputs have produced the rows it needs (all of them for an input needed whole, such as the
// keys of bidirectional attention), plus the inputs' per-hop latency. Each row is one
// b_transport to the resource that computes it: the tile of the op's weight matrix (which
// forwards the vector to its crossbar-array and ADC-bank modules, hw/system/tile.hpp, timed from
// the cost table's read_cycle_s and adc_bank_s), the vector unit of the op's chiplet (both
// children of that chiplet's Chiplet module, hw/system/chiplet.hpp), or the DRAM port. The vector
// unit and the DRAM port annotate a row's time from the same per-op timing the analytical evaluator
// uses; a shared target (vector unit, DRAM) queues rows that arrive while it is busy, which is the
// contention the closed form leaves out. With contention off every target is private and the replay
// reproduces the analytical latency. Targets count actions as they serve rows: a tile's arrays, ADC
// bank and shift-add/buffers vector by vector with the same count_weight_matmul as the evaluator,
// other ops their per-row share, so the totals must equal the analytical counts. With contention,
// each remote input's share of a row is a packet sent through the die-to-die mesh's routers
// (hw/mesh/packet_mesh.hpp: XY routing, wormhole, finite input buffers with credit backpressure,
// the router parameters of hw/mesh's cycle-level model), between the chiplets the mapping placed
// the two ops on; the row starts when its last packet's tail is ejected, which replaces the
// evaluator's serialization plus per-hop latency, so buffer occupancy, backpressure and
// head-of-line blocking add latency. Without contention, transfers are timed as the evaluator times
// them (serialization plus hop latency) and only book link and router busy time on their XY route.
// One initiator, the dispatcher (the chip's control), issues every op's rows in the order of their
// local time and runs ahead of the kernel by at most the quantum (temporal decoupling with a
// tlm_quantumkeeper). Issuing in time order is what keeps a shared target first come, first served
// while the dispatcher runs ahead; the result does not depend on the quantum, which only sets how
// often the kernel's time catches up (and so how often other processes could run). One replay per
// process: SystemC elaborates once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/mesh/mesh_params.hpp"
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
  // With contention (the packet-level routers, hw/mesh/packet_mesh.hpp): flits in the router's
  // input buffers, averaged over the latency (Little's law: flit-time buffered / latency), and
  // the part of them blocked beyond the router pipeline (waiting for an output another packet
  // holds, for a credit, or behind a blocked flit in the same FIFO). Zero without contention.
  double buffer_occupancy_flits = 0;
  double blocked_flits = 0;
};

// One chiplet module (hw/system/chiplet.hpp) after the replay: its children in the SystemC
// hierarchy and what they were busy with.
struct ChipletUse {
  int chiplet = 0;
  std::string name;                   // hierarchical name, e.g. chiplet_3
  std::vector<std::string> children;  // child modules' names: chiplet_3.tile_12, ...
  int tiles = 0;
  double array_busy_s = 0;     // its tiles' crossbar arrays, summed
  double adc_bank_busy_s = 0;  // its tiles' ADC banks, summed
  double vector_unit_busy_s = 0;
  double kv_arrays_busy_s = 0;  // arrays of activation matmuls (chiplet.dynamic_matmuls: arrays),
                                // programming included
  std::uint64_t rows = 0;       // rows its tiles, vector unit and KV arrays served
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
  // The chiplet modules, in chiplet order (only chiplets with ops placed on them exist).
  std::vector<ChipletUse> chiplets;
  // With contention: packets (one per row per remote input) sent through the packet-level
  // routers, and the latency they took beyond their zero-load latency T0, summed.
  std::uint64_t mesh_packets = 0;
  std::uint64_t mesh_packets_at_once = 0;  // of them, met nothing and were booked whole
  double mesh_excess_s = 0;
  MeshParams mesh;  // the routers' parameters (with contention)
};

// The links' utilization as a heatmap-ready CSV (the columns of hw/mesh's CSV).
std::string link_csv(const ChipReplayResult& result);
// Each chiplet's router utilization as a heatmap-ready CSV:
//   x,y,chiplet,output_ports,utilization,buffer_occupancy_flits,blocked_flits
std::string router_csv(const ChipReplayResult& result);
// The same, written to `path` (write_output_file).
void write_link_csv(const ChipReplayResult& result, const std::string& path);
void write_router_csv(const ChipReplayResult& result, const std::string& path);
// Router utilization as a k_y x k_x grid, north row first (as `cimsim mesh` prints it).
// With contention it also prints the mean buffer occupancy per router.
std::string router_utilization_grid(const ChipReplayResult& result);

struct ReplayOptions {
  // true: shared targets queue, and activations crossing chiplets go through the packet-level
  // routers (finite input buffers, credit backpressure, XY routing). false: every target
  // private and transfers timed as the evaluator times them (reproduces the closed form).
  bool contention = true;
  // The routers of the die-to-die mesh (MeshParams::from_arch for an architecture). Unset: the
  // link card's figures from the cost table (MeshParams::from_link) and the mapping's grid.
  std::optional<MeshParams> mesh;
  // How far the dispatcher may run ahead of the kernel's time. 1 us is about one BERT row on a
  // vector unit (a few kernel syncs per op); the replay's figures do not depend on it.
  double quantum_s = 1e-6;
};

ChipReplayResult replay_in_systemc(const Workload& workload, const Mapping& mapping,
                                   const CostTable& costs, const ReplayOptions& options);
ChipReplayResult replay_in_systemc(const Workload& workload, const Mapping& mapping,
                                   const CostTable& costs, bool contention);

}  // namespace cimsim
