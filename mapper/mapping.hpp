// Mapper v1: tile each weight matrix onto crossbar arrays and place the arrays on tiles and
// chiplets.
//
// A K x N weight matrix at b_w bits on cells of b_c bits takes ceil(b_w / b_c) slices per
// weight, times two for differential signed weights; the slices of one weight stay in one array.
// An array of R rows and C columns then holds R weights' rows and floor(C' / columns_per_weight)
// outputs (C' = C, less one reference column for offset-encoded weights), so the matrix takes
// ceil(K / R) row tiles by ceil(N / outputs_per_array) column tiles. Arrays are allocated in
// graph order, filling each chiplet before the next; chiplets are visited in snake order on the
// mesh so consecutive chiplets are one hop apart. Ops other than weight matmuls run on the
// vector unit of the chiplet that produced their first input; with chiplet.dynamic_matmuls:
// arrays, an activation matmul (QK^T, AV) takes arrays too, one set per distinct K x N operand
// (per KV head), allocated in graph order like a weight matrix. On the vector unit, its keys or
// values sit in its chiplet's global buffer: in decode the whole cache of the batch (it persists
// between steps), in prefill one sequence's (the pipeline streams sequences one behind
// another). What a chiplet's buffer cannot hold stays in DRAM, the same share of each operand
// there (a compiler-pinned scratchpad holds part of each): a decode step reads that share and
// appends its position to it; a prefill writes it out and reads it back. When the package has
// fewer arrays than the mapping needs (`fits` is false), each physical array serves several
// logical ones a pass, N = ceil(arrays_used / arrays_available) at the most. Whole weight
// matrices, in graph order, then stay resident in as many arrays as leave the rest (the other
// weights and every key and value) a pool that still cycles them in N rounds; the evaluator
// charges rewriting the others every pass. The resident matrices take the first physical arrays
// (chiplet 0 onwards) and the others follow in graph order through the pool behind them,
// wrapping to its start; an op runs on the chiplet of its matrix's first array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "models/arch/arch_spec.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

struct MatrixPlacement {
  int op = -1;
  std::int64_t row_tiles = 0;
  // Row groups (crossbar.active_rows) converted per vector and column tile, over all row tiles,
  // and the most any one array runs (its arrays run in parallel, its groups one by one).
  std::int64_t row_groups = 0;
  std::int64_t groups_per_array = 0;
  std::int64_t col_tiles = 0;
  std::int64_t arrays = 0;
  std::int64_t first_array = 0;  // logical array index, in graph order over all matrices
  // The physical array it starts on (arrays numbered chiplet by chiplet in snake order): its
  // logical index when the package holds everything; otherwise resident matrices fill the first
  // arrays in graph order and the others run on, wrapping, through the pool behind them.
  std::int64_t first_physical_array = 0;
  std::int64_t used_cells = 0;
  // A dynamic matmul in the arrays (chiplet.dynamic_matmuls: arrays): the placement above is one
  // K x N operand's; `operands` of them sit side by side, and each pass programs the first
  // written_rows x written_columns of each (all of it, or the position a decode step appends).
  bool dynamic = false;
  std::int64_t operands = 1;
  std::int64_t written_rows = 0, written_columns = 0;
  // Passes between two writes of a written cell: 1, or the KV length when a decode step appends
  // one position to a cache that fills over a sequence.
  std::int64_t passes_per_write = 1;
  // A weight matrix that stays programmed between passes when the package does not hold
  // everything (always true when it does).
  bool resident = true;
};

// Keys and values of an attention on the vector unit that its chiplet's global buffer cannot
// hold, in values per pass: read from DRAM and written to it. When other batches' decode steps
// overlap this one, their caches need the buffer too, and a cache that does not fit alone then
// crosses the DRAM port whole: `overlapped_dram_values` (reads and writes).
struct OperandSpill {
  std::int64_t dram_reads = 0;
  std::int64_t dram_writes = 0;
  std::int64_t overlapped_dram_values = 0;
};

struct MeshPosition {
  int x = 0, y = 0;
};

