// The SystemC replay of a mapping against the analytical evaluator. Each TEST_CASE runs in its
// own process (SystemC elaborates once).

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>

#include "hw/system/chip_replay.hpp"
#include "hw/system/forked_child.hpp"
#include "models/arch/arch_spec.hpp"

using namespace cimsim;

namespace {

struct Case {
  ArchSpec arch;
  Workload workload;
  Mapping mapping;
  CostTable costs;
  Evaluation analytical;
};

Case make_from(ArchSpec arch, const std::string& model, WorkloadRequest request) {
  Case c;
  c.arch = std::move(arch);
  c.workload = build_transformer(find_workload(model), request);
  c.mapping = map_workload(c.arch, c.workload);
  c.costs = build_cost_table(c.arch);
  Workspace ws;
  c.analytical = evaluate(c.workload, c.mapping, c.costs, ws);
  return c;
}

// arch_file: under configs/arch/, or a path from the source root.
ArchSpec arch_at(const std::string& arch_file) {
  const std::string root = std::string(CIMSIM_SOURCE_DIR) + "/";
  const bool in_arch = arch_file.find('/') == std::string::npos;
  return load_arch(root + (in_arch ? "configs/arch/" : "") + arch_file, nullptr);
}

Case make(const std::string& arch_file, const std::string& model, WorkloadRequest request) {
  return make_from(arch_at(arch_file), model, request);
}

void check_counts(const ActionCounts& simulated, const ActionCounts& analytical) {
  for (int a = 0; a < kNumActions; ++a) {
    INFO(action_name(static_cast<Action>(a)));
    CHECK(simulated.count[a] == analytical.count[a]);
  }
}

// The chiplet modules against the mapping: a chiplet module exists exactly where ops are placed,
// its child modules are exactly the tiles of the weight matrices placed on it
// (chiplet_<c>.tile_<matrix>) and, where other ops run, its vector unit; its tiles' arrays and
// banks are busy their matrices' vectors x the stage times, and its tiles and vector unit serve
// every row of the ops placed on it (the DRAM port the rest).
void check_chiplets(const Case& c, const ChipReplayResult& r) {
  std::vector<OpResult> per_op(c.workload.ops.size());
  Workspace ws;
  evaluate(c.workload, c.mapping, c.costs, ws, per_op);
  const size_t chiplets = c.mapping.chiplet_position.size();
  std::vector<std::set<std::string>> children(chiplets);
  std::vector<double> vectors(chiplets, 0);
  std::vector<std::uint64_t> rows(chiplets, 0);
  std::vector<double> kv_busy(chiplets, 0);
  std::uint64_t dram_rows = 0;
  for (size_t i = 0; i < c.workload.ops.size(); ++i) {
    const Op& op = c.workload.ops[i];
    const auto op_rows = static_cast<std::uint64_t>(per_op[i].rows);
    if (op.kind == OpKind::embedding) {
      dram_rows += op_rows;
      continue;
    }
    const int at = c.mapping.op_chiplet[i];
    const std::string chiplet = "chiplet_" + std::to_string(at);
    rows[at] += op_rows;
    if (op.kind == OpKind::weight_matmul) {
      children[at].insert(chiplet + ".tile_" + std::to_string(c.mapping.op_matrix[i]));
      // Each vector runs the arrays' row groups one after another (crossbar.active_rows).
      const auto& placement = c.mapping.matrices[static_cast<size_t>(c.mapping.op_matrix[i])];
      vectors[at] += static_cast<double>(op.m * placement.groups_per_array);
    } else if (op.kind == OpKind::dynamic_matmul && c.mapping.op_matrix[i] >= 0) {
      // An activation matmul in the arrays: its own arrays, busy its whole op time.
      children[at].insert(chiplet + ".kv_arrays_" + std::to_string(c.mapping.op_matrix[i]));
      kv_busy[at] += per_op[i].busy_s;
    } else {
      children[at].insert(chiplet + ".vector_unit");
    }
  }
  size_t expected_modules = 0;
  for (const auto& kids : children) expected_modules += kids.empty() ? 0 : 1;
  REQUIRE(r.chiplets.size() == expected_modules);
  const double cycles = c.mapping.input_cycles;
  const double bank =
      c.costs.analog_input_accumulation ? c.costs.adc_bank_s : cycles * c.costs.adc_bank_s;
  std::uint64_t served = dram_rows;
  int tiles = 0;
  for (const ChipletUse& u : r.chiplets) {
    INFO(u.name);
    const auto at = static_cast<size_t>(u.chiplet);
    REQUIRE(at < chiplets);
    CHECK(u.name == "chiplet_" + std::to_string(u.chiplet));
    CHECK(std::set<std::string>(u.children.begin(), u.children.end()) == children[at]);
    CHECK(u.children.size() == children[at].size());  // no module twice
    const auto kv_modules = std::count_if(
        children[at].begin(), children[at].end(),
        [](const std::string& child) { return child.find(".kv_arrays_") != std::string::npos; });
    const int tiles_here = static_cast<int>(children[at].size()) -
                           static_cast<int>(children[at].count(u.name + ".vector_unit")) -
                           static_cast<int>(kv_modules);
    CHECK(u.kv_arrays_busy_s == Approx(kv_busy[at]).epsilon(1e-9));
    CHECK(u.tiles == tiles_here);
    CHECK(u.array_busy_s == Approx(vectors[at] * cycles * c.costs.read_cycle_s).epsilon(1e-9));
    CHECK(u.adc_bank_busy_s == Approx(vectors[at] * bank).epsilon(1e-9));
    CHECK(u.rows == rows[at]);
    CHECK((u.vector_unit_busy_s > 0) == (children[at].count(u.name + ".vector_unit") == 1));
    served += u.rows;
    tiles += u.tiles;
  }
  CHECK(served == r.transactions);
  CHECK(tiles == r.tiles);
}

// The tiles' stages against their closed forms: one tile per weight matrix, the arrays busy
// vectors x cycles x read_cycle_s, the ADC banks vectors x cycles x adc_bank_s (digital) or
// vectors x adc_bank_s (analog), summed over matrices; and, each matrix having its own arrays,
// no row ever waited for a tile's buffer, arrays or bank.
void check_tiles(const Case& c, const ChipReplayResult& r) {
  double vectors = 0, group_vectors = 0;  // group_vectors: vectors x the arrays' row groups
  int matrices = 0;
  for (size_t i = 0; i < c.workload.ops.size(); ++i) {
    const Op& op = c.workload.ops[i];
    if (op.kind != OpKind::weight_matmul) continue;
    ++matrices;
    vectors += static_cast<double>(op.m);
    const auto& placement = c.mapping.matrices[static_cast<size_t>(c.mapping.op_matrix[i])];
    group_vectors += static_cast<double>(op.m * placement.groups_per_array);
  }
  const double cycles = c.mapping.input_cycles;
  CHECK(r.tiles == matrices);
  CHECK(r.array_busy_s == Approx(group_vectors * cycles * c.costs.read_cycle_s).epsilon(1e-9));
  const double bank =
      c.costs.analog_input_accumulation ? c.costs.adc_bank_s : cycles * c.costs.adc_bank_s;
  CHECK(r.adc_bank_busy_s == Approx(group_vectors * bank).epsilon(1e-9));
  CHECK(r.tile_wait_s == 0.0);
  check_chiplets(c, r);
  // Each row is one call into the tile plus one to its arrays and one to its bank.
  CHECK(r.component_transactions == r.transactions + 2 * static_cast<std::uint64_t>(vectors));
  // Energy by component from the replay's counts equals the evaluator's breakdown.
  const auto priced = price(r.counts, c.costs);
  for (int k = 0; k < kNumComponents; ++k) {
    INFO(component_name(static_cast<Component>(k)));
    CHECK(priced[k] == c.analytical.energy_by_component_j[k]);
  }
}

// What the packet-level routers must book: every row's share of a remote input, and of the keys
// and values a vector-unit attention spills to DRAM (from its DRAM port's chiplet), is one
// packet of ceil(bits / flit_bits) flits that crosses `hops` links and `hops + 1` router
// outputs (the last one the ejection port). Busy time: flits x cycle x hops (x hops + 1 for
// routers).
struct MeshBusy {
  double link_s = 0, router_s = 0;
  std::uint64_t packets = 0;
};
MeshBusy expected_mesh_busy(const Case& c, const MeshParams& mp) {
  MeshBusy b;
  const double cycle = 1.0 / mp.clock_hz;
  std::vector<std::int64_t> rows(c.workload.ops.size(), 0);
  auto add = [&](int from, int to, double bits_per_row, std::int64_t op_rows) {
    if (from == to) return;
    const double flits = std::max(1.0, std::ceil(bits_per_row / mp.flit_bits - 1e-9));
    const double op_s = flits * cycle * static_cast<double>(op_rows);
    b.link_s += op_s * c.mapping.hops(from, to);
    b.router_s += op_s * (c.mapping.hops(from, to) + 1);
    b.packets += static_cast<std::uint64_t>(op_rows);
  };
  for (size_t i = 0; i < c.workload.ops.size(); ++i) {
    const Op& op = c.workload.ops[i];
    rows[i] = (op.kind == OpKind::weight_matmul || op.kind == OpKind::embedding)
                  ? std::max<std::int64_t>(op.m, 1)
                  : (op.inputs.empty() ? 1 : rows[op.inputs.front()]);
    const int here = c.mapping.op_chiplet[i];
    for (int src : op.inputs) {
      add(c.mapping.op_chiplet[src], here,
          static_cast<double>(c.workload.ops[src].output_elements) * c.costs.activation_bits /
              static_cast<double>(rows[i]),
          rows[i]);
    }
    const double spill_bits =
        static_cast<double>(
            dram_values(c.mapping.op_operand_spill[i], c.analytical.decode_caches_through_dram)) *
        c.costs.activation_bits;
    if (spill_bits > 0)
      add(c.mapping.dram_chiplet_serving(here), here, spill_bits / static_cast<double>(rows[i]),
          rows[i]);
  }
  return b;
}

}  // namespace

