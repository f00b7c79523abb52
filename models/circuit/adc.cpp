#include "models/circuit/adc.hpp"

#include <cmath>
#include <mutex>

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
  ConfigNode archs = root.child("architectures");
  for (const auto& name : archs.keys()) {
    ConfigNode a = archs.child(name);
    AdcSurveyFit::Architecture arch;
    a.allow("designs");
    a.allow("area_designs");
    a.allow("node_nm_range");
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

AdcCosts adc_costs(const AdcSpec& spec, double node_m) {
  const auto& arch = AdcSurveyFit::load().architectures.at(spec.type);
  double node_nm = node_m * 1e9;
  double e_pj = std::pow(10.0, arch.energy_log10_pj.eval(spec.enob, node_nm, spec.sample_rate_hz));
  double a_mm2 = std::pow(10.0, arch.area_log10_mm2.eval(spec.enob, node_nm, spec.sample_rate_hz));
  return {e_pj * 1e-12, a_mm2 * 1e-6, 1.0 / spec.sample_rate_hz};
}

}  // namespace cimsim
