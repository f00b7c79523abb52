#include "mapper/mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "models/core/error.hpp"

namespace cimsim {

int Mapping::hops(int from, int to) const {
  const auto& a = chiplet_position[from];
  const auto& b = chiplet_position[to];
  return std::abs(a.x - b.x) + std::abs(a.y - b.y);
}

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// The vector-unit attentions' keys and values against their chiplets' global buffers (the
// policy is in mapping.hpp's opening comment).
void place_vector_operands(const ArchSpec& arch, const Workload& w, Mapping& m) {
  m.op_operand_spill.assign(w.ops.size(), {});
  const double capacity_values =
      arch.chiplet.global_buffer.si / static_cast<double>(arch.crossbar.input_bits);
  const double batch = std::max(1, w.request.batch);
  std::vector<double> held(m.chiplet_position.size(), 0.0);  // values each buffer must hold
  auto is_vector_attention = [&](size_t i) {
    return w.ops[i].kind == OpKind::dynamic_matmul && m.op_matrix[i] < 0;
  };
  auto operand_values = [](const Op& op) {
    return static_cast<double>(op.operand_instances) * static_cast<double>(op.k * op.n);
  };
  for (size_t i = 0; i < w.ops.size(); ++i) {
    if (!is_vector_attention(i)) continue;
    const Op& op = w.ops[i];
    const bool cached = op.appended_axis != Op::CachedAxis::none;
    held[static_cast<size_t>(m.op_chiplet[i])] +=
        cached ? operand_values(op) : operand_values(op) / batch;
    m.operand_values += op.operand_instances * op.k * op.n;
  }
  for (size_t i = 0; i < w.ops.size(); ++i) {
    if (!is_vector_attention(i)) continue;
    const Op& op = w.ops[i];
    const double need = held[static_cast<size_t>(m.op_chiplet[i])];
    // The buffer keeps whole values, the share capacity / need of each operand rounded down;
    // the rest, at least one value when the need exceeds the capacity, is in DRAM.
    const double kept = need <= capacity_values ? 1.0 : capacity_values / need;
    auto in_dram = [&](std::int64_t values) -> std::int64_t {
      if (kept == 1.0 || values == 0) return 0;
      const auto held = static_cast<std::int64_t>(std::floor(kept * static_cast<double>(values)));
      return std::max<std::int64_t>(1, values - held);
    };
    OperandSpill& s = m.op_operand_spill[i];
    s.dram_reads = in_dram(op.operand_instances * op.k * op.n);
    if (op.appended_axis == Op::CachedAxis::none) {
      // The next pass's sequences stream behind this pass's, one at a time as here.
      s.dram_writes = s.dram_reads;
      s.overlapped_dram_values = s.dram_reads + s.dram_writes;
    } else {
      // This step's key (a column of K^T, k values) or value (a row of V, n values).
      const std::int64_t appended =
          op.operand_instances * (op.appended_axis == Op::CachedAxis::n ? op.k : op.n);
      s.dram_writes = in_dram(appended);
      s.overlapped_dram_values = op.operand_instances * op.k * op.n + appended;
      const double caches = std::min(capacity_values / need, 1e18);
      m.decode_caches_buffered =
          std::min(m.decode_caches_buffered, static_cast<std::int64_t>(caches));
    }
    m.operand_values_in_dram += s.dram_reads;
  }
}

// The package cannot hold every array: N = ceil(T / A) logical arrays share a physical one at the
// most (T used, A available). Keeping R weight arrays resident leaves A - R arrays to cycle the
// other T - R through, in ceil((T - R) / (A - R)) rounds, which stays N for R up to
// (N A - T) / (N - 1); whole matrices in graph order fill that budget. Resident weights are
// written once; the rest are rewritten every pass. Keys and values never stay: their arrays are
// written by their own ops every pass.
void keep_weights_resident(const Workload& w, int weight_bits, Mapping& m) {
  const std::int64_t available = m.arrays_available;
  const std::int64_t used = m.arrays_used;
  const std::int64_t weight_arrays = used - m.operand_arrays;
  const std::int64_t most = ceil_div(used, available);
  const std::int64_t budget = std::min(weight_arrays, (most * available - used) / (most - 1));
  std::int64_t resident = 0;
  m.reloaded_cells = m.cells_used;
  m.reloaded_weight_bits = m.weight_bits_total;
  for (MatrixPlacement& p : m.matrices) {
    p.resident = !p.dynamic && resident + p.arrays <= budget;
    if (!p.resident) continue;
    const Op& op = w.ops[static_cast<size_t>(p.op)];
    resident += p.arrays;
    m.reloaded_cells -= p.used_cells;
    m.reloaded_weight_bits -= op.k * op.n * weight_bits;
  }
  m.resident_weight_arrays = resident;
  m.reload_rounds = ceil_div(weight_arrays - resident, available - resident);
  m.max_rounds_per_array = ceil_div(used - resident, available - resident);
}

// Reloaded weights leave the DRAM chiplet over the mesh on the activations' XY routes. A
// matrix's bits spread evenly over its arrays, and each array's go to the chiplet of the pool
// array it takes (rounded to whole bits per chiplet). Sums bits x hops, and the bits the
// busiest link carries.
void route_reloaded_weights(const Workload& w, int weight_bits, std::int64_t per_chiplet,
                            Mapping& m) {
  std::vector<double> bits_to(m.chiplet_position.size(), 0.0);
  const std::int64_t pool_start = m.resident_weight_arrays;
  const std::int64_t pool_start_chiplet = pool_start / per_chiplet;
  for (const MatrixPlacement& p : m.matrices) {
    if (p.resident || p.dynamic) continue;
    const Op& op = w.ops[static_cast<size_t>(p.op)];
    const double bits_per_array = static_cast<double>(op.k * op.n * weight_bits) / p.arrays;
    // Runs of arrays up to the end of a chiplet, or of the pool, where the next run wraps to the
    // pool's start (a sweep maps millions of points: no division per run).
    std::int64_t physical = p.first_physical_array;
    std::int64_t chiplet = physical / per_chiplet;
    for (std::int64_t placed = 0; placed < p.arrays;) {
      const std::int64_t run = std::min({p.arrays - placed, (chiplet + 1) * per_chiplet - physical,
                                         m.arrays_available - physical});
      bits_to[static_cast<size_t>(chiplet)] += bits_per_array * static_cast<double>(run);
      placed += run;
      physical += run;
      if (physical == m.arrays_available) {
        physical = pool_start;
        chiplet = pool_start_chiplet;
      } else if (physical == (chiplet + 1) * per_chiplet) {
        ++chiplet;
      }
    }
  }
  std::vector<std::int64_t> to_chiplet(bits_to.size());
  for (size_t c = 0; c < bits_to.size(); ++c) to_chiplet[c] = std::llround(bits_to[c]);
  std::vector<std::int64_t> link_bits(m.link_count(), 0);
  std::vector<std::int64_t> port_bits(m.dram_ports.size(), 0);
  for (size_t c = 0; c < to_chiplet.size(); ++c) {
    const int to = static_cast<int>(c);
    const int from = m.dram_chiplet_serving(to);
    port_bits[static_cast<size_t>(m.nearest_dram_port[c])] += to_chiplet[c];
    m.reload_link_bit_hops += to_chiplet[c] * m.hops(from, to);
    m.for_each_link(from, to, [&](std::size_t link) { link_bits[link] += to_chiplet[c]; });
  }
  // One port reads every reloaded bit (exactly, not the chiplets' rounded shares).
  m.reload_busiest_port_bits = m.dram_ports.size() == 1
                                   ? m.reloaded_weight_bits
                                   : *std::max_element(port_bits.begin(), port_bits.end());
  m.reload_busiest_link_bits = *std::max_element(link_bits.begin(), link_bits.end());
}

// Physical arrays (see MatrixPlacement::first_physical_array) and each op's chiplet: a matmul
// on the arrays runs where its first array sits, any other op where its first input ran (the
// first DRAM port's chiplet for the embedding).
void place_physical_arrays(const Workload& w, std::int64_t per_chiplet, Mapping& m) {
  const std::int64_t pool_start = m.fits ? 0 : m.resident_weight_arrays;
  const std::int64_t pool = m.arrays_available - pool_start;
  std::int64_t next_resident = 0, next_in_pool = 0;
  for (MatrixPlacement& p : m.matrices) {
    if (m.fits) {
      p.first_physical_array = p.first_array;
    } else if (p.resident) {
      p.first_physical_array = next_resident;
      next_resident += p.arrays;
    } else {
      p.first_physical_array = pool_start + next_in_pool % pool;
      next_in_pool += p.arrays;
    }
  }
  for (size_t i = 0; i < w.ops.size(); ++i) {
    const Op& op = w.ops[i];
    if (m.op_matrix[i] >= 0) {
      const MatrixPlacement& p = m.matrices[static_cast<size_t>(m.op_matrix[i])];
      m.op_chiplet[i] = static_cast<int>(p.first_physical_array / per_chiplet);
    } else {
      m.op_chiplet[i] = op.inputs.empty() ? m.dram_chiplet : m.op_chiplet[op.inputs.front()];
    }
  }
}

// The chiplets the configured DRAM ports sit on, and the port nearest each chiplet.
void place_dram_ports(const ArchSpec& arch, Mapping& m) {
  m.dram_ports.clear();
  for (const MeshCoordinate& at : arch.package.dram.ports) {
    for (size_t c = 0; c < m.chiplet_position.size(); ++c) {
      if (m.chiplet_position[c].x == at.x && m.chiplet_position[c].y == at.y)
        m.dram_ports.push_back(static_cast<int>(c));
    }
  }
  if (m.dram_ports.size() != arch.package.dram.ports.size())
    panic("map_workload: a DRAM port outside the mesh passed the configuration");
  m.dram_chiplet = m.dram_ports.front();
  m.nearest_dram_port.assign(m.chiplet_position.size(), 0);
  for (size_t c = 0; c < m.chiplet_position.size(); ++c) {
    for (size_t p = 1; p < m.dram_ports.size(); ++p) {
      const int here = static_cast<int>(c);
      if (m.hops(m.dram_ports[p], here) <
          m.hops(m.dram_ports[static_cast<size_t>(m.nearest_dram_port[c])], here))
        m.nearest_dram_port[c] = static_cast<int>(p);
    }
  }
}
}  // namespace

