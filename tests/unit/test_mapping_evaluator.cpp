// Closed-form checks of the mapper and the analytical evaluator on hand-sized problems.
#include <catch2/catch.hpp>

#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/cost/cost_table.hpp"
#include "test_support.hpp"

using namespace cimsim;

namespace {

Op matmul(const std::string& name, int input, std::int64_t m, std::int64_t k, std::int64_t n) {
  Op op;
  op.name = name;
  op.kind = OpKind::weight_matmul;
  op.inputs = {input};
  op.m = m;
  op.k = k;
  op.n = n;
  op.output_elements = m * n;
  return op;
}

Workload hand_workload(std::vector<Op> matmuls, std::int64_t input_elements) {
  Workload w;
  w.name = "hand";
  Op embed;
  embed.name = "input";
  embed.kind = OpKind::embedding;
  embed.output_elements = input_elements;
  w.ops.push_back(embed);
  for (auto& op : matmuls) w.ops.push_back(op);
  return w;
}

// The small architecture below with one array per tile: 4 arrays in all.
ArchSpec four_array_arch() {
  return test::parse_arch_text(test::small_arch_yaml(
      "{preset: reram_22nm}", "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n",
      "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2}", 1));
}

CostTable one_picojoule(CostTable t) {
  t.energy_j.fill(1e-12);
  return t;
}

}  // namespace

// Small arch: 4x8 arrays, 4-bit inputs and weights, 2-bit ReRAM cells, differential:
// 2 slices x 2 = 4 columns per weight, so 2 outputs per array; 4 arrays per tile, 2 tiles per
// chiplet, 2 chiplets; ADC 100 MS/s shared by 2 columns; read pulse 10 ns.
TEST_CASE("a 6x3 matrix tiles and counts in closed form", "[mapper][evaluator]") {
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml());
  Workload w = hand_workload({matmul("mm", 0, 3, 6, 3)}, 18);
  Mapping m = map_workload(arch, w);
  REQUIRE(m.matrices.size() == 1);
  CHECK(m.matrices[0].row_tiles == 2);
  CHECK(m.matrices[0].col_tiles == 2);
  CHECK(m.arrays_used == 4);
  CHECK(m.arrays_available == 16);
  CHECK(m.fits);
  CHECK(m.utilization == Approx(72.0 / 128.0));

  CostTable costs = one_picojoule(build_cost_table(arch));
  Workspace ws;
  Evaluation e = evaluate(w, m, costs, ws);
  const auto& c = e.counts;
  CHECK(c[Action::cell_read] == 3 * 4 * (6 * 3 * 4));  // vectors x cycles x cells
  CHECK(c[Action::row_drive] == 3 * 4 * 6 * 2);        // rows x column tiles
  CHECK(c[Action::dac_conversion] == 0);
  CHECK(c[Action::adc_conversion] == 3 * 4 * 2 * (3 * 4));
  CHECK(c[Action::shift_add] == c[Action::adc_conversion]);
  CHECK(c[Action::partial_sum_add] == 3 * 3 * 1);
  CHECK(c[Action::tile_buffer_bit] == 2 * 3 * 6 * 4 + 2 * 3 * 3 * 4);
  CHECK(c[Action::global_buffer_bit] == 2 * 3 * 3 * 4 + 18 * 4);
  CHECK(c[Action::dram_bit] == 18 * 4);
  CHECK(c[Action::link_bit_hop] == 0);
  CHECK(e.energy_j == Approx(2025e-12).epsilon(1e-12));  // sum of counts at 1 pJ each

  // Cycle = max(10 ns pulse, 2 columns x 10 ns ADC, 1 ns clock) = 20 ns; 4 input bits.
  CHECK(costs.array_cycle_s == Approx(20e-9));
  CHECK(e.latency_s == Approx(3 * 4 * 20e-9 + 72.0 / 64e9).epsilon(1e-12));
  CHECK(e.macs == 3 * 6 * 3);
}

