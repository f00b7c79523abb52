// Closed-form checks of the mechanisms the silicon validation needs (docs/validation.md):
// pulse-count inputs, analog accumulation of input cycles and weight columns, alpha-power timing
// against supply, ADC energy against supply, and the biased readout front end.
#include <catch2/catch.hpp>
#include <cmath>

#include "cli/chip_validation.hpp"
#include "mapper/evaluator.hpp"
#include "mapper/mapping.hpp"
#include "models/circuit/adc.hpp"
#include "models/circuit/driver.hpp"
#include "models/circuit/scaling.hpp"
#include "models/cost/cost_table.hpp"
#include "models/xbar/crossbar.hpp"
#include "test_support.hpp"

using namespace cimsim;

namespace {

Workload one_matmul(std::int64_t m, std::int64_t k, std::int64_t n) {
  Op op;
  op.name = "mm";
  op.kind = OpKind::weight_matmul;
  op.m = m;
  op.k = k;
  op.n = n;
  op.output_elements = m * n;
  Workload w;
  w.name = "one";
  w.ops.push_back(op);
  return w;
}

ActionCounts count(const ArchSpec& arch, const Workload& w) {
  Mapping m = map_workload(arch, w);
  Workspace ws;
  return evaluate(w, m, build_cost_table(arch), ws).counts;
}

// SRAM cells (1 bit each): a 4-bit weight takes 4 columns, 8 columns hold 2 weights.
const char* kSram = "{preset: sram_22nm}";

}  // namespace

TEST_CASE("pulse-count inputs take 2^b - 1 slots and convert once per weight", "[analog]") {
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml(
      kSram,
      "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n  input_encoding: pulse_count\n"
      "  signed_weights: twos_complement\n  weight_accumulation: analog\n"));
  CHECK(arch.crossbar.input_cycles() == 15);
  CHECK(arch.crossbar.input_accumulation == "analog");
  // 3 vectors through a 4 x 2 matrix: one array, 2 weights of 4 columns.
  ActionCounts a = count(arch, one_matmul(3, 4, 2));
  CHECK(a[Action::cell_read] == 3u * 15 * 4 * 2 * 4);
  CHECK(a[Action::row_drive] == 3u * 15 * 4);
  CHECK(a[Action::adc_conversion] == 3u * 2);
  CHECK(a[Action::shift_add] == 0u);  // nothing left to combine after the ADC
}

TEST_CASE("digital input cycles with analog weights convert per cycle per weight", "[analog]") {
  ArchSpec arch = test::parse_arch_text(
      test::small_arch_yaml(kSram,
                            "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n"
                            "  signed_weights: twos_complement\n  weight_accumulation: analog\n"));
  ActionCounts a = count(arch, one_matmul(3, 4, 2));
  CHECK(a[Action::adc_conversion] == 3u * 4 * 2);
  CHECK(a[Action::shift_add] == 3u * 4 * 2);
}

TEST_CASE("analog input accumulation converts every column once per vector", "[analog]") {
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml(
      kSram,
      "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n  signed_weights: offset\n"
      "  input_accumulation: analog\n"));
  // Offset: 7 weight columns hold one 4-column weight, plus the reference column.
  ActionCounts a = count(arch, one_matmul(2, 4, 1));
  CHECK(a[Action::adc_conversion] == 2u * (4 + 1));
  CHECK(a[Action::shift_add] == 2u * (4 + 1));
  CostTable t = build_cost_table(arch);
  // 4 bit cycles accumulate (2 ns SRAM pulse, 1 GHz clock), then the bank of 2 channels per
  // 100 MS/s ADC converts once: 4 x 2 ns + 2 x 10 ns.
  CHECK(t.array_vector_s == Approx(4 * 2e-9 + 2 * 10e-9));
}

TEST_CASE("two's-complement weights need an analog combiner", "[analog]") {
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        kSram,
                        "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n"
                        "  signed_weights: twos_complement\n")),
                    Catch::Contains("twos_complement weights need weight_accumulation: analog"));
}

