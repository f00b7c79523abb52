// ADC energy, area and conversion time from a fit to B. Murmann's ADC Performance Survey.
//
// log10(E_conv / pJ) = c0 + c_enob * ENOB + c_node * log10(node / nm) + c_fs * log10(fs / Hz)
// log10(A / mm^2)    = a0 + a_enob * ENOB + a_node * log10(node / nm) + a_fs * log10(fs / Hz)
// per architecture (SAR, Flash), slopes by least squares and the intercept at a chosen
// percentile of the surveyed designs (tools/fit_adc_survey.py, docs/adc-model.md). A CIM
// column ADC is sized by the effective resolution the dot products need, so ENOB defaults to
// the nominal bits. A conversion takes 1 / fs. Outside the surveyed nodes the fit is not
// extrapolated (its node slope, up to 2.4 decades per decade for Flash, has no data there):
// the converter is priced at the nearest surveyed node and moved with Dennard scaling,
// energy ~ F and area ~ F^2 (Dennard et al., IEEE JSSC 1974).
#pragma once

#include <map>
#include <string>

#include "models/core/config.hpp"

namespace cimsim {

struct AdcFitLine {
  double intercept = 0, enob = 0, log10_node_nm = 0, log10_fs_hz = 0, rms_decades = 0;
  double eval(double enob_value, double node_nm, double fs_hz) const;
};

struct AdcSurveyFit {
  std::string source;
  double percentile = 50;       // energy line
  double area_percentile = 50;  // area line
  struct Architecture {
    AdcFitLine energy_log10_pj;
    AdcFitLine area_log10_mm2;
    double enob_lo = 0, enob_hi = 0;
    double node_nm_lo = 0, node_nm_hi = 0;  // nodes of the surveyed designs
  };
  std::map<std::string, Architecture> architectures;

  // Reads configs/circuit/adc_survey_fit.yaml once per process.
  static const AdcSurveyFit& load();
};

struct AdcSpec {
  std::string type;  // a survey architecture: SAR, Flash
  int bits = 8;      // output code width
  double enob = 8;   // effective bits used for the energy and area fit
  double sample_rate_hz = 0;
  int columns_per_adc = 1;
  // Static bias current of each channel's analog front end (integrating amplifier,
  // transimpedance or current-interface stage), drawn from the supply for as long as the
  // channel is sensing. 0 for dynamic front ends (charge sharing straight into a comparator).
  double front_end_bias_a = 0;
  // A switched-capacitor sampling integrator in front of the converter (NeuRRAM's neuron):
  // energy each channel spends sampling and integrating one input cycle. 0 when none.
  double sample_energy_j = 0;
  // A specific converter's own figures (an IP datasheet, a paper's component measurement),
  // used instead of the survey fit when given (> 0), at the supply in use.
  double datasheet_energy_j = 0;
  double datasheet_area_m2 = 0;
};

struct AdcCosts {
  double energy_per_conversion_j;
  double area_m2;
  double conversion_time_s;
};

// `supply_v` and `nominal_supply_v`: the survey fit holds at the node's nominal supply, and a
// converter's switched capacitance (capacitive DAC, comparator) draws C V^2, so its energy moves
// as (V / V_nom)^2. A datasheet converter's figures are taken at the supply in use.
AdcCosts adc_costs(const AdcSpec& spec, double node_m, double supply_v, double nominal_supply_v);

}  // namespace cimsim