TEST_CASE("activations crossing chiplets pay link bits x hops", "[mapper][evaluator]") {
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml());
  // 4 + 4 arrays fill chiplet 0 (8 arrays); the third matrix lands on chiplet 1.
  Workload w = hand_workload(
      {matmul("a", 0, 3, 6, 3), matmul("b", 1, 3, 3, 8), matmul("c", 2, 3, 8, 2)}, 18);
  Mapping m = map_workload(arch, w);
  CHECK(m.op_chiplet[1] == 0);
  CHECK(m.op_chiplet[2] == 0);
  CHECK(m.op_chiplet[3] == 1);
  CHECK(m.hops(0, 1) == 1);
  CostTable costs = build_cost_table(arch);
  Workspace ws;
  std::vector<OpResult> per_op(w.ops.size());
  Evaluation e = evaluate(w, m, costs, ws, per_op);
  CHECK(e.counts[Action::link_bit_hop] == 3 * 8 * 4);
  // Op c: 96 bits over 1 GB/s plus one 2 ns hop, then 3 vectors x 2 row tiles' worth of cycles.
  CHECK(per_op[3].latency_s == Approx(96.0 / 8e9 + 2e-9 + 3 * 4 * 20e-9).epsilon(1e-12));
}

TEST_CASE("weights that do not fit are reprogrammed every pass", "[mapper][evaluator]") {
  const ArchSpec arch = four_array_arch();
  Workload w = hand_workload({matmul("mm", 0, 3, 6, 5)}, 18);  // 2 x 3 = 6 arrays > 4
  Mapping m = map_workload(arch, w);
  CHECK_FALSE(m.fits);
  CHECK(m.arrays_used == 6);
  CHECK(m.reload_rounds == 2);
  CostTable costs = build_cost_table(arch);
  Workspace ws;
  Evaluation e = evaluate(w, m, costs, ws);
  CHECK(e.counts[Action::cell_write] == 6 * 5 * 4);
  CHECK(e.counts[Action::dram_bit] == 18 * 4 + 6 * 5 * 4);
  // The six arrays land on physical arrays 0 1 2 3 0 1: chiplet 1 holds two of them, a third of
  // the 120 bits, one hop from the DRAM port.
  CHECK(m.reload_link_bit_hops == 40);
  CHECK(m.reload_busiest_link_bits == 40);
  CHECK(e.counts[Action::link_bit_hop] == 40);
  // Two rounds of four rows at 1 us per row outlast reading 120 bits at 64 Gb/s and sending 40
  // over the 8 Gb/s link.
  CHECK(e.reload_latency_s == Approx(2 * 4 * 1e-6));
  CHECK(e.inferences_per_s == Approx(1.0 / e.latency_s));
  // Two of the four physical arrays hold a logical array in both rounds: two writes a pass.
  CHECK(e.max_cell_writes_per_pass == 2.0);
  CHECK(e.lifetime_passes(1e6) == Approx(5e5));
}

TEST_CASE("reloaded weights cross the mesh on XY routes; the busiest link can set the time",
          "[mapper][evaluator]") {
  // Four arrays on a 2 x 2 mesh (chiplets 0 (0,0), 1 (1,0), 2 (1,1), 3 (0,1) in snake order, two
  // arrays each) and a slow link, 1 MB/s.
  std::string yaml = test::small_arch_yaml(
      "{preset: reram_22nm}", "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n",
      "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2}", 1);
  auto replace = [&](const std::string& from, const std::string& to) {
    yaml.replace(yaml.find(from), from.size(), to);
  };
  replace("mesh: {columns: 2, rows: 1}", "mesh: {columns: 2, rows: 2}");
  replace("bandwidth: 1GB/s", "bandwidth: 1MB/s");
  const ArchSpec arch = test::parse_arch_text(yaml);
  // 12 x 6 weights: 3 x 3 = 9 arrays on 8, none resident (the budget is 7). Their 288 bits, 32
  // an array: arrays 0, 1 and 8 on chiplet 0, then two on each other chiplet, 64 bits each.
  Workload w = hand_workload({matmul("mm", 0, 1, 12, 6)}, 4);
  Mapping m = map_workload(arch, w);
  CHECK_FALSE(m.fits);
  CHECK(m.resident_weight_arrays == 0);
  // East of (0,0) carries chiplets 1 and 2 (128 bits), north of (0,0) chiplet 3, north of (1,0)
  // chiplet 2 (64 each).
  CHECK(m.reload_link_bit_hops == 64 * 1 + 64 * 2 + 64 * 1);
  CHECK(m.reload_busiest_link_bits == 128);
  const CostTable costs = build_cost_table(arch);
  Workspace ws;
  const Evaluation e = evaluate(w, m, costs, ws);
  // 128 bits at 8 Mb/s (16 us) outlast two rounds of four 1 us row writes.
  CHECK(e.reload_latency_s == Approx(128 / 8e6));

  // A second DRAM port on chiplet 2, at (1,1): it serves chiplet 2; chiplets 1 and 3 are one hop
  // from both ports and take the first. The first port reads 96 + 64 + 64 bits, the second 64.
  replace("bandwidth: 8GB/s}", "bandwidth: 8GB/s, ports: [{x: 0, y: 0}, {x: 1, y: 1}]}");
  const ArchSpec two_ports = test::parse_arch_text(yaml);
  REQUIRE(two_ports.package.dram.ports.size() == 2);
  const Mapping m2 = map_workload(two_ports, w);
  CHECK(m2.dram_ports == std::vector<int>{0, 2});
  CHECK(m2.nearest_dram_port == std::vector<int>{0, 0, 1, 0});
  CHECK(m2.reload_busiest_port_bits == 96 + 64 + 64);
  CHECK(m2.reload_link_bit_hops == 64 + 64);
  CHECK(m2.reload_busiest_link_bits == 64);
}