TEST_CASE("alpha-power law scales timing with supply", "[analog]") {
  // t ~ V / (V - Vt)^a: 0.8 V -> 1.0 V at Vt 0.3 V, a 1.3.
  const double expected = (1.0 / std::pow(0.7, 1.3)) / (0.8 / std::pow(0.5, 1.3));
  CHECK(scaling::gate_delay_ratio(1.0, 0.8, 0.3, 1.3) == Approx(expected));
  CHECK(scaling::gate_delay_ratio(1.0, 0.8, 0.0, 1.3) == 1.0);

  const std::string tech = "{preset: sram_22nm, threshold_voltage: 0.3V, alpha_power: 1.3}";
  const std::string tech_hi =
      "{preset: sram_22nm, supply_voltage: 1.0V, nominal_supply: 0.8V, threshold_voltage: 0.3V, "
      "alpha_power: 1.3}";
  auto with_timing_supply = [](std::string yaml) {
    return yaml.replace(yaml.find("clock: 1GHz"), 11, "clock: 1GHz\ntiming_supply: 0.8V");
  };
  ArchSpec lo = test::parse_arch_text(with_timing_supply(test::small_arch_yaml(tech)));
  ArchSpec hi = test::parse_arch_text(with_timing_supply(test::small_arch_yaml(tech_hi)));
  CostTable tl = build_cost_table(lo), th = build_cost_table(hi);
  CHECK(th.timing_scale == Approx(expected));
  CHECK(th.array_vector_s / tl.array_vector_s == Approx(expected));
}

TEST_CASE("timing at another supply needs a threshold voltage", "[analog]") {
  // The NOR flash card gives no threshold voltage: its timing cannot move with supply.
  std::string yaml = test::small_arch_yaml("{preset: nor_flash_40nm}");
  yaml.replace(yaml.find("clock: 1GHz"), 11, "clock: 1GHz\ntiming_supply: 0.9V");
  CHECK_THROWS_WITH(test::parse_arch_text(yaml),
                    Catch::Contains("needs the technology card's threshold_voltage"));
  // Nor can a supply other than the card's nominal one, where the clock is given by default.
  CHECK_THROWS_WITH(test::parse_arch_text(
                        test::small_arch_yaml("{preset: nor_flash_40nm, supply_voltage: 1.3V}")),
                    Catch::Contains("at 'technology.supply_voltage': timing given at 1.1 V "
                                    "(nominal_supply) but the supply is 1.3 V"));
  // Near the threshold the alpha-power law does not hold.
  CHECK_THROWS_WITH(
      test::parse_arch_text(test::small_arch_yaml("{preset: sram_22nm, supply_voltage: 0.4V}")),
      Catch::Contains("at 'technology.supply_voltage': supply_voltage 0.4 V is within 0.1 V of "
                      "the threshold"));
  // Each error points at the key the user wrote, not at the preset's line it contradicts.
  CHECK_THROWS_WITH(
      test::parse_arch_text(test::small_arch_yaml("{preset: sram_22nm, nominal_supply: 0.4V}")),
      Catch::Contains("at 'technology.nominal_supply': nominal_supply 0.4 V is within 0.1 V"));
  CHECK_THROWS_WITH(
      test::parse_arch_text(test::small_arch_yaml("{preset: sram_22nm, supply_voltage: 0.1V}")),
      Catch::StartsWith("test.yaml:2:") &&
          Catch::Contains("at 'technology.supply_voltage': the supply 0.1 V must be above the "
                          "threshold voltage"));
  // A threshold of 0 V over a preset turns the scaling off, the preset's alpha_power with it.
  CHECK(test::parse_arch_text(test::small_arch_yaml("{preset: sram_22nm, threshold_voltage: 0V}"))
            .technology.alpha_power == 0.0);
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        "{preset: sram_22nm, threshold_voltage: 0V, alpha_power: 1.3}")),
                    Catch::Contains("alpha_power applies only with a threshold_voltage above 0V"));
}

TEST_CASE("ADC energy moves as V^2 from the node's nominal supply", "[analog]") {
  ArchSpec nominal = test::parse_arch_text(test::small_arch_yaml(kSram));
  // Timing given at the raised supply itself, so only the V^2 term moves.
  std::string yaml =
      test::small_arch_yaml("{preset: sram_22nm, supply_voltage: 1.2V, nominal_supply: 0.8V}");
  yaml.replace(yaml.find("clock: 1GHz"), 11, "clock: 1GHz\ntiming_supply: 1.2V");
  ArchSpec raised = test::parse_arch_text(yaml);
  const double e0 = build_cost_table(nominal).energy(Action::adc_conversion);
  const double e1 = build_cost_table(raised).energy(Action::adc_conversion);
  CHECK(e1 / e0 == Approx((1.2 / 0.8) * (1.2 / 0.8)));
}