namespace {

// Example 07's package with attention on the vector unit, and GPT-2 small decoding a batch of 8
// on an architecture at a context.
ArchSpec example07_vector_unit() {
  ArchSpec arch = arch_at("examples/07_attention_in_arrays/arch.yaml");
  arch.chiplet.dynamic_matmuls = "vector_unit";
  return arch;
}
Case gpt2_small_decode(const ArchSpec& arch, int context) {
  WorkloadRequest decode;
  decode.phase = "decode";
  decode.context = context;
  decode.batch = 8;
  return make_from(arch, "gpt2-small", decode);
}

}  // namespace

TEST_CASE("replay without contention: same counts, same latency as the closed form", "[replay]") {
  Case c = make("reram_chiplets.yaml", "bert-base", WorkloadRequest{});
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/false);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
  CHECK(r.analytical_latency_s == c.analytical.latency_s);
  check_tiles(c, r);
}

namespace {

// chiplet.dynamic_matmuls: arrays (examples/07_attention_in_arrays): each QK^T and AV has arrays
// of its own (a kv_arrays module), which no other op waits for, and waits for its whole operand
// and its programming before its first row: at least 12 layers x 64 row writes of 1 us for K^T.
void check_kv_in_arrays(const std::string& model) {
  ArchSpec arch = arch_at("examples/07_attention_in_arrays/arch.yaml");
  REQUIRE(arch.chiplet.dynamic_matmuls == "arrays");
  Case c = make_from(arch, model, WorkloadRequest{});
  REQUIRE(c.mapping.fits);
  REQUIRE(c.analytical.counts[Action::kv_cell_write] > 0);
  REQUIRE(c.analytical.counts[Action::vector_mac] == 0);
  CHECK(c.analytical.latency_s > 12 * 64 * 1e-6);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/false);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
  check_tiles(c, r);
}

}  // namespace

