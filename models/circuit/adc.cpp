#include "models/circuit/adc.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "models/core/config_paths.hpp"

namespace cimsim {

double AdcFitLine::eval(double enob_value, double node_nm, double fs_hz) const {
  return intercept + enob * enob_value + log10_node_nm * std::log10(node_nm) +
         log10_fs_hz * std::log10(fs_hz);
}

namespace {

AdcFitLine parse_line(const ConfigNode& n) {
  AdcFitLine l;
  l.intercept = n.number("intercept", -100, 100);
  l.enob = n.number("enob", -10, 10);
  l.log10_node_nm = n.number("log10_node_nm", -10, 10);
  l.log10_fs_hz = n.number("log10_fs_hz", -10, 10);
  l.rms_decades = n.number("rms_decades", 0, 10);
  n.finish();
  return l;
}

AdcSurveyFit parse_fit() {
  AdcSurveyFit fit;
  ConfigNode root = ConfigNode::load_file(config_dir() + "/circuit/adc_survey_fit.yaml", nullptr);
  fit.source = root.string("source");
  fit.percentile = root.number("percentile", 0, 100);
  root.allow("selection");
  fit.area_percentile = root.number("area_percentile", 0, 100, fit.percentile);
  ConfigNode archs = root.child("architectures");
  for (const auto& name : archs.keys()) {
    ConfigNode a = archs.child(name);
    AdcSurveyFit::Architecture arch;
    a.allow("designs");
    a.allow("area_designs");
    std::vector<double> nodes = a.number_list("node_nm_range", 1.0, 1e4);
    if (nodes.size() != 2 || nodes[0] > nodes[1]) {
      a.fail("node_nm_range", "expected [smallest, largest] surveyed node in nm");
    }
    arch.node_nm_lo = nodes[0];
    arch.node_nm_hi = nodes[1];
    a.allow("fs_hz_range");
    a.allow("enob_range");
    arch.energy_log10_pj = parse_line(a.child("energy_log10_pj"));
    arch.area_log10_mm2 = parse_line(a.child("area_log10_mm2"));
    a.finish();
    fit.architectures[name] = arch;
  }
  root.finish();
  return fit;
}

}  // namespace

const AdcSurveyFit& AdcSurveyFit::load() {
  static const AdcSurveyFit fit = parse_fit();
  return fit;
}

AdcCosts adc_costs(const AdcSpec& spec, double node_m, double supply_v, double nominal_supply_v) {
  const auto& arch = AdcSurveyFit::load().architectures.at(spec.type);
  const double node_nm = node_m * 1e9;
  const double fit_node = std::clamp(node_nm, arch.node_nm_lo, arch.node_nm_hi);
  const double dennard = node_nm / fit_node;
  double e_pj = std::pow(10.0, arch.energy_log10_pj.eval(spec.enob, fit_node, spec.sample_rate_hz));
  double a_mm2 = std::pow(10.0, arch.area_log10_mm2.eval(spec.enob, fit_node, spec.sample_rate_hz));
  const double supply = supply_v / nominal_supply_v;
  e_pj *= dennard * supply * supply;
  a_mm2 *= dennard * dennard;
  if (spec.datasheet_energy_j > 0) e_pj = spec.datasheet_energy_j * 1e12;
  if (spec.datasheet_area_m2 > 0) a_mm2 = spec.datasheet_area_m2 * 1e6;
  return {e_pj * 1e-12, a_mm2 * 1e-6, 1.0 / spec.sample_rate_hz};
}

}  // namespace cimsim