TEST_CASE("a biased front end adds I V t per conversion", "[analog]") {
  const std::string biased =
      "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2, front_end_bias: 5uA}";
  ArchSpec plain = test::parse_arch_text(test::small_arch_yaml());
  ArchSpec with_bias = test::parse_arch_text(
      test::small_arch_yaml("{preset: reram_22nm}",
                            "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n", biased));
  CostTable a = build_cost_table(plain), b = build_cost_table(with_bias);
  // Digital accumulation: each conversion stands for one input cycle of sensing.
  CHECK(b.energy(Action::adc_conversion) - a.energy(Action::adc_conversion) ==
        Approx(5e-6 * 0.8 * a.array_cycle_s));
}

TEST_CASE("the shipped chips run, and their timing follows the closed form", "[validate]") {
  auto points = validate_chips(std::string(CIMSIM_SOURCE_DIR) + "/configs/chips");
  REQUIRE(points.size() >= 7);
  auto figure = [&](const std::string& chip, const std::string& point,
                    const std::string& metric) -> const ChipFigure& {
    for (const auto& p : points) {
      if (p.chip != chip || p.point != point) continue;
      for (const auto& f : p.figures) {
        if (f.metric == metric) return f;
      }
    }
    FAIL("no figure " << chip << " " << point << " " << metric);
    throw;
  };
  // Sinangil at 0.8 V: 1024 MACs per access of 15 x 0.3 ns pulses plus a 1 ns conversion.
  CHECK(figure("sinangil_jssc21", "0.8 V", "TOPS").modelled ==
        Approx(2.0 * 1024 / (15 * 0.3e-9 + 1e-9) / 1e12).epsilon(1e-3));
  // At 1.0 V the access shrinks by the alpha-power delay ratio of the card (Vt 0.3 V, a 1.3).
  CHECK(figure("sinangil_jssc21", "1.0 V", "TOPS").modelled /
            figure("sinangil_jssc21", "0.8 V", "TOPS").modelled ==
        Approx(1.0 / scaling::gate_delay_ratio(1.0, 0.8, 0.3, 1.3)).epsilon(1e-3));
  // Zhang: 262,144 MACs per 4 x 40 ns bit-serial vector.
  CHECK(figure("zhang_iscas21", "1.1 V", "TOPS").modelled ==
        Approx(2.0 * 1024 * 256 / (4 * 40e-9) / 1e12).epsilon(1e-3));
}

TEST_CASE("the cost table's read cycle and ADC bank rebuild the array timing", "[analog]") {
  for (const char* accumulation : {"digital", "analog"}) {
    ArchSpec arch = test::parse_arch_text(test::small_arch_yaml(
        kSram, std::string("rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n"
                           "  input_accumulation: ") +
                   accumulation + "\n"));
    CostTable t = build_cost_table(arch);
    const int cycles = arch.crossbar.input_cycles();
    const double rebuilt = t.analog_input_accumulation
                               ? cycles * t.read_cycle_s + t.adc_bank_s
                               : cycles * std::max(t.read_cycle_s, t.adc_bank_s);
    CHECK(t.array_vector_s == Approx(rebuilt).epsilon(1e-12));
  }
}

TEST_CASE("a sampling integrator costs its sample energy per input cycle", "[analog]") {
  const std::string crossbar =
      "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n  input_accumulation: analog\n";
  ArchSpec plain = test::parse_arch_text(test::small_arch_yaml(kSram, crossbar));
  ArchSpec sampled = test::parse_arch_text(test::small_arch_yaml(
      kSram, crossbar,
      "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2, sample_energy: 1pJ}"));
  // Analog accumulation converts once per vector, after 4 sampled input cycles.
  CHECK(build_cost_table(sampled).energy(Action::adc_conversion) -
            build_cost_table(plain).energy(Action::adc_conversion) ==
        Approx(4e-12));
}

TEST_CASE("a datasheet converter replaces the survey fit", "[analog]") {
  ArchSpec arch = test::parse_arch_text(
      test::small_arch_yaml("{preset: sram_22nm, supply_voltage: 1.2V, nominal_supply: 0.8V}",
                            "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n",
                            "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 2, "
                            "energy_per_conversion: 0.3pJ, area: 400um2}"));
  CostTable t = build_cost_table(arch);
  CHECK(t.energy(Action::adc_conversion) == Approx(0.3e-12));  // no V^2 move: own supply
  // 8 columns, 2 per ADC: 4 converters of 400 um^2 in each of the 16 arrays.
  CHECK(t.area_m2[static_cast<int>(Component::adc)] == Approx(16 * 4 * 400e-12));
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        kSram, "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n",
                        "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 1, "
                        "energy_per_conversion: 1pJ}")),
                    Catch::Contains("needs both energy_per_conversion and area"));
}