TEST_CASE(
    "replay of BERT-base's attention in the arrays: same counts and latency as the closed form",
    "[replay]") {
  check_kv_in_arrays("bert-base");  // bidirectional: all keys before the first query anyway
}

TEST_CASE("replay of GPT-2's causal attention in the arrays: the operand is programmed whole first",
          "[replay]") {
  check_kv_in_arrays("gpt2-small");
}

TEST_CASE("replay with analog input accumulation on the chiplet package: the closed form",
          "[replay]") {
  // The default package with NeuRRAM-style accumulation (the cycles integrate on the columns,
  // the bank converts once): the tiles time arrays then bank, pipelined across ops.
  ArchSpec arch = arch_at("reram_chiplets.yaml");
  arch.crossbar.input_accumulation = "analog";
  Case c = make_from(arch, "bert-base", WorkloadRequest{});
  REQUIRE(c.costs.analog_input_accumulation);
  REQUIRE(c.mapping.fits);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/false);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
  check_tiles(c, r);
}

TEST_CASE("replay with active rows taking turns: the closed form", "[replay]") {
  // The default package converting 64 of each array's 256 rows at a time: every array runs
  // four row groups per vector, one after another, and the tiles time them so.
  ArchSpec arch = arch_at("reram_chiplets.yaml");
  arch.crossbar.active_rows = arch.crossbar.rows / 4;
  Case c = make_from(arch, "bert-base", WorkloadRequest{});
  REQUIRE(c.mapping.fits);
  REQUIRE(c.mapping.matrices.front().groups_per_array == 4);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/false);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
  check_tiles(c, r);
}

