#include "mapper/evaluator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/core/error.hpp"

namespace cimsim {

using u64 = std::uint64_t;

// Counts of m input vectors through one K x N matrix's arrays.
void count_array_matmul(std::uint64_t m, std::uint64_t k, std::uint64_t n, const MatrixPlacement& p,
                        const CostTable& c, int input_cycles, int columns_per_weight, bool offset,
                        bool dac, ActionCounts& a) {
  const u64 cyc = input_cycles, groups = p.row_groups, ct = p.col_tiles;
  const u64 ref = offset ? 1 : 0;
  const u64 act = c.activation_bits;
  a[Action::cell_read] += m * cyc * (k * n * columns_per_weight + ref * k * ct);
  a[Action::row_drive] += m * cyc * k * ct;
  if (dac) a[Action::dac_conversion] += m * cyc * k * ct;
  const u64 conversions = m * static_cast<u64>(c.conversion_cycles) * groups *
                          (n * static_cast<u64>(c.conversions_per_weight) + ref * ct);
  a[Action::adc_conversion] += conversions;
  if (c.shift_add_after_adc) a[Action::shift_add] += conversions;
  a[Action::partial_sum_add] += m * n * (groups - 1);
  a[Action::tile_buffer_bit] += 2 * m * k * act + 2 * m * n * act;
  a[Action::global_buffer_bit] += 2 * m * n * act;
}

void count_weight_matmul(const Op& op, const MatrixPlacement& p, const CostTable& c,
                         int input_cycles, int columns_per_weight, bool offset, bool dac,
                         ActionCounts& a) {
  count_array_matmul(op.m, op.k, op.n, p, c, input_cycles, columns_per_weight, offset, dac, a);
}

void count_operand_writes(const MatrixPlacement& p, const CostTable& c, int columns_per_weight,
                          ActionCounts& a) {
  const u64 values = static_cast<u64>(p.operands) * p.written_rows * p.written_columns;
  a[Action::kv_cell_write] += values * columns_per_weight;
  a[Action::global_buffer_bit] += values * c.activation_bits;
}

double operand_write_s(const MatrixPlacement& p, const CostTable& c, int rows_per_array) {
  return static_cast<double>(std::min<std::int64_t>(p.written_rows, rows_per_array)) *
         c.write_time_per_row_s;
}

const char* throughput_bound_name(ThroughputBound b) {
  switch (b) {
    case ThroughputBound::latency: return "latency";
    case ThroughputBound::arrays: return "arrays";
    case ThroughputBound::vector_unit: return "vector_unit";
    case ThroughputBound::dram_port: return "dram_port";
    case ThroughputBound::link: return "link";
    case ThroughputBound::global_buffer: return "global_buffer";
  }
  panic("throughput_bound_name: unknown bound");
}

std::int64_t dram_values(const OperandSpill& spill, bool caches_whole) {
  return caches_whole ? spill.overlapped_dram_values : spill.dram_reads + spill.dram_writes;
}

namespace {

// One pass under one decode schedule: `caches_whole` runs more batches than the global buffers
// hold decode caches for, so every vector-unit cache crosses DRAM whole each pass; otherwise
// only what one batch's cache spills does.
Evaluation evaluate_schedule(const Workload& w, const Mapping& map, const CostTable& c,
                             Workspace& ws, std::span<OpResult> per_op, bool caches_whole) {
  ws.chiplet_vector_busy_s.assign(map.chiplet_position.size(), 0.0);
  ws.link_bits.assign(map.link_count(), 0.0);
  ws.port_dram_s.assign(map.dram_ports.size(), 0.0);
  ws.rows.resize(w.ops.size());
  ws.first_out_s.resize(w.ops.size());
  ws.last_out_s.resize(w.ops.size());
  double pipeline_s = 0;    // weights resident: ops overlap vector by vector
  double sequential_s = 0;  // weights reloaded: one op after another

  Evaluation e;
  e.macs = w.total_macs();
  const double lanes_ops_per_s = c.vector_lanes * c.vector_lane_ops_per_s;
  const u64 act = c.activation_bits;
  double max_matrix_s = 0;
  bool cache_in_arrays = false;  // decode appending to a KV cache resident in the arrays

  for (size_t i = 0; i < w.ops.size(); ++i) {
    const Op& op = w.ops[i];
    ActionCounts a;
    double t = 0;          // time proportional to the data: compute and link serialization
    double fixed = 0;      // per-hop latency, paid once by the first vector
    double program_s = 0;  // keys or values programmed before the first row (arrays only)
    const int here = map.op_chiplet[i];

    // Inputs produced on another chiplet cross the mesh.
    for (int src : op.inputs) {
      const int from = map.op_chiplet[src];
      if (from == here) continue;
      const u64 bits = static_cast<u64>(w.ops[src].output_elements) * act;
      const int hops = map.hops(from, here);
      a[Action::link_bit_hop] += bits * hops;
      map.for_each_link(from, here, [&](std::size_t link) { ws.link_bits[link] += bits; });
      t += bits / c.link_bandwidth_bps;
      fixed = std::max(fixed, hops * c.link_latency_per_hop_s);
    }

    switch (op.kind) {
      case OpKind::embedding: {
        const u64 bits = static_cast<u64>(op.output_elements) * act;
        a[Action::dram_bit] += bits;
        a[Action::global_buffer_bit] += bits;
        const double s = bits / c.dram_bandwidth_bps;
        t += s;
        ws.port_dram_s[0] += s;  // the first port reads the embeddings
        break;
      }
      case OpKind::weight_matmul: {
        const MatrixPlacement& p = map.matrices[map.op_matrix[i]];
        count_weight_matmul(op, p, c, map.input_cycles, map.columns_per_weight, map.offset_column,
                            map.dac_inputs, a);
        const double s = op.m * c.array_vector_s * static_cast<double>(p.groups_per_array);
        t += s;
        max_matrix_s = std::max(max_matrix_s, s);
        break;
      }
      case OpKind::dynamic_matmul: {
        if (map.op_matrix[i] >= 0) {
          // In the arrays: program this pass's keys or values, then stream every query vector
          // through its operand's arrays. Operands have arrays of their own and work in
          // parallel; the query heads that share one (grouped-query attention) take turns.
          const MatrixPlacement& p = map.matrices[map.op_matrix[i]];
          count_operand_writes(p, c, map.columns_per_weight, a);
          count_array_matmul(static_cast<u64>(op.instances * op.m), op.k, op.n, p, c,
                             map.input_cycles, map.columns_per_weight, map.offset_column,
                             map.dac_inputs, a);
          const double sharing = static_cast<double>(op.instances / p.operands);
          program_s = operand_write_s(p, c, map.rows_per_array);
          const double s = program_s + sharing * op.m * c.array_vector_s *
                                           static_cast<double>(p.groups_per_array);
          t += s;
          max_matrix_s = std::max(max_matrix_s, s);
          e.max_cell_writes_per_pass =
              std::max(e.max_cell_writes_per_pass, 1.0 / static_cast<double>(p.passes_per_write));
          cache_in_arrays = cache_in_arrays || p.passes_per_write > 1;
          break;
        }
        // The vector unit reads each distinct key or value once for the query heads that share
        // it (grouped-query attention), as a fused attention kernel does.
        a[Action::vector_mac] += op.macs();
        a[Action::global_buffer_bit] +=
            static_cast<u64>(op.instances * op.m * op.k + op.operand_instances * op.k * op.n +
                             op.output_elements) *
            act;
        const double s = op.macs() / lanes_ops_per_s;
        t += s;
        ws.chiplet_vector_busy_s[here] += s;
        // What the global buffer cannot hold crosses the DRAM port and the mesh from the DRAM
        // chiplet, and the op waits for it.
        const u64 bits = static_cast<u64>(dram_values(map.op_operand_spill[i], caches_whole)) * act;
        if (bits == 0) break;
        const int port = map.nearest_dram_port[static_cast<std::size_t>(here)];
        const int from = map.dram_ports[static_cast<std::size_t>(port)];
        const int hops = map.hops(from, here);
        map.for_each_link(from, here, [&](std::size_t link) { ws.link_bits[link] += bits; });
        const double port_s = bits / c.dram_bandwidth_bps;
        ws.port_dram_s[static_cast<std::size_t>(port)] += port_s;
        a[Action::dram_bit] += bits;
        a[Action::link_bit_hop] += bits * static_cast<u64>(hops);
        t += port_s + (hops > 0 ? bits / c.link_bandwidth_bps : 0.0);
        fixed = std::max(fixed, hops * c.link_latency_per_hop_s);
        break;
      }
      case OpKind::vector: {
        a[Action::vector_op] += op.vector_ops;
        a[Action::vector_special] += op.vector_specials;
        a[Action::global_buffer_bit] += 2 * static_cast<u64>(op.output_elements) * act;
        const double s =
            (op.vector_ops + c.vector_special_cycles * op.vector_specials) / lanes_ops_per_s;
        t += s;
        ws.chiplet_vector_busy_s[here] += s;
        break;
      }
    }

    double energy = 0;
    for (int j = 0; j < kNumActions; ++j) energy += static_cast<double>(a.count[j]) * c.energy_j[j];
    e.counts += a;
    sequential_s += t + fixed;
    if (program_s > 0 && op.inputs.size() < 2)
      panic("evaluate: a dynamic matmul in the arrays without its operand input");
    const int programmed_input = program_s > 0 ? op.inputs[1] : -1;
    if (!per_op.empty())
      per_op[i] = {a, t + fixed, energy, 0, t, fixed, program_s, programmed_input};

    // Pipeline recurrence: an op streams its rows (token vectors) in order; it can emit its
    // first row once its inputs' first rows arrive (or their last rows, for an input it needs
    // whole, such as all keys of a bidirectional attention), and never faster than its own
    // per-row time or its inputs' last rows allow. A dynamic matmul in the arrays needs its
    // operand (keys or values, its second input) whole and programmed before its first row.
    const std::int64_t rows = (op.kind == OpKind::weight_matmul || op.kind == OpKind::embedding)
                                  ? std::max<std::int64_t>(op.m, 1)
                                  : (op.inputs.empty() ? 1 : ws.rows[op.inputs.front()]);
    const double per_row = (t - program_s) / static_cast<double>(rows);
    double ready_first = 0, ready_last = 0;
    for (int src : op.inputs) {
      const bool whole =
          src == programmed_input ||
          std::find(op.whole_inputs.begin(), op.whole_inputs.end(), src) != op.whole_inputs.end();
      // The arrays program the operand as soon as it has arrived.
      const double then = src == programmed_input ? program_s : 0.0;
      ready_first =
          std::max(ready_first, (whole ? ws.last_out_s[src] : ws.first_out_s[src]) + then);
      ready_last = std::max(ready_last, ws.last_out_s[src] + then);
    }
    ws.rows[i] = rows;
    if (!per_op.empty()) per_op[i].rows = rows;
    ws.first_out_s[i] = ready_first + fixed + per_row;
    ws.last_out_s[i] =
        std::max(ready_last + fixed + per_row, ws.first_out_s[i] + (rows - 1) * per_row);
    pipeline_s = std::max(pipeline_s, ws.last_out_s[i]);
  }
  e.latency_s = map.fits ? pipeline_s : sequential_s;

  if (!map.fits) {
    // Every pass reprograms the weights that are not resident: they come from DRAM and are
    // written round by round, each array writing its rows one after another. A pooled array
    // takes a logical one in every round it serves (keys and values included), and its first
    // cell, used by each, is written that many times a pass.
    e.max_cell_writes_per_pass = static_cast<double>(map.max_rounds_per_array);
    e.counts[Action::cell_write] += map.reloaded_cells;
    e.counts[Action::dram_bit] += map.reloaded_weight_bits;
    e.counts[Action::link_bit_hop] += map.reload_link_bit_hops;
    // Reading DRAM, crossing the mesh and writing the rows overlap; the slowest sets the time.
    e.reload_dram_s = map.reload_busiest_port_bits / c.dram_bandwidth_bps;
    e.reload_busiest_link_s = map.reload_busiest_link_bits / c.link_bandwidth_bps;
    e.reload_row_writes_s = map.reload_rounds * map.rows_per_array * c.write_time_per_row_s;
    e.reload_latency_s =
        std::max({e.reload_dram_s, e.reload_busiest_link_s, e.reload_row_writes_s});
    e.latency_s += e.reload_latency_s;
  }

  e.energy_by_component_j = price(e.counts, c);
  for (double v : e.energy_by_component_j) e.energy_j += v;
  if (map.fits) {
    double busiest_vector = 0;
    for (double v : ws.chiplet_vector_busy_s) busiest_vector = std::max(busiest_vector, v);
    double busiest_link_bits = 0;
    for (double bits : ws.link_bits) busiest_link_bits = std::max(busiest_link_bits, bits);
    double busiest_port_s = 0;
    for (double s : ws.port_dram_s) busiest_port_s = std::max(busiest_port_s, s);
    // Passes pipeline, and the busiest resource sets the rate.
    using Bound = std::pair<double, ThroughputBound>;
    const auto slower = [](const Bound& x, const Bound& y) { return x.first < y.first; };
    Bound bound = std::max({Bound{max_matrix_s, ThroughputBound::arrays},
                            Bound{busiest_vector, ThroughputBound::vector_unit},
                            Bound{busiest_port_s, ThroughputBound::dram_port},
                            Bound{busiest_link_bits / c.link_bandwidth_bps, ThroughputBound::link}},
                           slower);
    // The arrays hold this batch's cache only: the next pass they can serve is its next step,
    // which needs this step's token.
    if (cache_in_arrays)
      bound = std::max(bound, Bound{e.latency_s, ThroughputBound::latency}, slower);
    // A step needs its batch's previous token, so passes overlap only across batches, each
    // with its own decode cache: as many as the buffers hold whole caches of (one at a time,
    // with a spill, when not even one fits). With every cache crossing DRAM whole, any number.
    const std::int64_t caches = map.decode_caches_buffered;
    if (caches != Mapping::kNoDecodeCache && !caches_whole) {
      bound = caches == 0 ? std::max(bound, Bound{e.latency_s, ThroughputBound::latency}, slower)
                          : std::max(bound,
                                     Bound{e.latency_s / static_cast<double>(caches),
                                           ThroughputBound::global_buffer},
                                     slower);
    }
    e.bottleneck_s = bound.first;
    e.throughput_bound = bound.second;
  } else {
    e.bottleneck_s = e.latency_s;
    e.throughput_bound = ThroughputBound::latency;
  }
  e.inferences_per_s = e.bottleneck_s > 0 ? 1.0 / e.bottleneck_s : 0.0;
  e.decode_caches_through_dram = caches_whole;
  return e;
}

}  // namespace

Evaluation evaluate(const Workload& w, const Mapping& map, const CostTable& c, Workspace& ws,
                    std::span<OpResult> per_op) {
  if (!per_op.empty() && per_op.size() != w.ops.size()) panic("evaluate: per_op size mismatch");
  if (map.op_chiplet.size() != w.ops.size()) panic("evaluate: mapping is for another workload");
  // Decode caches in the global buffers leave two schedules (models.md §10); the report is the
  // one with the better rate, the buffered one on a tie (it moves fewer bits).
  Evaluation e;
  if (!map.fits || map.decode_caches_buffered == Mapping::kNoDecodeCache) {
    e = evaluate_schedule(w, map, c, ws, per_op, false);
  } else {
    const Evaluation whole = evaluate_schedule(w, map, c, ws, {}, true);
    e = evaluate_schedule(w, map, c, ws, per_op, false);
    if (whole.bottleneck_s < e.bottleneck_s)
      e = per_op.empty() ? whole : evaluate_schedule(w, map, c, ws, per_op, true);
  }
  // The parameter ranges keep every price and time finite; a report of inf or NaN would be a
  // silently wrong number, so it is a bug.
  if (!std::isfinite(e.energy_j) || !std::isfinite(e.latency_s) || !std::isfinite(e.bottleneck_s))
    panic(fmt::format("evaluate: non-finite result (energy {} J, latency {} s, bottleneck {} s)",
                      e.energy_j, e.latency_s, e.bottleneck_s));
  return e;
}

}  // namespace cimsim