struct Mapping {
  std::vector<MatrixPlacement> matrices;  // one per matmul on the arrays, in graph order
  std::vector<int> op_matrix;             // op index -> matrices index, -1 for other ops
  std::vector<int> op_chiplet;            // op index -> chiplet that runs it
  std::vector<MeshPosition> chiplet_position;
  // Chiplets with a DRAM port (package.dram.ports), and for each chiplet the port that serves it
  // (nearest in hops, the first listed on a tie). The first port reads the embeddings.
  std::vector<int> dram_ports{0};
  std::vector<int> nearest_dram_port;
  int dram_chiplet = 0;  // the first port's chiplet
  int dram_chiplet_serving(int chiplet) const {
    return dram_ports[static_cast<std::size_t>(
        nearest_dram_port[static_cast<std::size_t>(chiplet)])];
  }
  std::int64_t arrays_used = 0;
  std::int64_t operand_arrays = 0;  // of arrays_used, those of dynamic matmuls' keys and values
  std::int64_t arrays_available = 0;
  std::int64_t cells_used = 0;          // cells holding weights (the reload rewrites them)
  std::int64_t operand_cells_used = 0;  // cells holding dynamic matmuls' keys and values
  std::int64_t weight_bits_total = 0;   // bits of all weights, for reloading from DRAM
  // Keys and values the vector unit reads (attentions not in the arrays), in values per pass,
  // and those of them held in DRAM; per op, what crosses the DRAM port (zero for other ops).
  std::int64_t operand_values = 0;
  std::int64_t operand_values_in_dram = 0;
  std::vector<OperandSpill> op_operand_spill;
  // Decode caches persist between a batch's steps, so every batch in flight keeps its own: the
  // batches whose whole caches the buffers hold at once (the fewest any chiplet's buffer holds),
  // 0 when one batch's cache already spills, kNoDecodeCache when the vector unit keeps none.
  static constexpr std::int64_t kNoDecodeCache = std::numeric_limits<std::int64_t>::max();
  std::int64_t decode_caches_buffered = kNoDecodeCache;
  double utilization = 0;  // used cells / cells of the arrays used
  bool fits = true;
  // When !fits: the weights' arrays that stay resident, what the others rewrite every pass
  // (cells, and bits from DRAM), the rounds they take, and the most logical arrays (weights,
  // keys and values) any physical array serves a pass.
  std::int64_t resident_weight_arrays = 0;
  std::int64_t reloaded_cells = 0;
  std::int64_t reloaded_weight_bits = 0;
  std::int64_t reload_rounds = 0;
  std::int64_t max_rounds_per_array = 1;
  // The reloaded weights' way from the DRAM ports: bits x hops, the busiest link's bits, and
  // the busiest port's.
  std::int64_t reload_link_bit_hops = 0;
  std::int64_t reload_busiest_link_bits = 0;
  std::int64_t reload_busiest_port_bits = 0;
  int chiplets_used = 0;
  // Crossbar facts the evaluator needs per op, copied here so it reads one structure.
  int input_cycles = 1;
  int columns_per_weight = 1;
  int rows_per_array = 0;
  bool offset_column = false;
  bool dac_inputs = false;

  int mesh_columns = 1, mesh_rows = 1;

  int hops(int from_chiplet, int to_chiplet) const;
  // Die-to-die links, one per chiplet and direction (east, west, north, south): 4 per chiplet.
  std::size_t link_count() const { return static_cast<std::size_t>(mesh_columns * mesh_rows) * 4; }
  // Calls visit(link) for each link of the XY route (x first, then y) from one chiplet to another.
  template <typename Visit>
  void for_each_link(int from_chiplet, int to_chiplet, Visit visit) const {
    const MeshPosition to = chiplet_position[static_cast<std::size_t>(to_chiplet)];
    MeshPosition at = chiplet_position[static_cast<std::size_t>(from_chiplet)];
    auto leave = [&](int direction) {
      visit(static_cast<std::size_t>((at.y * mesh_columns + at.x) * 4 + direction));
    };
    for (; at.x != to.x; at.x += to.x > at.x ? 1 : -1) leave(to.x > at.x ? 0 : 1);
    for (; at.y != to.y; at.y += to.y > at.y ? 1 : -1) leave(to.y > at.y ? 2 : 3);
  }
};

inline constexpr std::string_view kFewerTokens =
    "use fewer tokens, a smaller batch or a shorter context";

// `count_remedy`: what the refusal of counts beyond 64 bits tells the user to change.
Mapping map_workload(const ArchSpec& arch, const Workload& workload,
                     std::string_view count_remedy = kFewerTokens);

// Throws a UserError when a count of the workload would overflow the 64-bit action counters
// (map_workload calls it; the evaluator then never wraps).
void check_counts_fit(const ArchSpec& arch, const Workload& workload, const Mapping& mapping,
                      std::string_view count_remedy = kFewerTokens);

}  // namespace cimsim