namespace {

// A published chip (configs/chips): BERT-base does not fit its arrays, so the ops run one after
// another and the arrays are reprogrammed (most of the latency on ReRAM). The compute part, the
// latency less the reprogramming, is compared on its own so the tiles' timing is not hidden.
// A bare macro has no vector unit (vector_lanes: 0); one lane is added for attention's work.
void check_chip(const std::string& arch_file) {
  ArchSpec arch = arch_at(arch_file);
  arch.chiplet.vector_lanes = std::max(arch.chiplet.vector_lanes, 1);
  Case c = make_from(arch, "bert-base", WorkloadRequest{});
  REQUIRE_FALSE(c.mapping.fits);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/false);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
  const double reload = c.analytical.reload_latency_s;
  CHECK(r.latency_s - reload == Approx(c.analytical.latency_s - reload).epsilon(1e-6));
  check_tiles(c, r);
}

}  // namespace

TEST_CASE("replay on NeuRRAM (analog input accumulation): counts and closed form", "[replay]") {
  check_chip("configs/chips/neurram_nature22/arch.yaml");
}

TEST_CASE("replay on Zhang ISCAS 2021 (digital, cells as slow as the bank): closed form",
          "[replay]") {
  check_chip("configs/chips/zhang_iscas21/arch.yaml");
}

