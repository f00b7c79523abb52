// Attention on the vector unit: its keys and values against the chiplets' global buffers, the
// share that stays in DRAM, what it costs in counts, time and throughput, in closed form on
// hand-sized problems and exact counts on Llama-2-7B and Llama-3-8B.
#include <catch2/catch.hpp>

#include "cli/report.hpp"
#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/cost/cost_table.hpp"
#include "test_support.hpp"

using namespace cimsim;

namespace {

// test::small_arch_yaml (4-bit activations, 4 vector lanes at 1 GHz, 8 arrays per chiplet on a
// 2 x 1 mesh, 1 GB/s links with 2 ns per hop) with a global buffer of 108 bits, 27 values, and
// the DRAM bandwidth given.
ArchSpec small_arch(const std::string& dram_bandwidth = "8GB/s",
                    const std::string& link_bandwidth = "1GB/s") {
  std::string yaml = test::small_arch_yaml();
  auto replace = [&](const std::string& from, const std::string& to) {
    yaml.replace(yaml.find(from), from.size(), to);
  };
  replace("global_buffer: 64KiB", "global_buffer: 108bit");
  replace("bandwidth: 8GB/s", "bandwidth: " + dram_bandwidth);
  replace("bandwidth: 1GB/s", "bandwidth: " + link_bandwidth);
  return test::parse_arch_text(yaml);
}

// An input, then 4 products of a 3 x 6 by a 6 x 3 operand, two query heads per operand
// (grouped-query attention): 2 x 6 x 3 = 36 keys' values. With `far`, two weight matmuls first
// fill chiplet 0's 8 arrays and put one on chiplet 1, whose output the attention takes.
Workload attention(Op::CachedAxis appended, int batch = 1, bool far = false) {
  Workload w;
  w.name = "hand attention";
  w.request.batch = batch;
  w.request.phase = appended == Op::CachedAxis::none ? "prefill" : "decode";
  Op input;
  input.name = "input";
  input.kind = OpKind::embedding;
  input.m = 1;
  input.output_elements = 18;
  w.ops.push_back(input);
  if (far) {
    Op fill;  // 16 x 4 on 4 x 8 arrays of 2 weights each: 4 x 2 arrays, chiplet 0
    fill.name = "fill";
    fill.kind = OpKind::weight_matmul;
    fill.inputs = {0};
    fill.m = 1;
    fill.k = 16;
    fill.n = 4;
    fill.output_elements = 4;
    w.ops.push_back(fill);
    Op there = fill;  // 4 x 2: one array, the first of chiplet 1
    there.name = "there";
    there.inputs = {1};
    there.k = 4;
    there.n = 2;
    there.output_elements = 2;
    w.ops.push_back(there);
  }
  w.ops.push_back(test::grouped_attention_op(static_cast<int>(w.ops.size()) - 1, appended));
  return w;
}

struct Run {
  Mapping mapping;
  Evaluation evaluation;
  std::vector<OpResult> per_op;
};

Run run(const ArchSpec& arch, const Workload& w) {
  Run r;
  r.mapping = map_workload(arch, w);
  const CostTable costs = build_cost_table(arch);
  Workspace ws;
  r.per_op.resize(w.ops.size());
  r.evaluation = evaluate(w, r.mapping, costs, ws, r.per_op);
  return r;
}

}  // namespace

