#include "cli/report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace cimsim {

std::string matching_gpu_precision(const ArchSpec& arch) {
  return arch.crossbar.input_bits <= 8 && arch.crossbar.weight_bits <= 8 ? "int8" : "fp16";
}

RunResult run_analytical(const RunRequest& request) {
  RunResult r;
  r.arch = load_arch(request.arch_file, &r.resolved);
  r.workload = build_transformer(find_workload(request.workload), request.workload_request);
  r.gpu_card = load_gpu_card(request.gpu, nullptr);  // a card is used whole, never overridden
  GpuOptions gpu_options;
  gpu_options.precision =
      request.gpu_precision.empty() ? matching_gpu_precision(r.arch) : request.gpu_precision;
  gpu_options.fused = request.gpu_fused;
  r.mapping = map_workload(r.arch, r.workload);
  r.costs = build_cost_table(r.arch);
  r.per_op.resize(r.workload.ops.size());
  Workspace ws;
  r.evaluation = evaluate(r.workload, r.mapping, r.costs, ws, r.per_op);
  // After the chip: a problem with the run itself is reported as the chip finds it, before the
  // baseline's own limits (how many GPUs tensor parallelism can use).
  r.gpu = evaluate_gpu(r.workload, r.gpu_card, gpu_options);
  return r;
}

namespace {

const char* kind_name(OpKind k) {
  switch (k) {
    case OpKind::embedding: return "embedding";
    case OpKind::weight_matmul: return "weight_matmul";
    case OpKind::dynamic_matmul: return "dynamic_matmul";
    case OpKind::vector: return "vector";
  }
  return "?";
}

}  // namespace

namespace {

// Keys and values move at the activations' width (crossbar.input_bits).
double kv_bytes(std::int64_t values, const ArchSpec& arch) {
  return static_cast<double>(values) * arch.crossbar.input_bits / 8.0;
}

// What sets the CIM chip's throughput, in words.
const char* bound_explained(const Evaluation& e) {
  switch (e.throughput_bound) {
    case ThroughputBound::latency: return "the latency (passes do not overlap)";
    case ThroughputBound::arrays: return "the slowest matrix's arrays";
    case ThroughputBound::vector_unit: return "the busiest chiplet's vector unit";
    case ThroughputBound::dram_port: return "the busiest DRAM port";
    case ThroughputBound::link: return "the busiest die-to-die link";
    case ThroughputBound::global_buffer:
      return "the global buffers (the batches in flight whose decode caches they hold)";
  }
  return "";
}

// What stays in the arrays and what a pass rewrites, when the package cannot hold everything.
std::string fits_note(const Mapping& m) {
  if (m.fits) return "";
  const std::int64_t weight_arrays = m.arrays_used - m.operand_arrays;
  const std::int64_t pool = m.arrays_available - m.resident_weight_arrays;
  if (m.resident_weight_arrays == weight_arrays)
    return fmt::format(
        "; does NOT fit: the weights alone fit and stay; the keys' and values' {} arrays share "
        "the other {}, {} rounds a pass",
        m.operand_arrays, pool, m.max_rounds_per_array);
  if (m.resident_weight_arrays == 0)
    return fmt::format(
        "; does NOT fit: its {} weight arrays are rewritten every pass, in {} rounds",
        weight_arrays, m.reload_rounds);
  return fmt::format(
      "; does NOT fit: {} of {} weight arrays stay, the other {} are rewritten every pass, in "
      "{} rounds",
      m.resident_weight_arrays, weight_arrays, weight_arrays - m.resident_weight_arrays,
      m.reload_rounds);
}

double tokens_per_pass(const Workload& w) {
  return static_cast<double>(w.request.batch) * (w.request.phase == "decode" ? 1 : w.request.seq);
}

std::string duration_words(double s) {
  if (s < 120) return fmt::format("{:.3g} s", s);
  if (s < 2 * 3600) return fmt::format("{:.3g} minutes", s / 60);
  if (s < 2 * 86400) return fmt::format("{:.3g} hours", s / 3600);
  if (s < 2 * 365.25 * 86400) return fmt::format("{:.3g} days", s / 86400);
  return fmt::format("{:.3g} years", s / (365.25 * 86400));
}

}  // namespace