TEST_CASE("replay with shared vector units: same counts, contention only adds latency",
          "[replay]") {
  WorkloadRequest r4;
  r4.seq = 128;
  r4.batch = 4;
  Case c = make("reram_chiplets.yaml", "bert-base", r4);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/true);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s >= c.analytical.latency_s * (1 - 1e-9));
  for (double u : r.vector_unit_utilization) CHECK(u <= 1.0 + 1e-9);
  // Contention on: the vector units queue, but a tile's ADC bank is shared only by its own
  // array's columns and every matrix has its own arrays, so no row waits at a tile.
  check_tiles(c, r);
  // BERT-base spans 14 chiplets in snake order: activations cross links between them.
  REQUIRE_FALSE(r.links.empty());
  for (const auto& l : r.links) {
    CHECK(l.utilization > 0.0);
    CHECK(l.utilization <= 1.0 + 1e-9);
    CHECK(std::abs(l.to_x - l.from_x) + std::abs(l.to_y - l.from_y) == 1);
  }
  // Through the packet-level routers every row's share of a remote input is one packet of
  // ceil(bits / flit_bits) flits that crosses `hops` links and `hops + 1` router outputs (the
  // last one the ejection port): the busy time booked on links and routers adds up to flits x
  // cycle x hops (x hops + 1 for routers).
  const MeshParams& mp = r.mesh;
  CHECK(mp.flit_bits == 256);  // UCIe x16: 256 Gb/s at the package's 1 GHz
  CHECK(mp.link_cycles == 2);  // 2 ns per hop
  CHECK(mp.clock_hz == 1e9);
  const MeshBusy expected = expected_mesh_busy(c, mp);
  CHECK(r.mesh_packets == expected.packets);
  CHECK(r.mesh_excess_s >= 0.0);
  double link_busy = 0, router_busy = 0;
  for (const auto& l : r.links) link_busy += l.utilization * r.latency_s;
  REQUIRE(r.routers.size() == c.mapping.chiplet_position.size());
  for (const auto& u : r.routers) {
    CHECK(u.utilization >= 0.0);
    CHECK(u.utilization <= 1.0 + 1e-9);
    router_busy += u.utilization * u.output_ports * r.latency_s;
    // A flit is buffered router_cycles (the pipeline) plus the time it is blocked, so the mean
    // occupancy is the blocked part plus router_cycles x the flits switched per cycle.
    CHECK(u.blocked_flits >= 0.0);
    CHECK(u.buffer_occupancy_flits - u.blocked_flits ==
          Approx(mp.router_cycles * u.utilization * u.output_ports).epsilon(1e-9).margin(1e-12));
  }
  CHECK(link_busy == Approx(expected.link_s).epsilon(1e-6));
  CHECK(router_busy == Approx(expected.router_s).epsilon(1e-6));
}

TEST_CASE("replay of weights that do not fit: sequential ops and reprogramming, as the closed form",
          "[replay]") {
  Case c = make("reram_chiplets.yaml", "gpt2-small", WorkloadRequest{});
  REQUIRE_FALSE(c.mapping.fits);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/true);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
}

TEST_CASE("replay of weights that do not fit, attention in the arrays: programming included",
          "[replay]") {
  // Sequential ops: each QK^T and AV programs its keys or values before its first row.
  ArchSpec arch = arch_at("reram_chiplets.yaml");
  arch.chiplet.dynamic_matmuls = "arrays";
  Case c = make_from(arch, "gpt2-small", WorkloadRequest{});
  REQUIRE_FALSE(c.mapping.fits);
  REQUIRE(c.analytical.counts[Action::kv_cell_write] > 0);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, /*contention=*/true);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s == Approx(c.analytical.latency_s).epsilon(1e-6));
}

namespace {

// Runs the replay in a forked child (SystemC elaborates once per process) and returns its
// latency and transaction count.
std::pair<double, std::uint64_t> replay_in_child(const Case& c, const ReplayOptions& options) {
  struct Figures {
    double latency_s;
    std::uint64_t transactions;
  };
  const auto out = wait_child<Figures>(fork_child<Figures>([&] {
    const ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, options);
    return Figures{r.latency_s, r.transactions};
  }));
  REQUIRE(out.has_value());
  return {out->latency_s, out->transactions};
}

}  // namespace

TEST_CASE("replay through routers whose buffers are shorter than the credit round trip",
          "[replay]") {
  // With 2-flit input buffers (the credit round trip is 2 link_cycles + router_cycles = 7
  // cycles) a router sends at most 2 flits per 7 cycles on a link: every 24-flit activation
  // packet is throttled, flits wait for credits (blocked), and the workload takes longer than
  // with the default 8-flit buffers. Counts do not move.
  Case c = make("reram_chiplets.yaml", "bert-base", WorkloadRequest{});
  ReplayOptions deep;
  deep.mesh = MeshParams::from_arch(c.arch);
  ReplayOptions shallow = deep;
  shallow.mesh->buffer_depth_flits = 2;
  const auto a = replay_in_child(c, deep);
  const auto b = replay_in_child(c, shallow);
  CHECK(a.second == b.second);
  CHECK(b.first > a.first);
  CHECK(a.first >= c.analytical.latency_s);
}