TEST_CASE("a decode cache the buffer cannot hold: a quarter of it in DRAM, in closed form",
          "[mapper][evaluator]") {
  // The cache of 36 values against a buffer of 27: a quarter of each operand stays in DRAM.
  const Run r = run(small_arch(), attention(Op::CachedAxis::n));
  CHECK(r.mapping.fits);
  CHECK(r.mapping.operand_values == 36);
  CHECK(r.mapping.operand_values_in_dram == 9);
  CHECK(r.mapping.decode_caches_buffered == 0);
  const OperandSpill& s = r.mapping.op_operand_spill[1];
  CHECK(s.dram_reads == 9);
  // This step's keys: a column of K^T, 6 values per operand, a quarter of them to DRAM.
  CHECK(s.dram_writes == 3);
  CHECK(s.overlapped_dram_values == 36 + 12);

  // Overlapping other batches' steps streams every cache whole (48 values, 192 bits, 3 ns a
  // pass through the 64 Gb/s port), still below the vector unit's 54 ns: that schedule's rate,
  // 1 / 54 ns, beats one step at a time (1 / latency), and the pass is counted as it runs.
  CHECK(r.evaluation.decode_caches_through_dram);
  CHECK(r.evaluation.inferences_per_s == Approx(1 / 54e-9).epsilon(1e-12));
  CHECK(r.evaluation.throughput_bound == ThroughputBound::vector_unit);
  const ActionCounts& c = r.evaluation.counts;
  CHECK(c[Action::vector_mac] == 4 * 3 * 6 * 3);
  // Queries per query head, keys once per operand (the heads sharing it read them together),
  // outputs, and the input's write.
  CHECK(c[Action::global_buffer_bit] == (4 * 3 * 6 + 2 * 6 * 3 + 36) * 4 + 18 * 4);
  CHECK(c[Action::dram_bit] == 18 * 4 + 48 * 4);
  CHECK(c[Action::link_bit_hop] == 0);  // the DRAM port is on this chiplet
  // 216 MACs on 4 lanes at 1 GHz, then 192 bits through the port.
  CHECK(r.per_op[1].busy_s == Approx(54e-9 + 192 / 64e9).epsilon(1e-12));
  CHECK(r.evaluation.latency_s == Approx(72 / 64e9 + 54e-9 + 192 / 64e9).epsilon(1e-12));
}

TEST_CASE("a slow DRAM port: decode steps run one at a time", "[mapper][evaluator]") {
  const Run r = run(small_arch("8MB/s"), attention(Op::CachedAxis::n));
  // The buffered schedule: one batch, the spilled 9 + 3 values through the port.
  CHECK_FALSE(r.evaluation.decode_caches_through_dram);
  CHECK(r.evaluation.counts[Action::dram_bit] == 18 * 4 + (9 + 3) * 4);
  // The input (72 bits) and the spilled 48 bits through 64 Mb/s, the 54 ns of MACs between.
  const double latency = 72 / 64e6 + 54e-9 + 48 / 64e6;
  CHECK(r.evaluation.latency_s == Approx(latency).epsilon(1e-12));
  // Overlapped, the port would carry 72 + 4 x 48 bits a pass (4.1 us): worse than the latency.
  CHECK(r.evaluation.inferences_per_s == Approx(1 / latency).epsilon(1e-12));
  CHECK(r.evaluation.throughput_bound == ThroughputBound::latency);
}

TEST_CASE("a value cache appends a row of V", "[mapper]") {
  const Run r = run(small_arch(), attention(Op::CachedAxis::k));
  const OperandSpill& s = r.mapping.op_operand_spill[1];
  CHECK(s.dram_reads == 9);
  // A row of 3 values per operand: the buffer keeps three quarters of the 6 rounded down (4).
  CHECK(s.dram_writes == 2);
  CHECK(s.overlapped_dram_values == 36 + 6);
}