Mapping map_workload(const ArchSpec& arch, const Workload& w, std::string_view count_remedy) {
  const auto& xb = arch.crossbar;
  const int cpw = xb.columns_per_weight(arch.technology.bits_per_cell);
  const std::int64_t outputs_per_array = xb.weights_per_array(arch.technology.bits_per_cell);
  const bool offset = xb.signed_weights == "offset";
  const std::int64_t per_chiplet = arch.crossbar_count_per_chiplet();
  const bool in_arrays = arch.chiplet.dynamic_matmuls_in_arrays();

  Mapping m;
  m.arrays_available = arch.total_arrays();
  m.input_cycles = xb.input_cycles();
  m.columns_per_weight = cpw;
  m.rows_per_array = xb.rows;
  m.offset_column = offset;
  m.dac_inputs = xb.input_encoding == "dac";
  const int cols = arch.package.mesh_columns;
  m.mesh_columns = cols;
  m.mesh_rows = arch.package.mesh_rows;
  for (int c = 0; c < arch.package.chiplets(); ++c) {
    int y = c / cols;
    int x = (y % 2 == 0) ? c % cols : cols - 1 - c % cols;
    m.chiplet_position.push_back({x, y});
  }
  place_dram_ports(arch, m);

  m.op_matrix.assign(w.ops.size(), -1);
  m.op_chiplet.assign(w.ops.size(), 0);
  std::int64_t next_array = 0;
  for (size_t i = 0; i < w.ops.size(); ++i) {
    const Op& op = w.ops[i];
    const bool dynamic = op.kind == OpKind::dynamic_matmul && in_arrays;
    if (op.kind != OpKind::weight_matmul && !dynamic) continue;
    MatrixPlacement p;
    p.op = static_cast<int>(i);
    p.dynamic = dynamic;
    p.operands = dynamic ? op.operand_instances : 1;
    p.row_tiles = ceil_div(op.k, xb.rows);
    p.row_groups = (p.row_tiles - 1) * xb.row_groups(xb.rows) +
                   xb.row_groups(op.k - (p.row_tiles - 1) * xb.rows);
    p.groups_per_array = xb.row_groups(op.k);
    p.col_tiles = ceil_div(op.n, outputs_per_array);
    p.arrays = p.operands * p.row_tiles * p.col_tiles;
    p.first_array = next_array;
    p.used_cells = p.operands * (op.k * op.n * cpw + (offset ? op.k * p.col_tiles : 0));
    next_array += p.arrays;
    if (dynamic) {
      m.operand_cells_used += p.used_cells;
      m.operand_arrays += p.arrays;
    } else {
      m.cells_used += p.used_cells;
      m.weight_bits_total += op.k * op.n * xb.weight_bits;
    }
    m.op_matrix[i] = static_cast<int>(m.matrices.size());
    m.matrices.push_back(p);
  }
  m.arrays_used = next_array;
  m.fits = m.arrays_used <= m.arrays_available;
  if (!m.fits) keep_weights_resident(w, xb.weight_bits, m);
  place_physical_arrays(w, per_chiplet, m);
  place_vector_operands(arch, w, m);
  // A decode step appends its position to a resident KV cache: a key is a column of K^T (one
  // cell per row it spans), a value a row of V. A cache that is not resident (the arrays are
  // reprogrammed every pass) and a prefill write the whole operand.
  for (MatrixPlacement& p : m.matrices) {
    if (!p.dynamic) continue;
    const Op& op = w.ops[static_cast<size_t>(p.op)];
    p.written_rows = op.k;
    p.written_columns = op.n;
    if (!m.fits) continue;
    if (op.appended_axis == Op::CachedAxis::k) {
      p.written_rows = 1;
      p.passes_per_write = op.k;
    } else if (op.appended_axis == Op::CachedAxis::n) {
      p.written_columns = 1;
      p.passes_per_write = op.n;
    }
  }
  if (!m.fits) route_reloaded_weights(w, xb.weight_bits, per_chiplet, m);
  const std::int64_t resident = std::min(m.arrays_used, m.arrays_available);
  m.chiplets_used = static_cast<int>(ceil_div(resident, per_chiplet));
  const double cells_of_used_arrays = static_cast<double>(m.arrays_used) * xb.rows * xb.columns;
  m.utilization = m.arrays_used > 0 ? static_cast<double>(m.cells_used + m.operand_cells_used) /
                                          cells_of_used_arrays
                                    : 0.0;
  check_counts_fit(arch, w, m, count_remedy);
  if (arch.chiplet.vector_lanes == 0) {
    for (const Op& op : w.ops) {
      if (op.kind != OpKind::dynamic_matmul && op.kind != OpKind::vector) continue;
      if (op.kind == OpKind::dynamic_matmul && in_arrays) continue;
      config_error(
          arch.chiplet.vector_lanes_at, "chiplet.vector_lanes",
          fmt::format("0 lanes (a bare macro without a vector unit), but workload '{}' "
                      "has {} op '{}' that runs on the vector unit; give the chiplet "
                      "vector lanes",
                      w.name, op.kind == OpKind::vector ? "the vector" : "the activation matmul",
                      op.name));
    }
  }
  return m;
}