TEST_CASE("replay with contention does not depend on the quantum", "[replay]") {
  // The dispatcher issues rows in time order however far it runs ahead, so a kernel sync on
  // every step (quantum 0) and one per millisecond give the same contended latency, exactly.
  WorkloadRequest r2;
  r2.seq = 128;
  r2.batch = 2;
  Case c = make("reram_chiplets.yaml", "bert-base", r2);
  ReplayOptions every_step;
  every_step.quantum_s = 0;
  ReplayOptions coarse;
  coarse.quantum_s = 1e-3;
  const auto a = replay_in_child(c, every_step);
  const auto b = replay_in_child(c, coarse);
  CHECK(a.second == b.second);
  CHECK(a.first == b.first);
  CHECK(a.first > c.analytical.latency_s);  // the vector units are shared: contention adds
}

TEST_CASE("replay through the routers: counts as the evaluator, never faster than the closed form",
          "[replay]") {
  // BERT-base, batch 1, on the default package with the routers of its link card
  // (MeshParams::from_arch): the action counts do not move, and the packets' flight (T0 holds
  // router_cycles per router, the closed form none) and their queueing only add to the closed
  // form. (The links carry about 1% of their bandwidth here: the routers never block.)
  Case c = make("reram_chiplets.yaml", "bert-base", WorkloadRequest{});
  ReplayOptions options;
  options.mesh = MeshParams::from_arch(c.arch);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, options);
  check_counts(r.counts, c.analytical.counts);
  CHECK(r.latency_s >= c.analytical.latency_s);
  CHECK(r.mesh.clock_hz == c.arch.clock.si);
  CHECK(r.mesh.buffer_depth_flits == 8);
  CHECK(r.mesh_packets > 0);
  for (const auto& u : r.routers) CHECK(u.blocked_flits >= 0.0);
  check_tiles(c, r);
}

TEST_CASE("replay: each chiplet module holds exactly the tiles the mapping placed on it",
          "[replay][chiplet]") {
  // BERT-base on the default package, through the routers: the mapping spreads the 72 weight
  // matrices (12 layers x Q, K, V, O, FF1, FF2) over a snake of chiplets; each chiplet module's
  // children are its own tiles and vector unit, and its figures add up to the chip's.
  Case c = make("reram_chiplets.yaml", "bert-base", WorkloadRequest{});
  ReplayOptions options;
  options.mesh = MeshParams::from_arch(c.arch);
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, options);
  check_counts(r.counts, c.analytical.counts);
  check_chiplets(c, r);
  CHECK(r.tiles == 72);
  REQUIRE(r.chiplets.size() > 1);
  double arrays = 0, banks = 0;
  for (const ChipletUse& u : r.chiplets) {
    arrays += u.array_busy_s;
    banks += u.adc_bank_busy_s;
    CHECK(r.vector_unit_utilization[u.chiplet] == u.vector_unit_busy_s / r.latency_s);
  }
  CHECK(arrays == Approx(r.array_busy_s).epsilon(1e-12));
  CHECK(banks == Approx(r.adc_bank_busy_s).epsilon(1e-12));
}

TEST_CASE("replay: a mesh smaller than the mapping's grid is a user error", "[replay]") {
  Case c = make("reram_chiplets.yaml", "bert-base", WorkloadRequest{});
  ReplayOptions options;
  MeshParams small;
  small.k_x = 2;
  small.k_y = 2;
  options.mesh = small;
  CHECK_THROWS_WITH(replay_in_systemc(c.workload, c.mapping, c.costs, options),
                    Catch::Contains("do not reach the mapping's chiplets"));
}