TEST_CASE("prefill holds one sequence's keys at a time", "[mapper][evaluator]") {
  // One sequence: all 36 values at once, a quarter written out and read back.
  const Run one = run(small_arch(), attention(Op::CachedAxis::none, 1));
  const OperandSpill& s = one.mapping.op_operand_spill[1];
  CHECK(s.dram_reads == 9);
  CHECK(s.dram_writes == 9);
  CHECK(s.overlapped_dram_values == 18);  // the pipeline streams sequences: nothing more
  CHECK(one.evaluation.counts[Action::dram_bit] == 18 * 4 + 18 * 4);
  CHECK(one.evaluation.inferences_per_s == Approx(1 / 54e-9).epsilon(1e-12));

  // Two sequences of 18 values each: one fits.
  const Run two = run(small_arch(), attention(Op::CachedAxis::none, 2));
  CHECK(two.mapping.operand_values_in_dram == 0);
  CHECK(two.mapping.op_operand_spill[1].dram_reads == 0);
  CHECK(two.evaluation.counts[Action::dram_bit] == 18 * 4);

  // A decode cache persists between steps: batch does not divide it.
  const Run decode = run(small_arch(), attention(Op::CachedAxis::n, 2));
  CHECK(decode.mapping.operand_values_in_dram == 9);
}

TEST_CASE("a cache away from the DRAM chiplet crosses the mesh", "[mapper][evaluator]") {
  const Run r = run(small_arch(), attention(Op::CachedAxis::n, 1, true));
  REQUIRE(r.mapping.op_chiplet[3] == 1);
  CHECK(r.mapping.op_operand_spill[3].dram_reads == 9);
  // Every cache crossing whole (192 bits, 24 ns on the 8 Gb/s link) leaves the arrays' 80 ns
  // the bottleneck, better than a pass per latency.
  REQUIRE(r.evaluation.decode_caches_through_dram);
  // The second weight matmul's input (4 values) and the 192 bits of the cache, one hop each.
  CHECK(r.evaluation.counts[Action::link_bit_hop] == 4 * 4 + 192);
  // The MACs, the port and the link at 8 Gb/s; one hop of 2 ns, paid once.
  CHECK(r.per_op[3].busy_s == Approx(54e-9 + 192 / 64e9 + 192 / 8e9).epsilon(1e-12));
  CHECK(r.per_op[3].hop_latency_s == Approx(2e-9));

  // A 10 MB/s link: crossing whole would hold it 2.6 us a pass (16 + 192 bits); one batch at a
  // time, a pass per latency (about 1 us, the 16 + 48 bits' 0.8 us among it), is better.
  std::string yaml = test::small_arch_yaml();
  yaml.replace(yaml.find("global_buffer: 64KiB"), 20, "global_buffer: 108bit");
  yaml.replace(yaml.find("bandwidth: 1GB/s"), 16, "bandwidth: 10MB/s");
  const Run slow = run(test::parse_arch_text(yaml), attention(Op::CachedAxis::n, 1, true));
  CHECK_FALSE(slow.evaluation.decode_caches_through_dram);
  CHECK(slow.evaluation.counts[Action::link_bit_hop] == 4 * 4 + 48);
  CHECK(slow.per_op[3].busy_s == Approx(54e-9 + 48 / 64e9 + 48 / 8e7).epsilon(1e-12));
  CHECK(slow.evaluation.bottleneck_s == Approx(slow.evaluation.latency_s).epsilon(1e-12));
}

TEST_CASE("a DRAM port on the attention's chiplet serves its cache there", "[evaluator]") {
  std::string yaml = test::small_arch_yaml();
  yaml.replace(yaml.find("global_buffer: 64KiB"), 20, "global_buffer: 108bit");
  const std::string dram = "bandwidth: 8GB/s}";
  yaml.replace(yaml.find(dram), dram.size(),
               "bandwidth: 8GB/s, ports: [{x: 0, y: 0}, {x: 1, y: 0}]}");
  const Run r = run(test::parse_arch_text(yaml), attention(Op::CachedAxis::n, 1, true));
  REQUIRE(r.mapping.op_chiplet[3] == 1);
  CHECK(r.mapping.nearest_dram_port == std::vector<int>{0, 1});
  // Only the second weight matmul's input crosses the link; the cache (192 bits, crossing
  // whole) does not.
  REQUIRE(r.evaluation.decode_caches_through_dram);
  CHECK(r.evaluation.counts[Action::link_bit_hop] == 4 * 4);
  CHECK(r.per_op[3].busy_s == Approx(54e-9 + 192 / 64e9).epsilon(1e-12));
  CHECK(r.per_op[3].hop_latency_s == 0.0);
}

