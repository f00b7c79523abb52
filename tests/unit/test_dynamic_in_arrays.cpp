// Activation matmuls (QK^T, AV) in the arrays (chiplet.dynamic_matmuls: arrays): the keys and
// values a pass programs, the queries streamed through them, the time and the wear, in closed
// form on hand-sized problems and exact counts on BERT-base and Llama-3-8B.
#include <catch2/catch.hpp>

#include "cli/report.hpp"
#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/cost/cost_table.hpp"
#include "test_support.hpp"

using namespace cimsim;

namespace {

// test::small_arch_yaml (4x8 ReRAM arrays, 4-bit inputs and weights, 2-bit cells, differential:
// 4 columns per weight, 2 outputs per array; 16 arrays; 80 ns per vector; 1 us per row write)
// with its activation matmuls in the arrays.
ArchSpec small_arch_in_arrays() {
  std::string yaml = test::small_arch_yaml();
  const std::string lanes = "vector_lanes: 4}";
  yaml.replace(yaml.find(lanes), lanes.size(), "vector_lanes: 4, dynamic_matmuls: arrays}");
  return test::parse_arch_text(yaml);
}

// An input, then `instances` products of a 3 x 6 by a 6 x 3 operand, two instances per operand
// (grouped-query attention), after an optional weight matmul of k x n.
Workload attention_workload(Op::CachedAxis appended, std::int64_t weight_k = 0,
                            std::int64_t weight_n = 0) {
  Workload w;
  w.name = "hand attention";
  Op input;
  input.name = "input";
  input.kind = OpKind::embedding;
  input.output_elements = 18;
  w.ops.push_back(input);
  if (weight_k > 0) {
    Op mm;
    mm.name = "weights";
    mm.kind = OpKind::weight_matmul;
    mm.inputs = {0};
    mm.m = 1;
    mm.k = weight_k;
    mm.n = weight_n;
    mm.output_elements = weight_n;
    w.ops.push_back(mm);
  }
  w.ops.push_back(test::grouped_attention_op(0, appended));
  return w;
}

}  // namespace

TEST_CASE("activation matmuls in the arrays: writes, reads and time in closed form",
          "[mapper][evaluator]") {
  const ArchSpec arch = small_arch_in_arrays();
  const Workload w = attention_workload(Op::CachedAxis::none);
  const Mapping m = map_workload(arch, w);
  REQUIRE(m.matrices.size() == 1);
  const MatrixPlacement& p = m.matrices[0];
  CHECK(p.dynamic);
  CHECK(p.operands == 2);
  CHECK(p.row_tiles == 2);  // 6 rows on 4-row arrays
  CHECK(p.col_tiles == 2);  // 3 outputs at 2 per array
  CHECK(p.arrays == 2 * 2 * 2);
  CHECK(m.arrays_used == 8);
  CHECK(m.cells_used == 0);
  CHECK(m.operand_cells_used == 2 * 6 * 3 * 4);
  CHECK(m.fits);

  const CostTable costs = build_cost_table(arch);
  Workspace ws;
  std::vector<OpResult> per_op(w.ops.size());
  const Evaluation e = evaluate(w, m, costs, ws, per_op);
  const auto& c = e.counts;
  // A prefill programs both operands whole: 2 x 6 x 3 values at 4 cells each.
  CHECK(c[Action::kv_cell_write] == 2 * 6 * 3 * 4);
  CHECK(c[Action::vector_mac] == 0);
  // All 4 x 3 query vectors through their operand's arrays, 4 input cycles each.
  CHECK(c[Action::cell_read] == 12 * 4 * (6 * 3 * 4));
  CHECK(c[Action::row_drive] == 12 * 4 * 6 * 2);
  CHECK(c[Action::adc_conversion] == 12 * 4 * 2 * (3 * 4));  // two row tiles' groups
  CHECK(c[Action::partial_sum_add] == 12 * 3 * 1);
  CHECK(c[Action::tile_buffer_bit] == 2 * 12 * 6 * 4 + 2 * 12 * 3 * 4);
  // Outputs written and read, the programmed values read, the input.
  CHECK(c[Action::global_buffer_bit] == 2 * 12 * 3 * 4 + 36 * 4 + 18 * 4);
  CHECK(c[Action::kv_cell_write] * costs.energy_j[static_cast<int>(Action::kv_cell_write)] ==
        Approx(e.energy_by_component_j[static_cast<int>(Component::kv_write)]));
  CHECK(costs.energy_j[static_cast<int>(Action::kv_cell_write)] == Approx(10e-12));  // the card

  // Each array writes its 4 rows one after another (1 us each), then the two query heads that
  // share an operand take turns: 2 x 3 vectors x 80 ns.
  CHECK(costs.array_vector_s == Approx(80e-9));
  CHECK(per_op[1].busy_s == Approx(4 * 1e-6 + 2 * 3 * 80e-9).epsilon(1e-12));
  CHECK(e.bottleneck_s == Approx(per_op[1].busy_s).epsilon(1e-12));
  CHECK(per_op[1].program_s == Approx(4 * 1e-6));
  // The operand must arrive whole and be programmed before the first query: the input's 72 bits
  // from DRAM at 64 Gb/s, then the programming, then the queries.
  CHECK(e.latency_s == Approx(72.0 / 64e9 + 4 * 1e-6 + 2 * 3 * 80e-9).epsilon(1e-12));
  CHECK(e.max_cell_writes_per_pass == 1.0);
  // A prefill's passes pipeline: the arrays are busy for their op's time, not the whole pass.
  CHECK(e.inferences_per_s == Approx(1.0 / per_op[1].busy_s));
}