TEST_CASE("combinations that would give silently wrong numbers are refused", "[analog]") {
  const std::string four = "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n";
  // Analog weights: 8 one-bit columns are 2 channels, so an ADC cannot serve 4.
  CHECK_THROWS_WITH(
      test::parse_arch_text(test::small_arch_yaml(
          kSram, four + "  signed_weights: twos_complement\n  weight_accumulation: analog\n",
          "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 4}")),
      Catch::Contains("columns_per_adc 4 exceeds the array's 2 ADC channels"));
  // A DAC wider than the input.
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        kSram, four + "  input_encoding: dac\n  dac_bits: 8\n")),
                    Catch::Contains("dac_bits must be at most input_bits"));
  // Two's complement needs an MSB slice to subtract: 4-bit weights in 4-bit NOR cells have one.
  CHECK_THROWS_WITH(
      test::parse_arch_text(test::small_arch_yaml(
          "{preset: nor_flash_40nm}",
          four + "  signed_weights: twos_complement\n  weight_accumulation: analog\n")),
      Catch::Contains("twos_complement needs a weight of at least two slices"));
  // A datasheet converter of zero energy is not a converter.
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        kSram, four,
                        "{type: SAR, bits: 6, sample_rate: 100MHz, columns_per_adc: 1, "
                        "energy_per_conversion: 0pJ, area: 400um2}")),
                    Catch::Contains("energy_per_conversion"));
}

namespace {

// Mean reference current of an R-2R ladder by brute force: every code, weighted by its
// probability, node voltages by dense Gaussian elimination (an independent route to the
// closed form's tridiagonal inverse).
double r2r_enumerated(int bits, double r, double p) {
  double mean = 0;
  for (int code = 0; code < (1 << bits); ++code) {
    std::vector<std::vector<double>> a(bits, std::vector<double>(bits + 1, 0.0));
    double weight = 1;
    for (int i = 0; i < bits; ++i) {
      const int b = (code >> i) & 1;
      weight *= b ? p : 1 - p;
      a[i][i] = i == 0 ? 4 : (i == bits - 1 ? 3 : 5);
      if (i > 0) a[i][i - 1] = -2;
      if (i < bits - 1) a[i][i + 1] = -2;
      a[i][bits] = b;
    }
    for (int c = 0; c < bits; ++c) {
      for (int row = c + 1; row < bits; ++row) {
        const double f = a[row][c] / a[c][c];
        for (int k = c; k <= bits; ++k) a[row][k] -= f * a[c][k];
      }
    }
    std::vector<double> v(bits);
    for (int row = bits - 1; row >= 0; --row) {
      double acc = a[row][bits];
      for (int k = row + 1; k < bits; ++k) acc -= a[row][k] * v[k];
      v[row] = acc / a[row][row];
    }
    // The circuit equations hold when the unloaded output reads code / 2^b for every code.
    CHECK(v[bits - 1] == Approx(code * std::ldexp(1.0, -bits)).margin(1e-12));
    double current = 0;
    for (int i = 0; i < bits; ++i) current += ((code >> i) & 1) * (1.0 - v[i]) / (2 * r);
    mean += weight * current;
  }
  return mean;
}

}  // namespace

TEST_CASE("an R-2R ladder draws its Kirchhoff current for the whole input cycle", "[analog]") {
  for (int bits : {2, 4, 8}) {
    for (double p : {0.5, 0.3}) {
      CHECK(r2r_mean_current_per_volt(bits, 5e3, p) ==
            Approx(r2r_enumerated(bits, 5e3, p)).epsilon(1e-12));
    }
  }
  // Uniform 8-bit codes on 5 kohm: 0.144444 mA per volt (enumeration of all 256 codes).
  CHECK(r2r_mean_current_per_volt(8, 5e3, 0.5) == Approx(1.4444427490234384e-4).epsilon(1e-9));
  // Static power: V^2 times the hold time; two half-supply ladders draw half of one full one.
  const double i_per_v = r2r_mean_current_per_volt(8, 5e3, 0.5);
  CHECK(r2r_dac_costs(8, 5e3, 1, 0.7, 6.9e-9, 0.5, 22e-9).energy_per_conversion_j ==
        Approx(0.7 * 0.7 * i_per_v * 6.9e-9));
  CHECK(r2r_dac_costs(8, 5e3, 2, 0.7, 6.9e-9, 0.5, 22e-9).energy_per_conversion_j ==
        Approx(0.5 * 0.7 * 0.7 * i_per_v * 6.9e-9));

  // In the cost table the ladder holds its row for one clock cycle, with no buffer.
  const std::string r2r =
      "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n"
      "  input_encoding: dac\n  dac_bits: 4\n  dac_type: r2r\n"
      "  dac_unit_resistance: 10kohm\n";
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml(kSram, r2r));
  CostTable t = build_cost_table(arch);
  CHECK(t.energy(Action::dac_conversion) ==
        Approx(0.8 * 0.8 * r2r_mean_current_per_volt(4, 1e4, 0.5) * t.read_cycle_s));
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        kSram,
                        "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n"
                        "  input_encoding: dac\n  dac_bits: 4\n  dac_unit_resistance: 10kohm\n")),
                    Catch::Contains("dac_unit_resistance applies only with dac_type: r2r"));
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        kSram,
                        "rows: 4\n  columns: 8\n  input_bits: 4\n  weight_bits: 4\n"
                        "  input_encoding: dac\n  dac_bits: 4\n  dac_type: r2r\n")),
                    Catch::Contains("dac_unit_resistance"));
}