TEST_CASE("the link from the DRAM chiplet can set the throughput", "[evaluator]") {
  // A prefill on chiplet 1 behind a 1 MB/s link: the second weight matmul's 16 input bits and the
  // spilled 72 (a quarter of 36 values written out and read back, at 4 bits) cross it, 11 us a
  // pass, far above the 54 ns of MACs.
  const Run r = run(small_arch("8GB/s", "1MB/s"), attention(Op::CachedAxis::none, 1, true));
  CHECK(r.mapping.op_operand_spill[3].dram_reads == 9);
  CHECK(r.evaluation.throughput_bound == ThroughputBound::link);
  CHECK(r.evaluation.bottleneck_s == Approx((16 + 72) / 8e6).epsilon(1e-12));
  CHECK(std::string(throughput_bound_name(r.evaluation.throughput_bound)) == "link");
}

TEST_CASE("a buffer that holds the cache: nothing in DRAM", "[mapper][evaluator]") {
  const ArchSpec arch = test::parse_arch_text(test::small_arch_yaml());  // 64 KiB
  const Run r = run(arch, attention(Op::CachedAxis::n));
  CHECK(r.mapping.operand_values == 36);
  CHECK(r.mapping.operand_values_in_dram == 0);
  CHECK(r.evaluation.counts[Action::dram_bit] == 18 * 4);
  CHECK(r.evaluation.latency_s == Approx(72 / 64e9 + 54e-9).epsilon(1e-12));
  CHECK(r.evaluation.inferences_per_s == Approx(1 / 54e-9).epsilon(1e-12));
}

TEST_CASE("the report counts a cache's bytes per KV head", "[report]") {
  RunRequest request;
  request.arch_file = std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml";
  request.workload_request.phase = "decode";
  request.workload_request.context = 511;  // 512 positions with this step's

  // Llama-2-7B: 32 layers x (keys + values) x 32 heads x 128 x 512 positions, 8-bit.
  request.workload = "llama2-7b";
  const RunResult llama2 = run_analytical(request);
  const Json j = report_json(llama2);
  CHECK(j["mapping"]["kv_bytes"].get<double>() == 32.0 * 2 * 32 * 128 * 512);
  // 16 chiplets' 1 MiB buffers cannot hold 128 MiB.
  CHECK(j["mapping"]["kv_bytes_in_dram"].get<double>() > 0.87 * 32 * 2 * 32 * 128 * 512);
  CHECK_THAT(report_table(llama2), Catch::Contains("of them in DRAM (a chiplet's global buffer "
                                                   "holds 1048576 bytes)"));

  // Llama-3-8B: 8 KV heads for 32 query heads, a quarter of the cache.
  request.workload = "llama3-8b";
  const RunResult llama3 = run_analytical(request);
  CHECK(report_json(llama3)["mapping"]["kv_bytes"].get<double>() == 32.0 * 2 * 8 * 128 * 512);
}