Json finite_or_null(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

Json report_json(const RunResult& r) {
  const auto& a = r.arch;
  const auto& e = r.evaluation;
  const auto& m = r.mapping;
  Json j;
  j["cimsim_version"] = CIMSIM_VERSION;
  j["architecture"] = {
      {"name", a.name},
      {"technology", a.technology.name},
      {"node_nm", a.technology.node.si * 1e9},
      {"chiplets", a.package.chiplets()},
      {"arrays", a.total_arrays()},
      {"rows", a.crossbar.rows},
      {"columns", a.crossbar.columns},
      {"bits_per_cell", a.technology.bits_per_cell},
      {"input_bits", a.crossbar.input_bits},
      {"weight_bits", a.crossbar.weight_bits},
      {"adc", fmt::format("{}-bit {} at {} MS/s, {} columns per ADC", a.crossbar.adc.bits,
                          a.crossbar.adc.type, a.crossbar.adc.sample_rate_hz / 1e6,
                          a.crossbar.adc.columns_per_adc)},
  };
  const auto& w = r.workload;
  j["workload"] = {
      {"name", w.name},
      {"model", w.shape.name},
      {"phase", w.request.phase},
      {"seq", w.request.seq},
      {"batch", w.request.batch},
      {"context", w.request.context},
      {"macs", w.total_macs()},
      {"weight_macs", w.weight_macs()},
      {"attention_macs", w.dynamic_macs()},
      {"weight_parameters", w.weight_parameters()},
  };
  j["mapping"] = {
      {"arrays", m.arrays_used},
      {"arrays_available", m.arrays_available},
      {"utilization", m.utilization},
      {"fits", m.fits},
      {"chiplets_used", m.chiplets_used},
      {"reload_rounds", m.reload_rounds},
      {"resident_weight_arrays", m.resident_weight_arrays},
      {"dynamic_matmuls", a.chiplet.dynamic_matmuls},
      {"kv_bytes", kv_bytes(m.operand_values, a)},
      {"kv_bytes_in_dram",
       kv_bytes(e.decode_caches_through_dram ? m.operand_values : m.operand_values_in_dram, a)},
      {"decode_caches_in_buffers", m.decode_caches_buffered == Mapping::kNoDecodeCache
                                       ? Json(nullptr)
                                       : Json(m.decode_caches_buffered)},
  };
  Json breakdown = Json::object();
  for (int c = 0; c < kNumComponents; ++c) {
    breakdown[std::string(component_name(static_cast<Component>(c)))] =
        e.energy_by_component_j[c] / kPico;
  }
  Json area = Json::object();
  for (int c = 0; c < kNumComponents; ++c) {
    if (r.costs.area_m2[c] > 0) {
      area[std::string(component_name(static_cast<Component>(c)))] =
          r.costs.area_m2[c] / kSquareMillimetre;
    }
  }
  Json counts = Json::object();
  for (int i = 0; i < kNumActions; ++i)
    counts[std::string(action_name(static_cast<Action>(i)))] = e.counts.count[i];
  j["cim"] = {
      {"energy_pj", e.energy_j / kPico},
      {"latency_ns", e.latency_s / kNano},
      {"reload_latency_ns", e.reload_latency_s / kNano},
      {"reload_parts_ns",
       {{"dram", e.reload_dram_s / kNano},
        {"busiest_link", e.reload_busiest_link_s / kNano},
        {"row_writes", e.reload_row_writes_s / kNano}}},
      {"area_mm2", r.costs.total_area_m2() / kSquareMillimetre},
      {"tops_per_w", e.tops_per_w()},
      {"throughput_inferences_per_s", e.inferences_per_s},
      {"throughput_bound", throughput_bound_name(e.throughput_bound)},
      {"decode_caches_through_dram", e.decode_caches_through_dram},
      {"effective_tops", e.effective_tops()},
      {"breakdown_pj", breakdown},
      {"area_breakdown_mm2", area},
      {"counts", counts},
  };
  Json prices = Json::object();
  for (int i = 0; i < kNumActions; ++i)
    prices[std::string(action_name(static_cast<Action>(i)))] = r.costs.energy_j[i] / kPico;
  const auto& g = r.gpu;
  const double tokens = tokens_per_pass(w);
  j["cim"]["energy_per_token_pj"] = e.energy_j / tokens / kPico;
  const double endurance = a.technology.endurance_cycles;
  j["cim"]["wear"] = {
      {"endurance_cycles", endurance},
      {"max_writes_per_cell_per_pass", e.max_cell_writes_per_pass},
      {"lifetime_passes", finite_or_null(e.lifetime_passes(endurance))},
      {"lifetime_s", finite_or_null(e.lifetime_s(endurance))},
  };
  j["gpu"] = {
      {"name", g.card},
      {"precision", g.precision},
      {"fused", g.fused},
      {"gpus", g.gpus},
      {"whole_heads", g.whole_heads},
      {"memory_needed_bytes", g.memory_needed_bytes},
      {"kernels", g.kernels},
      {"energy_pj", g.energy_j() / kPico},
      {"energy_per_token_pj", g.energy_j() / tokens / kPico},
      {"latency_ns", g.latency_s / kNano},
      {"throughput_inferences_per_s", 1.0 / g.latency_s},
      {"tops_per_w", 2.0 * w.total_macs() / g.energy_j() / 1e12},
      {"breakdown_pj",
       {{"compute", g.compute_j / kPico},
        {"on_chip", g.on_chip_j / kPico},
        {"hbm", g.hbm_j / kPico},
        {"compute_overhead", g.compute_overhead_j / kPico},
        {"transfer_overhead", g.transfer_overhead_j / kPico},
        {"awake", g.awake_j / kPico}}},
      {"awake_power_w", g.awake_power_w},
      {"average_power_w", g.energy_j() / g.gpus / g.latency_s},
      {"hbm_bytes", g.hbm_bytes},
      {"data_movement_fraction", g.data_movement_fraction()},
  };
  j["vs_gpu"] = {
      {"energy_ratio", g.energy_j() / e.energy_j},
      {"speedup", g.latency_s / e.latency_s},
  };
  j["cost_table"] = {
      {"energy_pj", prices},
      {"array_cycle_ns", r.costs.array_cycle_s / kNano},
      {"array_vector_ns", r.costs.array_vector_s / kNano},
  };
  return j;
}

std::string report_table(const RunResult& r) {
  const auto& e = r.evaluation;
  const auto& w = r.workload;
  const auto& m = r.mapping;
  const auto& g = r.gpu;
  std::string s;
  auto line = [&](std::string text) { s += text + "\n"; };
  line(fmt::format("cimsim {}: {} on {}", CIMSIM_VERSION, w.name, r.arch.name));
  line(fmt::format(
      "  technology {} ({:g} nm, {} bit/cell), {} chiplets x {} tiles x {} arrays of {}x{}",
      r.arch.technology.name, r.arch.technology.node.si * 1e9, r.arch.technology.bits_per_cell,
      r.arch.package.chiplets(), r.arch.chiplet.tiles, r.arch.tile.arrays, r.arch.crossbar.rows,
      r.arch.crossbar.columns));
  line("");
  line(fmt::format("  MACs             {:>20}  ({} in weight matmuls + {} in attention)",
                   w.total_macs(), w.weight_macs(), w.dynamic_macs()));
  line(fmt::format("  weights          {:>20}  parameters in weight matmuls",
                   w.weight_parameters()));
  line(fmt::format("  arrays used      {:>20}  of {} ({:.1f}% cell utilization){}", m.arrays_used,
                   m.arrays_available, 100.0 * m.utilization, fits_note(m)));
  if (e.decode_caches_through_dram) {
    line(fmt::format(
        "  keys and values  {:>20}  bytes the vector unit reads a pass, all from DRAM: more "
        "batches run than the global buffers hold decode caches for ({}), so each cache crosses "
        "DRAM whole",
        kv_bytes(m.operand_values, r.arch), m.decode_caches_buffered));
  } else if (m.operand_values_in_dram > 0) {
    line(fmt::format(
        "  keys and values  {:>20}  bytes the vector unit reads a pass; {:.1f}% of them in DRAM "
        "(a chiplet's global buffer holds {} bytes)",
        kv_bytes(m.operand_values, r.arch), 100.0 * m.operand_values_in_dram / m.operand_values,
        r.arch.chiplet.global_buffer.si / 8.0));
  } else if (m.decode_caches_buffered != Mapping::kNoDecodeCache) {
    line(fmt::format(
        "  keys and values  {:>20}  bytes the vector unit reads a pass; the global buffers hold "
        "the decode caches of {} batch(es){}",
        kv_bytes(m.operand_values, r.arch), m.decode_caches_buffered,
        m.fits ? " in flight" : " (passes do not overlap: the weights are reprogrammed)"));
  }
  line("");
  const std::string gpu_title =
      fmt::format("{}{} ({}{})", g.gpus > 1 ? fmt::format("{} x ", g.gpus) : "", g.card,
                  g.precision, g.fused ? ", fused" : ", unfused");
  line(fmt::format("  {:<22} {:>20}   {:>20}", "", "CIM chip", gpu_title));
  const double tokens = tokens_per_pass(w);
  line(fmt::format("  {:<22} {:>20.4f}   {:>20.4f}", "energy (uJ)", e.energy_j / kMicro,
                   g.energy_j() / kMicro));
  line(fmt::format("  {:<22} {:>20.4f}   {:>20.4f}", "energy per token (uJ)",
                   e.energy_j / tokens / kMicro, g.energy_j() / tokens / kMicro));
  line(fmt::format("  {:<22} {:>20.4f}   {:>20.4f}", "latency (us)", e.latency_s / kMicro,
                   g.latency_s / kMicro));
  line(fmt::format("  {:<22} {:>20.2f}   {:>20.2f}", "throughput (passes/s)", e.inferences_per_s,
                   1.0 / g.latency_s));
  line(fmt::format("  {:<22} {:>20.3f}   {:>20.3f}", "TOPS/W", e.tops_per_w(),
                   2.0 * w.total_macs() / g.energy_j() / 1e12));
  line(
      fmt::format("  {:<22} {:>20.3f}", "area (mm2)", r.costs.total_area_m2() / kSquareMillimetre));
  line(fmt::format("  CIM throughput: a pass every {:.4f} us, set by {}", e.bottleneck_s / kMicro,
                   bound_explained(e)));
  line(fmt::format("  GPU / CIM: energy {:.2f}x, latency {:.2f}x (above 1: the CIM chip wins)",
                   g.energy_j() / e.energy_j, g.latency_s / e.latency_s));
  if (!m.fits) {
    line(fmt::format(
        "  CIM latency includes {:.4f} us of weight reprogramming, the slowest of: DRAM {:.1f} us, "
        "busiest die-to-die link {:.1f} us, row writes ({} rounds) {:.1f} us",
        e.reload_latency_s / kMicro, e.reload_dram_s / kMicro, e.reload_busiest_link_s / kMicro,
        m.reload_rounds, e.reload_row_writes_s / kMicro));
  }
  const double endurance = r.arch.technology.endurance_cycles;
  if (const double passes = e.lifetime_passes(endurance); std::isfinite(passes)) {
    const double seconds = e.lifetime_s(endurance);
    line(fmt::format(
        "  wear: the most-written cell takes {:.3g} write(s) per pass; its {:.3g}-cycle "
        "endurance lasts {:.3g} passes{}",
        e.max_cell_writes_per_pass, endurance, passes,
        std::isfinite(seconds) ? fmt::format(", {} at full throughput", duration_words(seconds))
                               : ""));
  }
  line(fmt::format(
      "  GPU energy: compute {:.1f}%, on-chip SRAM {:.1f}%, HBM {:.1f}%, overheads {:.1f}% (per "
      "MAC) + {:.1f}% (per HBM bit), awake {:.1f}%; data movement is {:.1f}% of its dynamic "
      "energy; {:.0f} W per GPU",
      100.0 * g.compute_j / g.energy_j(), 100.0 * g.on_chip_j / g.energy_j(),
      100.0 * g.hbm_j / g.energy_j(), 100.0 * g.compute_overhead_j / g.energy_j(),
      100.0 * g.transfer_overhead_j / g.energy_j(), 100.0 * g.awake_j / g.energy_j(),
      100.0 * g.data_movement_fraction(), g.energy_j() / g.gpus / g.latency_s));
  if (!g.whole_heads) {
    line(fmt::format(
        "  GPU split: no GPU count gives each GPU whole heads and holds the model ({} heads, {} "
        "KV heads); the figures split it evenly over {} GPUs, a lower bound (pipeline "
        "parallelism is not modelled)",
        w.shape.heads, w.shape.kv_heads, g.gpus));
  }
  line("");
  line(fmt::format("  {:<14} {:>14} {:>8}   {:>12} {:>8}", "CIM component", "energy (uJ)", "share",
                   "area (mm2)", "share"));
  for (int c = 0; c < kNumComponents; ++c) {
    double ej = e.energy_by_component_j[c];
    double am = r.costs.area_m2[c];
    line(fmt::format("  {:<14} {:>14.4f} {:>7.1f}%   {:>12.3f} {:>7.1f}%",
                     component_name(static_cast<Component>(c)), ej / kMicro,
                     e.energy_j > 0 ? 100.0 * ej / e.energy_j : 0.0, am / kSquareMillimetre,
                     100.0 * am / r.costs.total_area_m2()));
  }
  return s;
}

std::string per_op_csv(const RunResult& r) {
  std::string s = "op,name,kind,layer,chiplet,macs,latency_ns,energy_pj";
  for (int i = 0; i < kNumActions; ++i)
    s += fmt::format(",{}", action_name(static_cast<Action>(i)));
  s += "\n";
  for (size_t i = 0; i < r.workload.ops.size(); ++i) {
    const Op& op = r.workload.ops[i];
    const OpResult& o = r.per_op[i];
    s += fmt::format(
        "{},{},{},{},{},{},{:.10g},{:.10g}", i, op.name, kind_name(op.kind), op.layer,
        r.mapping.op_chiplet[i],
        op.kind == OpKind::weight_matmul || op.kind == OpKind::dynamic_matmul ? op.macs() : 0,
        o.latency_s / kNano, o.energy_j / kPico);
    for (int a = 0; a < kNumActions; ++a) s += fmt::format(",{}", o.counts.count[a]);
    s += "\n";
  }
  return s;
}

}  // namespace cimsim