TEST_CASE("weights that do not fit keep what they can resident", "[mapper][evaluator]") {
  const ArchSpec arch = four_array_arch();
  // 4 x 2 weights take one array, 6 x 5 six: 7 arrays on 4, two a physical array at the most.
  // One array can stay while the other three cycle six in two rounds: the small matrix.
  Workload w = hand_workload({matmul("small", 0, 1, 4, 2), matmul("big", 1, 1, 6, 5)}, 4);
  Mapping m = map_workload(arch, w);
  CHECK_FALSE(m.fits);
  CHECK(m.arrays_used == 7);
  CHECK(m.matrices[0].resident);
  CHECK_FALSE(m.matrices[1].resident);
  CHECK(m.resident_weight_arrays == 1);
  CHECK(m.reload_rounds == 2);
  CHECK(m.max_rounds_per_array == 2);
  CHECK(m.cells_used == (4 * 2 + 6 * 5) * 4);
  CHECK(m.reloaded_cells == 6 * 5 * 4);
  CHECK(m.reloaded_weight_bits == 6 * 5 * 4);
  CostTable costs = build_cost_table(arch);
  Workspace ws;
  Evaluation e = evaluate(w, m, costs, ws);
  CHECK(e.counts[Action::cell_write] == 6 * 5 * 4);
  CHECK(e.counts[Action::dram_bit] == 4 * 4 + 6 * 5 * 4);
  CHECK(e.reload_latency_s == Approx(2 * 4 * 1e-6));
  CHECK(e.max_cell_writes_per_pass == 2.0);

  // The resident array takes physical array 0; the big matrix cycles the pool behind it, 1 2 3
  // 1 2 3: four of its six arrays (80 of its 120 bits) on chiplet 1, one hop from the DRAM port.
  CHECK(m.matrices[0].first_physical_array == 0);
  CHECK(m.matrices[1].first_physical_array == 1);
  CHECK(m.op_chiplet == std::vector<int>{0, 0, 0});
  CHECK(m.reload_link_bit_hops == 80);
  CHECK(m.reload_busiest_link_bits == 80);
}