TEST_CASE("active rows take turns: conversions, partial sums and time per row group", "[analog]") {
  // 8-row arrays, 3 rows at a time: a 20-row matrix takes row tiles of 8, 8 and 4 rows, so
  // 3 + 3 + 2 = 8 row groups per vector, and an array runs at most 3 groups one after another.
  // 2-bit differential weights in 1-bit SRAM cells: 4 columns per weight, 2 weights per array.
  const std::string crossbar =
      "rows: 8\n  columns: 8\n  input_bits: 4\n  weight_bits: 2\n  active_rows: 3\n";
  ArchSpec arch = test::parse_arch_text(test::small_arch_yaml(kSram, crossbar));
  ArchSpec all_rows = test::parse_arch_text(
      test::small_arch_yaml(kSram, "rows: 8\n  columns: 8\n  input_bits: 4\n  weight_bits: 2\n"));
  Workload w = one_matmul(5, 20, 2);
  Mapping map = map_workload(arch, w);
  REQUIRE(map.matrices.size() == 1);
  CHECK(map.matrices[0].row_tiles == 3);
  CHECK(map.matrices[0].row_groups == 8);
  CHECK(map.matrices[0].groups_per_array == 3);
  const ActionCounts a = count(arch, w), b = count(all_rows, w);
  CHECK(a[Action::cell_read] == b[Action::cell_read]);  // every cell still computes once
  CHECK(a[Action::row_drive] == b[Action::row_drive]);
  CHECK(a[Action::adc_conversion] == 5u * 4 * 8 * (2 * 4));  // vectors x bits x groups x columns
  CHECK(b[Action::adc_conversion] == 5u * 4 * 3 * (2 * 4));  // three row tiles
  CHECK(a[Action::partial_sum_add] == 5u * 2 * (8 - 1));
  // Time: each vector runs the array's three groups one after another.
  const CostTable t = build_cost_table(arch);
  std::vector<OpResult> per_op(1);
  Workspace ws;
  evaluate(w, map, t, ws, per_op);
  CHECK(per_op[0].busy_s == Approx(5 * 3 * t.array_vector_s));
  // The functional model converts one group of active rows at a time.
  CHECK(XbarSpec::from_arch(arch).group_rows() == 3);
  // Area: a driver per row, but a DAC per active row only.
  ArchSpec dac = test::parse_arch_text(
      test::small_arch_yaml(kSram, crossbar + "  input_encoding: dac\n  dac_bits: 2\n"));
  ArchSpec dac_all = test::parse_arch_text(test::small_arch_yaml(
      kSram,
      "rows: 8\n  columns: 8\n  input_bits: 4\n  weight_bits: 2\n  input_encoding: dac\n"
      "  dac_bits: 2\n"));
  const double per_array_drivers = [&] {
    const CostTable c = build_cost_table(dac), c_all = build_cost_table(dac_all);
    const double arrays = static_cast<double>(dac.total_arrays());
    const double d = c.area_m2[static_cast<int>(Component::drivers)] / arrays;
    const double d_all = c_all.area_m2[static_cast<int>(Component::drivers)] / arrays;
    return d_all - d;  // five fewer DACs
  }();
  CHECK(per_array_drivers ==
        Approx(5 * (4 * 1e-15 / 2e-3 + scaling::logic_area(4 * 2, 22e-9))).epsilon(1e-9));
  CHECK_THROWS_WITH(test::parse_arch_text(test::small_arch_yaml(
                        kSram,
                        "rows: 8\n  columns: 8\n  input_bits: 4\n  weight_bits: 2\n"
                        "  active_rows: 9\n")),
                    Catch::Contains("active_rows"));
}