void check_counts_fit(const ArchSpec& arch, const Workload& w, const Mapping& m,
                      std::string_view count_remedy) {
  // Action counts are exact 64-bit integers; a workload whose largest count would pass 2^64
  // must be refused, not wrapped. The largest counts are the cell reads of the weight matmuls
  // and the vector unit's MACs; bounded here in long double with a 2x margin for the sums.
  const long double limit = 0.5L * 18446744073709551615.0L;
  long double cell_reads = 0, vector_macs = 0, tokens_bits = 0;
  const long double cyc = m.input_cycles;
  for (size_t i = 0; i < w.ops.size(); ++i) {
    const Op& op = w.ops[i];
    const long double mm = op.m, k = op.k, n = op.n;
    if (m.op_matrix[i] >= 0) {
      const MatrixPlacement& p = m.matrices[m.op_matrix[i]];
      cell_reads += static_cast<long double>(op.instances) * mm * cyc *
                    (k * n * m.columns_per_weight + k * p.col_tiles);
    } else if (op.kind == OpKind::dynamic_matmul) {
      vector_macs += static_cast<long double>(op.instances) * mm * k * n;
    }
    tokens_bits += static_cast<long double>(op.output_elements) * arch.crossbar.input_bits * 4;
  }
  const long double largest = std::max({cell_reads, vector_macs, tokens_bits});
  if (largest > limit) {
    throw UserError(fmt::format(
        "error: workload '{}' needs about {:.3g} actions of one kind (cell reads, MACs or bits "
        "moved), beyond the exact 64-bit counters (at most {:.3g}); {}",
        w.name, static_cast<double>(largest), static_cast<double>(limit), count_remedy));
  }
}

}  // namespace cimsim