TEST_CASE("a decode step appends one key column or one value row to a resident cache",
          "[mapper][evaluator]") {
  const ArchSpec arch = small_arch_in_arrays();
  const CostTable costs = build_cost_table(arch);
  Workspace ws;
  std::vector<OpResult> per_op(2);

  // A key is a column of K^T: one cell group on each of the 6 rows, 4 of them per array.
  const Workload keys = attention_workload(Op::CachedAxis::n);
  const Evaluation ek = evaluate(keys, map_workload(arch, keys), costs, ws, per_op);
  CHECK(ek.counts[Action::kv_cell_write] == 2 * 6 * 1 * 4);
  CHECK(per_op[1].busy_s == Approx(4 * 1e-6 + 6 * 80e-9).epsilon(1e-12));
  CHECK(ek.max_cell_writes_per_pass == Approx(1.0 / 3));  // once per 3 positions
  // The arrays hold this batch's cache, and the next step needs this one's token: no overlap.
  CHECK(ek.inferences_per_s == Approx(1.0 / ek.latency_s));
  CHECK(ek.lifetime_passes(1e6) == Approx(3e6));

  // A value is a row of V: one row write.
  const Workload values = attention_workload(Op::CachedAxis::k);
  const Evaluation ev = evaluate(values, map_workload(arch, values), costs, ws, per_op);
  CHECK(ev.counts[Action::kv_cell_write] == 2 * 1 * 3 * 4);
  CHECK(per_op[1].busy_s == Approx(1 * 1e-6 + 6 * 80e-9).epsilon(1e-12));
  CHECK(ev.max_cell_writes_per_pass == Approx(1.0 / 6));

  // Reads do not depend on what was written.
  CHECK(ek.counts[Action::cell_read] == ev.counts[Action::cell_read]);
}

TEST_CASE("a cache that does not stay resident is written whole every pass",
          "[mapper][evaluator]") {
  const ArchSpec arch = small_arch_in_arrays();
  // 8 x 12 weights take 2 x 6 = 12 arrays; with the 8 of the operands, 20 > 16.
  const Workload w = attention_workload(Op::CachedAxis::n, 8, 12);
  const Mapping m = map_workload(arch, w);
  CHECK_FALSE(m.fits);
  CHECK(m.arrays_used == 20);
  CHECK(m.operand_arrays == 8);
  // The weights' 12 arrays stay; the operands' 8 take turns on the other 4, two rounds a pass.
  CHECK(m.resident_weight_arrays == 12);
  CHECK(m.reloaded_cells == 0);
  CHECK(m.reload_rounds == 0);
  CHECK(m.max_rounds_per_array == 2);
  const CostTable costs = build_cost_table(arch);
  Workspace ws;
  const Evaluation e = evaluate(w, m, costs, ws);
  CHECK(e.counts[Action::cell_write] == 0);
  CHECK(e.counts[Action::kv_cell_write] == 2 * 6 * 3 * 4);
  CHECK(e.counts[Action::dram_bit] == 18 * 4);  // the cache is not in DRAM
  CHECK(e.reload_latency_s == 0.0);
  CHECK(e.max_cell_writes_per_pass == 2.0);
}