TEST_CASE("replay of a decode cache spilled to DRAM: its keys and values cross the routers",
          "[replay]") {
  // GPT-2 small decoding at context 256, batch 8, on example 07's package with attention on the
  // vector unit: two thirds of the cache stays in DRAM, and every step reads it through the DRAM
  // port and over the mesh from the DRAM chiplet, most of it through that chiplet's east link.
  Case c = gpt2_small_decode(example07_vector_unit(), 256);
  REQUIRE(c.mapping.fits);
  REQUIRE(c.mapping.operand_values_in_dram > c.mapping.operand_values / 2);

  // Contention off: the closed form, the spill's link time served with its op.
  ReplayOptions off;
  off.contention = false;
  CHECK(replay_in_child(c, off).first == Approx(c.analytical.latency_s).epsilon(1e-6));

  // Through the routers: the spill's packets are booked on the links, and the pass takes at
  // least as long as its busiest link is busy, which the closed form's latency does not.
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, ReplayOptions{});
  check_counts(r.counts, c.analytical.counts);
  const MeshBusy expected = expected_mesh_busy(c, r.mesh);
  CHECK(r.mesh_packets == expected.packets);
  double link_busy = 0, busiest = 0;
  for (const auto& l : r.links) {
    CHECK(l.utilization <= 1.0 + 1e-9);
    link_busy += l.utilization * r.latency_s;
    busiest = std::max(busiest, l.utilization * r.latency_s);
  }
  CHECK(link_busy == Approx(expected.link_s).epsilon(1e-6));
  CHECK(r.latency_s >= busiest);
  CHECK(busiest > c.analytical.latency_s);

  // The one DRAM port reads the embeddings and serves every spilled bit at its bandwidth.
  REQUIRE(c.mapping.dram_ports.size() == 1);
  double port_s = 0;
  REQUIRE_FALSE(c.analytical.decode_caches_through_dram);
  for (size_t i = 0; i < c.workload.ops.size(); ++i) {
    const OperandSpill& spill = c.mapping.op_operand_spill[i];
    port_s += static_cast<double>(spill.dram_reads + spill.dram_writes) * c.costs.activation_bits /
              c.costs.dram_bandwidth_bps;
    if (c.workload.ops[i].kind == OpKind::embedding)
      port_s += static_cast<double>(c.workload.ops[i].output_elements) * c.costs.activation_bits /
                c.costs.dram_bandwidth_bps;
  }
  CHECK(r.dram_utilization * r.latency_s == Approx(port_s).epsilon(1e-6));
}

TEST_CASE("replay of decode caches crossing DRAM whole: the schedule the evaluator reports",
          "[replay]") {
  // The same decode at context 64 with 4 TB/s links and DRAM: one batch's cache fits the 1 MiB
  // buffers, but running more batches with every cache through DRAM is faster, so the
  // evaluator reports that schedule, and the replay moves the whole caches.
  ArchSpec arch = example07_vector_unit();
  arch.package.link.bandwidth.si = 32e12;
  arch.package.dram.bandwidth.si = 32e12;
  Case c = gpt2_small_decode(arch, 64);
  REQUIRE(c.mapping.decode_caches_buffered == 1);
  REQUIRE(c.analytical.decode_caches_through_dram);
  ReplayOptions off;
  off.contention = false;
  CHECK(replay_in_child(c, off).first == Approx(c.analytical.latency_s).epsilon(1e-6));
  ChipReplayResult r = replay_in_systemc(c.workload, c.mapping, c.costs, ReplayOptions{});
  check_counts(r.counts, c.analytical.counts);
  const MeshBusy expected = expected_mesh_busy(c, r.mesh);
  CHECK(r.mesh_packets == expected.packets);
  double link_busy = 0;
  for (const auto& l : r.links) link_busy += l.utilization * r.latency_s;
  CHECK(link_busy == Approx(expected.link_s).epsilon(1e-6));
  CHECK(r.latency_s >= c.analytical.latency_s * (1 - 1e-9));
}
