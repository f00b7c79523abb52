// The analytical evaluator: action counts, energy and latency of a mapped workload in closed
// form. Plain C++, thread-safe (no shared state), no allocation when given a Workspace.
//
// Op times: a weight matmul of M vectors takes M * input_cycles * max(read pulse,
// columns_per_adc / f_ADC, 1 / clock); a vector-unit op takes (ops + 10 * specials) /
// (lanes * clock); a mesh transfer takes bits / link bandwidth plus hops * per-hop latency once;
// DRAM reads bits / DRAM bandwidth.
// Latency: weights stay in place, so ops stream token vectors through the chip as a pipeline
// (ISAAC, Shafiee et al., ISCA 2016): each op emits row r once its inputs have emitted row r and
// it has finished row r-1. Bidirectional attention needs every key and value before its first
// query row (a barrier); causal attention and decode do not. Contention between ops sharing a
// chiplet's vector unit is not modelled in the latency (it is in the throughput).
// Throughput: inferences pipeline behind each other, so the busiest resource (one matrix's
// arrays, one chiplet's vector unit, the DRAM port) sets the rate (other batches' decode steps
// overlap, their caches in the global buffer); but when the KV cache sits in the arrays, they
// hold this batch's cache only, the next pass they can serve is this batch's next step, and
// that needs this step's token: the rate is then at most 1 / latency. When the weights do not fit,
// each pass reprograms the arrays and ops run one after another with nothing overlapped.
// Activation matmuls in the arrays (chiplet.dynamic_matmuls: arrays) wait for their keys or
// values whole, program them (each array its rows one after another, write_time per row), then
// stream their query vectors like a weight matmul; their arrays count as a matrix for the
// throughput.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "mapper/mapping.hpp"
#include "models/core/actions.hpp"
#include "models/cost/cost_table.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

struct OpResult {
  ActionCounts counts;
  double latency_s = 0;  // compute plus the transfers of its inputs
  double energy_j = 0;
  std::int64_t rows = 0;     // token vectors the op streams
  double busy_s = 0;         // time proportional to the data (all rows), incl. link serialization
  double hop_latency_s = 0;  // per-hop latency its inputs pay once
  // A dynamic matmul in the arrays: programming its keys or values, part of busy_s, done once
  // its operand has arrived whole and before its first row.
  double program_s = 0;
  int programmed_input = -1;  // the input it programs (its operand), -1 when none
};

// The actions a matrix's arrays perform for m input vectors through its K x N placement
// (linear in m, so a replay may count vector by vector).
void count_array_matmul(std::uint64_t m, std::uint64_t k, std::uint64_t n, const MatrixPlacement& p,
                        const CostTable& c, int input_cycles, int columns_per_weight, bool offset,
                        bool dac, ActionCounts& a);
// The same for a weight matmul's `op.m` vectors.
void count_weight_matmul(const Op& op, const MatrixPlacement& p, const CostTable& c,
                         int input_cycles, int columns_per_weight, bool offset, bool dac,
                         ActionCounts& a);
// A dynamic matmul in the arrays: the cells it programs this pass (keys or values, at the
// arrays' columns per weight) and the buffer bits read to program them.
void count_operand_writes(const MatrixPlacement& p, const CostTable& c, int columns_per_weight,
                          ActionCounts& a);
// Time to program them: each array writes its rows one after another, all arrays at once.
double operand_write_s(const MatrixPlacement& p, const CostTable& c, int rows_per_array);

// What sets the throughput: one pass every bottleneck_s.
enum class ThroughputBound {
  latency,        // passes do not overlap (weights reprogrammed, a cache in the arrays, or the
                  // one-at-a-time rate of a spilled decode cache)
  arrays,         // the slowest weight matrix (or attention) in the arrays
  vector_unit,    // the busiest chiplet's vector unit
  dram_port,      // the DRAM port
  link,           // the busiest die-to-die link
  global_buffer,  // the latency over the batches whose decode caches the buffers hold at once
};
const char* throughput_bound_name(ThroughputBound b);

struct Evaluation {
  ActionCounts counts;
  std::array<double, kNumComponents> energy_by_component_j{};
  double energy_j = 0;
  double latency_s = 0;
  double reload_latency_s = 0;  // part of latency_s spent reprogramming weights
  // Its parts, which overlap (the slowest is reload_latency_s): reading the weights from DRAM,
  // sending them over the busiest die-to-die link, writing the arrays' rows round by round.
  double reload_dram_s = 0;
  double reload_busiest_link_s = 0;
  double reload_row_writes_s = 0;
  double bottleneck_s = 0;  // busiest resource's time per pass
  ThroughputBound throughput_bound = ThroughputBound::latency;
  double inferences_per_s = 0;
  // Decode with caches in the global buffers, run with more batches in flight than they hold
  // caches for: every vector-unit cache crosses DRAM whole each pass, and the counts, energy and
  // latency are that schedule's (models.md §10). False for the buffered schedule.
  bool decode_caches_through_dram = false;
  std::int64_t macs = 0;
  // Wear: writes the most-written cell takes per pass (the rounds a pooled array serves when a
  // pass reprograms weights; 1 when it writes keys and values whole; 1 / KV length when decode
  // steps append to a resident cache that fills over a sequence); 0 when nothing is written.
  double max_cell_writes_per_pass = 0;
  // Passes until the most-written cell has taken `endurance` writes (infinite without writes),
  // and the time that takes at inferences_per_s.
  double lifetime_passes(double endurance) const {
    return max_cell_writes_per_pass > 0 ? endurance / max_cell_writes_per_pass
                                        : std::numeric_limits<double>::infinity();
  }
  double lifetime_s(double endurance) const {
    return inferences_per_s > 0 ? lifetime_passes(endurance) / inferences_per_s
                                : std::numeric_limits<double>::infinity();
  }
  double tops_per_w() const { return energy_j > 0 ? 2.0 * macs / energy_j / 1e12 : 0.0; }
  double effective_tops() const { return 2.0 * macs * inferences_per_s / 1e12; }
};

// Scratch space reused across evaluations (one per thread).
struct Workspace {
  std::vector<double> chiplet_vector_busy_s;
  std::vector<double> link_bits;    // bits each die-to-die link carries a pass
  std::vector<double> port_dram_s;  // each DRAM port's time a pass
  std::vector<std::int64_t> rows;   // token vectors each op streams
  std::vector<double> first_out_s;  // when each op emits its first row
  std::vector<double> last_out_s;   // when each op emits its last row
};

// The keys and values an op moves to and from DRAM a pass under the decode schedule chosen
// (Evaluation::decode_caches_through_dram): what one batch's cache spills, or the whole cache.
std::int64_t dram_values(const OperandSpill& spill, bool caches_whole);

// `per_op`, when not empty, must have one entry per op and receives each op's share.
Evaluation evaluate(const Workload& workload, const Mapping& mapping, const CostTable& costs,
                    Workspace& workspace, std::span<OpResult> per_op = {});

}  // namespace cimsim