TEST_CASE("nothing written, nothing worn; the vector unit is the default", "[mapper][evaluator]") {
  const ArchSpec arch = test::parse_arch_text(test::small_arch_yaml());
  CHECK(arch.chiplet.dynamic_matmuls == "vector_unit");
  const Workload w = attention_workload(Op::CachedAxis::none);
  const Mapping m = map_workload(arch, w);
  CHECK(m.matrices.empty());
  const CostTable costs = build_cost_table(arch);
  Workspace ws;
  const Evaluation e = evaluate(w, m, costs, ws);
  CHECK(e.counts[Action::vector_mac] == 4 * 3 * 6 * 3);
  CHECK(e.counts[Action::kv_cell_write] == 0);
  CHECK(e.max_cell_writes_per_pass == 0.0);
}

TEST_CASE("BERT-base and Llama-3-8B attention in the arrays: exact counts", "[mapper][evaluator]") {
  ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  arch.chiplet.dynamic_matmuls = "arrays";
  const CostTable costs = build_cost_table(arch);
  Workspace ws;

  // 12 layers x 12 heads x (K^T 64 x 128 + V 128 x 64), 8-bit values on 2-bit differential
  // cells (8 cells each, 32 values per 256-column array); K^T takes 1 x ceil(128 / 32) arrays,
  // V 1 x ceil(64 / 32).
  const Workload bert = build_transformer(find_workload("bert-base"), WorkloadRequest{});
  const Mapping mb = map_workload(arch, bert);
  CHECK(mb.fits);
  CHECK(mb.arrays_used == 10368 + 144 * (4 + 2));
  const Evaluation eb = evaluate(bert, mb, costs, ws);
  CHECK(eb.counts[Action::kv_cell_write] == 144ull * (64 * 128 + 128 * 64) * 8);
  CHECK(eb.counts[Action::vector_mac] == 0);

  // Grouped-query attention: 32 query heads share 8 KV heads, so a decode step at context 15
  // (16 positions) writes 8 keys and 8 values of 128 per layer.
  WorkloadRequest decode;
  decode.phase = "decode";
  decode.context = 15;
  const Workload llama = build_transformer(find_workload("llama3-8b"), decode);
  for (const Op& op : llama.ops) {
    if (op.kind != OpKind::dynamic_matmul) continue;
    CHECK(op.instances == 32);
    CHECK(op.operand_instances == 8);
  }
}

TEST_CASE("a report says when the keys and values are what does not fit", "[mapper][evaluator]") {
  // Example 07's package: GPT-2 small's weights take 15,081 of its 19,200 arrays; a 1,024-token
  // cache in the arrays adds 6,192.
  RunRequest request;
  request.arch_file = std::string(CIMSIM_SOURCE_DIR) + "/examples/07_attention_in_arrays/arch.yaml";
  request.workload = "gpt2-small";
  request.workload_request.phase = "decode";
  request.workload_request.context = 1024;
  const RunResult r = run_analytical(request);
  CHECK_FALSE(r.mapping.fits);
  CHECK(r.mapping.arrays_used - r.mapping.operand_arrays == 15081);
  CHECK(r.mapping.resident_weight_arrays == 15081);
  CHECK(r.mapping.reload_rounds == 0);
  CHECK_THAT(report_table(r),
             Catch::Contains("does NOT fit: the weights alone fit and stay; the keys' and values' "
                             "6192 arrays share the other 4119, 2 rounds a pass"));
  request.workload_request.context = 512;  // fits: no note
  CHECK_THAT(report_table(run_analytical(request)), !Catch::Contains("does NOT fit"));
}