TEST_CASE("the buffers bound the decode batches in flight, each with its own cache",
          "[mapper][evaluator]") {
  // The far attention behind a 50 MB/s link: a pass's latency chains two weight matmuls' 80 ns
  // (4 input cycles x 2 conversions at 100 MHz), the link's 16 input bits (40 ns) and the 54 ns
  // of MACs; the slowest resource takes 80 ns, so overlapping batches pays.
  auto with_buffer = [](const std::string& size, const std::string& link = "50MB/s") {
    std::string yaml = test::small_arch_yaml();
    yaml.replace(yaml.find("global_buffer: 64KiB"), 20, "global_buffer: " + size);
    yaml.replace(yaml.find("bandwidth: 1GB/s"), 16, "bandwidth: " + link);
    return run(test::parse_arch_text(yaml), attention(Op::CachedAxis::n, 1, true));
  };
  // 64 KiB holds 3,640 caches of 36 values at 4 bits: the pipelined rate, set by the arrays.
  const Run many = with_buffer("64KiB");
  CHECK(many.mapping.decode_caches_buffered == 3640);
  CHECK(many.evaluation.throughput_bound == ThroughputBound::arrays);
  CHECK(many.evaluation.bottleneck_s == Approx(80e-9).epsilon(1e-12));
  const double latency = many.evaluation.latency_s;
  CHECK(latency == Approx(72 / 64e9 + 80e-9 + 80e-9 + 16 / 4e8 + 2e-9 + 54e-9).epsilon(1e-12));

  // One cache (144 bits): one batch in flight, a pass every latency. Crossing DRAM whole
  // instead would send 192 more bits over the link, 520 ns a pass: worse.
  const Run one = with_buffer("144bit");
  CHECK(one.mapping.decode_caches_buffered == 1);
  CHECK(one.mapping.operand_values_in_dram == 0);
  CHECK(one.evaluation.latency_s == Approx(latency).epsilon(1e-12));
  CHECK(one.evaluation.bottleneck_s == Approx(latency).epsilon(1e-12));
  CHECK(one.evaluation.throughput_bound == ThroughputBound::global_buffer);
  CHECK(std::string(throughput_bound_name(one.evaluation.throughput_bound)) == "global_buffer");

  // Two caches (288 bits of 300): two batches, a pass every half latency.
  const Run two = with_buffer("300bit");
  CHECK(two.mapping.decode_caches_buffered == 2);
  CHECK(two.evaluation.bottleneck_s == Approx(latency / 2).epsilon(1e-12));
  CHECK(two.evaluation.throughput_bound == ThroughputBound::global_buffer);

  // A 1.1 GB/s link: crossing DRAM whole (192 + 16 bits, 24 ns a pass) leaves the arrays'
  // 80 ns as the bottleneck, better than waiting a latency for the one batch the buffer holds.
  const Run fast = with_buffer("144bit", "1.1GB/s");
  CHECK(fast.mapping.decode_caches_buffered == 1);
  CHECK(fast.evaluation.throughput_bound == ThroughputBound::arrays);
  CHECK(fast.evaluation.bottleneck_s == Approx(80e-9).epsilon(1e-12));
  CHECK(fast.evaluation.latency_s > 2 * fast.evaluation.bottleneck_s);
  // The report is that schedule's: the whole cache through the port and over the link (and its
  // hop, 2 ns), each pass, though one batch's cache fits the buffer.
  CHECK(fast.evaluation.decode_caches_through_dram);
  CHECK(fast.mapping.operand_values_in_dram == 0);
  CHECK(fast.evaluation.counts[Action::dram_bit] == 18 * 4 + 48 * 4);
  CHECK(fast.evaluation.counts[Action::link_bit_hop] == 4 * 4 + 48 * 4);
  CHECK(fast.evaluation.latency_s == Approx(72 / 64e9 + 80e-9 + 80e-9 + 16 / 8.8e9 + 2e-9 + 54e-9 +
                                            192 / 64e9 + 192 / 8.8e9 + 2e-9)
                                         .epsilon(1e-12));

  // A buffer a bit short of one cache (143 of 144 bits: 35.75 values) keeps 35 of the 36
  // values: one in DRAM, none of the batches' caches whole.
  const Run short_by_one = with_buffer("143bit");
  CHECK(short_by_one.mapping.decode_caches_buffered == 0);
  CHECK(short_by_one.mapping.op_operand_spill[3].dram_reads == 1);
  CHECK(short_by_one.mapping.op_operand_spill[3].dram_writes == 1);

  // A prefill keeps no cache between passes: no limit from the buffers.
  const Run prefill = run(small_arch(), attention(Op::CachedAxis::none, 1));
  CHECK(prefill.mapping.decode_caches_buffered == Mapping::kNoDecodeCache);
}
