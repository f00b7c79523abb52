#include "cli/report.hpp"

#include <fmt/format.h>

namespace cimsim {

RunResult run_analytical(const std::string& arch_file, const std::string& workload_name,
                         const WorkloadRequest& request) {
  RunResult r;
  r.arch = load_arch(arch_file, &r.resolved);
  r.workload = build_transformer(find_workload(workload_name), request);
  r.mapping = map_workload(r.arch, r.workload);
  r.costs = build_cost_table(r.arch);
  r.per_op.resize(r.workload.ops.size());
  Workspace ws;
  r.evaluation = evaluate(r.workload, r.mapping, r.costs, ws, r.per_op);
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
      {"arrays", m.arrays_used},          {"arrays_available", m.arrays_available},
      {"utilization", m.utilization},     {"fits", m.fits},
      {"chiplets_used", m.chiplets_used}, {"reload_rounds", m.reload_rounds},
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
      {"area_mm2", r.costs.total_area_m2() / kSquareMillimetre},
      {"tops_per_w", e.tops_per_w()},
      {"throughput_inferences_per_s", e.inferences_per_s},
      {"effective_tops", e.effective_tops()},
      {"breakdown_pj", breakdown},
      {"area_breakdown_mm2", area},
      {"counts", counts},
  };
  Json prices = Json::object();
  for (int i = 0; i < kNumActions; ++i)
    prices[std::string(action_name(static_cast<Action>(i)))] = r.costs.energy_j[i] / kPico;
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
  std::string s;
  auto line = [&](std::string text) { s += text + "\n"; };
  line(fmt::format("cimsim {}: {} on {}", CIMSIM_VERSION, w.name, r.arch.name));
  line(fmt::format(
      "  technology {} ({:g} nm, {} bit/cell), {} chiplets x {} tiles x {} arrays of {}x{}",
      r.arch.technology.name, r.arch.technology.node.si * 1e9, r.arch.technology.bits_per_cell,
      r.arch.package.chiplets(), r.arch.chiplet.tiles, r.arch.tile.arrays, r.arch.crossbar.rows,
      r.arch.crossbar.columns));
  line("");
  line(fmt::format("  MACs             {:>20L}  ({} in weight matmuls + {} in attention)",
                   w.total_macs(), w.weight_macs(), w.dynamic_macs()));
  line(fmt::format("  weights          {:>20}  parameters in weight matmuls",
                   w.weight_parameters()));
  line(fmt::format(
      "  arrays used      {:>20}  of {} ({:.1f}% cell utilization){}", m.arrays_used,
      m.arrays_available, 100.0 * m.utilization,
      m.fits ? ""
             : fmt::format("; does NOT fit: {} reprogramming rounds per pass", m.reload_rounds)));
  line("");
  line(fmt::format("  energy           {:>16.4f} uJ", e.energy_j / kMicro));
  line(fmt::format(
      "  latency          {:>16.4f} us{}", e.latency_s / kMicro,
      m.fits ? "" : fmt::format("  ({:.4f} us reprogramming)", e.reload_latency_s / kMicro)));
  line(fmt::format("  throughput       {:>16.2f} inferences/s  ({:.3f} effective TOPS)",
                   e.inferences_per_s, e.effective_tops()));
  line(fmt::format("  efficiency       {:>16.3f} TOPS/W", e.tops_per_w()));
  line(
      fmt::format("  area             {:>16.3f} mm2", r.costs.total_area_m2() / kSquareMillimetre));
  line("");
  line(fmt::format("  {:<14} {:>14} {:>8}   {:>12} {:>8}", "component", "energy (uJ)", "share",
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