TEST_CASE("resident weights take the first physical arrays, the others the pool behind them",
          "[mapper]") {
  const ArchSpec arch = four_array_arch();  // two arrays a chiplet, two chiplets
  // The big matrix first: it cannot stay (six arrays against a budget of one), the small one
  // after it can. The small one's logical array 6 sits on physical array 0, chiplet 0; the big
  // one's six run 1 2 3 1 2 3.
  Workload w = hand_workload({matmul("big", 0, 1, 6, 5), matmul("small", 1, 1, 4, 2)}, 4);
  const Mapping m = map_workload(arch, w);
  CHECK_FALSE(m.matrices[0].resident);
  CHECK(m.matrices[1].resident);
  CHECK(m.matrices[1].first_array == 6);
  CHECK(m.matrices[1].first_physical_array == 0);
  CHECK(m.matrices[0].first_physical_array == 1);
  CHECK(m.op_chiplet == std::vector<int>{0, 0, 0});
  CHECK(m.reload_link_bit_hops == 80);

  // Three 4 x 2 matrices on a 2 x 2 mesh of two arrays each, with more than the package holds:
  // the pool wraps to its own start, not to the resident arrays.
  std::string yaml = test::small_arch_yaml(
      "{preset: reram_22nm}", "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n",
      "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2}", 1);
  yaml.replace(yaml.find("mesh: {columns: 2, rows: 1}"), 27, "mesh: {columns: 2, rows: 2}");
  const ArchSpec eight = test::parse_arch_text(yaml);
  // 1 + 6 + 6 = 13 arrays on 8: two rounds, a budget of (2 x 8 - 13) / 1 = 3: the first stays.
  Workload three =
      hand_workload({matmul("a", 0, 1, 4, 2), matmul("b", 1, 1, 6, 5), matmul("c", 2, 1, 6, 5)}, 4);
  const Mapping m3 = map_workload(eight, three);
  CHECK(m3.resident_weight_arrays == 1);
  CHECK(m3.matrices[1].first_physical_array == 1);  // b: 1..6
  CHECK(m3.matrices[2].first_physical_array == 7);  // c: 7, then 1..5
  CHECK(m3.op_chiplet == std::vector<int>{0, 0, 0, 3});
  // 20 bits an array: chiplet 0 takes 2 arrays (0 hops), chiplet 1 four (1 hop), chiplet 2
  // four (2 hops, through chiplet 1), chiplet 3 two (1 hop north).
  CHECK(m3.reload_link_bit_hops == 80 * 1 + 80 * 2 + 40 * 1);
  CHECK(m3.reload_busiest_link_bits == 160);  // east of (0, 0)
}

TEST_CASE("offset weights keep a reference column per array", "[mapper][evaluator]") {
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml(
      "{preset: reram_22nm}",
      "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n  signed_weights: offset\n"));
  // 2 columns per weight; 7 weight columns leave 3 outputs per array.
  Workload w = hand_workload({matmul("mm", 0, 1, 4, 6)}, 4);
  Mapping m = map_workload(arch, w);
  CHECK(m.matrices[0].col_tiles == 2);
  CostTable costs = build_cost_table(arch);
  Workspace ws;
  Evaluation e = evaluate(w, m, costs, ws);
  CHECK(e.counts[Action::adc_conversion] == 1 * 4 * 1 * (6 * 2 + 2));
  CHECK(e.counts[Action::cell_read] == 1 * 4 * (4 * 6 * 2 + 4 * 2));
}

TEST_CASE("BERT-base fills the default architecture as computed by hand", "[mapper]") {
  ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  WorkloadRequest r;
  Workload w = build_transformer(find_workload("bert-base"), r);
  Mapping m = map_workload(arch, w);
  // 8 columns per weight, 32 outputs per 256-column array. Per layer: Q, K, V, O 3 x 24 arrays
  // each; FFN up 3 x 96; FFN down 12 x 24: 864 arrays; 12 layers.
  CHECK(m.arrays_used == 12 * 864);
  CHECK(m.fits);
  CHECK(m.utilization == 1.0);
}

TEST_CASE("resident weights stream token vectors through a pipeline", "[evaluator]") {
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml());
  CostTable costs = build_cost_table(arch);
  const double row = 4 * 20e-9;  // one vector through one array: 4 input cycles of 20 ns
  const double input_s = 3 * 4 * 4.0 / 64e9;  // 3 rows of 4 4-bit activations from DRAM
  // Two chained 4x2 matmuls (one array each) on 3 vectors: the second starts on vector 1 as
  // soon as the first has emitted it, so the pass takes the first input row (a third of the
  // input) plus (3 + 1) array rows.
  Workload chain = hand_workload({matmul("a", 0, 3, 4, 2), matmul("b", 1, 3, 2, 2)}, 12);
  chain.ops[0].m = 3;
  Workspace ws;
  Evaluation e = evaluate(chain, map_workload(arch, chain), costs, ws);
  CHECK(e.latency_s == Approx(input_s / 3 + 4 * row).epsilon(1e-12));
  // When b needs all of a's rows before its first (as attention needs all keys), nothing overlaps.
  chain.ops[2].whole_inputs = {1};
  e = evaluate(chain, map_workload(arch, chain), costs, ws);
  CHECK(e.latency_s == Approx(input_s / 3 + 6 * row).epsilon(1e-12));
}
