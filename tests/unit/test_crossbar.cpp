// The functional crossbar model against exact arithmetic and quantization theory.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "models/arch/arch_spec.hpp"
#include "models/xbar/crossbar.hpp"

using namespace cimsim;

namespace {

Eigen::MatrixXi random_ints(int rows, int cols, int lo, int hi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  Eigen::MatrixXi m(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) m(i, j) = d(rng);
  return m;
}

// 64 rows of 6-bit two's-complement weights, one bit per cell, input planes and a weight's
// columns combined in analog before one 6-bit conversion per weight and vector.
XbarSpec converting_once_per_weight() {
  XbarSpec spec;
  spec.rows = 64;
  spec.input_bits = 6;
  spec.weight_bits = 6;
  spec.bits_per_cell = 1;
  spec.twos_complement = true;
  spec.differential = false;
  spec.analog_inputs = true;
  spec.analog_weights = true;
  spec.adc_bits = 6;
  return spec;
}

DeviceSpec reram_device() {
  ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  return DeviceSpec::from_arch(arch);
}

}  // namespace

TEST_CASE("noise off and a wide ADC: the crossbar equals the integer matmul bit for bit",
          "[xbar]") {
  const DeviceSpec device = reram_device();  // finite on/off ratio (17): cancelled exactly
  const int K = 600, N = 37, M = 9;          // three row tiles of 256, the last partial
  for (int bits_per_cell : {1, 2, 4}) {
    for (bool differential : {true, false}) {
      for (int dac_bits : {1, 2, 4}) {
        XbarSpec spec;
        spec.rows = 256;
        spec.input_bits = 8;
        spec.weight_bits = 8;
        spec.bits_per_cell = bits_per_cell;
        spec.dac_bits = dac_bits;
        spec.differential = differential;
        spec.adc_bits = 16;  // 2^16 - 1 >= 256 rows x 15 x 15: one code per integer sum
        Eigen::MatrixXi w = random_ints(K, N, -127, 127, 7 + bits_per_cell);
        Eigen::MatrixXi x = random_ints(M, K, -128, 127, 11 + dac_bits);
        ProgrammedMatrix xbar(w, spec, device, Nonidealities{});
        Eigen::MatrixXd exact = (x.cast<double>() * w.cast<double>());
        INFO("bits/cell " << bits_per_cell << ", differential " << differential << ", dac "
                          << dac_bits);
        CHECK((xbar.multiply_integer(x) - exact).cwiseAbs().maxCoeff() == 0.0);
      }
    }
  }
}

TEST_CASE("a b-bit ADC's quantization SNR matches theory within 0.5 dB", "[xbar]") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1000.0f);
  Eigen::VectorXf y(200000);
  for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = u(rng);
  for (int bits : {4, 6, 8}) {
    const double theory =
        20.0 * std::log10(std::ldexp(1.0, bits) - 1.0);  // uniform input, full range
    INFO(bits << " bits: theory " << theory << " dB");
    CHECK(std::fabs(adc_quantization_snr_db(y, 1000.0, bits) - theory) < 0.5);
  }
}

TEST_CASE("a narrow ADC loses information the wide one keeps", "[xbar]") {
  XbarSpec spec;
  spec.bits_per_cell = 2;
  spec.adc_bits = 4;
  Eigen::MatrixXi w = random_ints(256, 16, -127, 127, 1);
  Eigen::MatrixXi x = random_ints(8, 256, -128, 127, 2);
  ProgrammedMatrix xbar(w, spec, reram_device(), Nonidealities{});
  Eigen::MatrixXd exact = x.cast<double>() * w.cast<double>();
  CHECK((xbar.multiply_integer(x) - exact).cwiseAbs().maxCoeff() > 0.0);
}

TEST_CASE("noise is seeded: same seed, same numbers; another seed, other numbers", "[xbar]") {
  XbarSpec spec;
  spec.bits_per_cell = 2;
  spec.adc_bits = 12;
  Nonidealities noisy;
  noisy.programming_variation = true;
  noisy.read_noise = true;
  noisy.seed = 42;
  DeviceSpec device = reram_device();
  Eigen::MatrixXi w = random_ints(300, 20, -127, 127, 5);
  Eigen::MatrixXi x = random_ints(4, 300, -128, 127, 6);
  ProgrammedMatrix a(w, spec, device, noisy), b(w, spec, device, noisy);
  CHECK(a.multiply_integer(x, 1) == b.multiply_integer(x, 1));
  noisy.seed = 43;
  ProgrammedMatrix c(w, spec, device, noisy);
  CHECK(a.multiply_integer(x, 1) != c.multiply_integer(x, 1));
}

TEST_CASE("programming variation follows the card's fit", "[xbar]") {
  // All weights +85 (digits 1,1,1,1 in 2-bit cells): every positive cell sits at level 1.
  XbarSpec spec;
  spec.bits_per_cell = 2;
  spec.adc_bits = 16;
  DeviceSpec device = reram_device();
  Nonidealities noisy;
  noisy.programming_variation = true;
  const int K = 256, N = 200;
  ProgrammedMatrix xbar(Eigen::MatrixXi::Constant(K, N, 85), spec, device, noisy);
  // One input row with a single active row k picks out cell (k, n) of each slice; read them all
  // through the least significant slice by driving input 1 (plane 0) on one row at a time.
  const double step = (device.level_max - device.level_min) / 3.0;
  const double level = device.level_min + step;
  const double sigma_digits = device.programming->sigma(level, device.level_max) / step;
  // The sum over 256 rows of independent cells has variance 256 sigma^2 per slice; with input
  // +1 (u = 129 = planes 0 and 7) the weight-1 and weight-128 planes each see it.
  Eigen::MatrixXi x = Eigen::MatrixXi::Constant(1, K, 1);
  Eigen::MatrixXd y = xbar.multiply_integer(x);
  const double exact = 85.0 * K;
  double mean = (y.array() - exact).mean();
  double var = (y.array() - exact - mean).square().mean();
  // Each output: sum over slices s (weight 4^s) and planes (129 = 1 + 128) of 256 cells.
  double per_cell = 0;
  for (int s = 0; s < 4; ++s) per_cell += std::pow(4.0, 2 * s);
  const double expected_var =
      K * sigma_digits * sigma_digits * per_cell * (1.0 + 128.0) * (1.0 + 128.0);
  INFO("measured sigma " << std::sqrt(var) << ", expected " << std::sqrt(expected_var));
  CHECK(std::sqrt(var) == Approx(std::sqrt(expected_var)).epsilon(0.15));
}

TEST_CASE("stuck-at faults occur at their rate", "[xbar]") {
  XbarSpec spec;
  spec.bits_per_cell = 1;
  spec.weight_bits = 2;  // two 1-bit slices per side
  spec.input_bits = 2;   // input +1 is u = 3: planes of weight 1 and 2
  spec.adc_bits = 16;
  Nonidealities faults;
  faults.stuck_on_rate = 0.05;
  const int K = 256, N = 2000;
  ProgrammedMatrix xbar(Eigen::MatrixXi::Zero(K, N), spec, reram_device(), faults);
  Eigen::MatrixXd y = xbar.multiply_integer(Eigen::MatrixXi::Constant(1, K, 1));
  // A stuck-on cell adds +-3 x (slice weight 1 or 2) to its column; the sides cancel in the mean,
  // and the variance per column is K x 2 sides x (3^2 + 6^2) x p (1 - p).
  const double p = 0.05;
  const double expected_var = K * 2.0 * (9.0 + 36.0) * p * (1 - p);
  const double mean = y.mean();
  const double var = (y.array() - mean).square().mean();
  CHECK(mean == Approx(0.0).margin(3.0 * std::sqrt(expected_var / N)));
  CHECK(var == Approx(expected_var).epsilon(0.1));
}

TEST_CASE("real matrices: 8-bit quantization through the crossbar stays close to float", "[xbar]") {
  std::mt19937_64 rng(9);
  std::normal_distribution<float> g(0.0f, 1.0f);
  Eigen::MatrixXf w(512, 64), x(16, 512);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = g(rng);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = g(rng);
  XbarSpec spec;
  spec.bits_per_cell = 2;
  spec.adc_bits = 16;
  ProgrammedMatrix xbar(w, spec, reram_device(), Nonidealities{}, /*per_channel_scale=*/true);
  Eigen::MatrixXf exact = x * w;
  Eigen::MatrixXf got = xbar.multiply(x);
  double rel = (got - exact).norm() / exact.norm();
  CHECK(rel < 0.02);
  CHECK(rel > 0.0);
}

TEST_CASE("IR drop attenuates far cells by the first-order series-resistance formula", "[xbar]") {
  XbarSpec spec;
  spec.rows = 4;
  spec.columns = 8;
  spec.bits_per_cell = 1;
  spec.weight_bits = 2;  // one slice holds the magnitude bit, a second the (zero) high bit
  DeviceSpec device;     // conductance 0 or 10 uS, 1 kOhm of wire per cell pitch
  device.level_min = 0.0;
  device.level_max = 1e-5;
  device.conductance_cells = true;
  device.wire_resistance_per_cell = 1e3;
  Nonidealities drop;
  drop.ir_drop = true;
  ProgrammedMatrix xbar(Eigen::MatrixXi::Ones(4, 2), spec, device, drop);
  // Cell (row r, logical column n): physical column ((n x 2 slices + s) x 2 sides + side) mod 8.
  for (int r = 0; r < 4; ++r) {
    for (int n = 0; n < 2; ++n) {
      const double column = (n * 2 + 0) * 2 + 0;
      const double expected = 1.0 / (1.0 + 1e-5 * 1e3 * (column + 1 + 4 - r));
      INFO("row " << r << ", column " << n);
      CHECK(xbar.cell_digit(r, n, 0) == Approx(expected).epsilon(1e-6));
    }
  }
  // Without the flag the same cells hold exactly one step.
  ProgrammedMatrix ideal(Eigen::MatrixXi::Ones(4, 2), spec, device, Nonidealities{});
  CHECK(ideal.cell_digit(3, 1, 0) == 1.0f);
}

TEST_CASE("ADC nonlinearity moves a code by the INL bow", "[xbar]") {
  XbarSpec spec;
  spec.rows = 256;
  spec.bits_per_cell = 2;
  spec.adc_bits = 4;  // 15 steps over 256 x 3 = 768: step 51.2
  Nonidealities inl;
  inl.adc_inl_lsb = 0.5;
  // Weights +1 (slice 0 digit 1) and inputs -127 (u = 1: plane 0 only): the only non-zero
  // conversion sums 256 ones, code 5 of 15; every other conversion reads code 0.
  Eigen::MatrixXi w = Eigen::MatrixXi::Ones(256, 1);
  Eigen::MatrixXi x = Eigen::MatrixXi::Constant(1, 256, -127);
  ProgrammedMatrix ideal(w, spec, reram_device(), Nonidealities{});
  ProgrammedMatrix bowed(w, spec, reram_device(), inl);
  CHECK(ideal.multiply_integer(x)(0, 0) == -127.0 * 256);
  const double step = 768.0 / 15.0;
  CHECK(bowed.multiply_integer(x)(0, 0) - ideal.multiply_integer(x)(0, 0) ==
        Approx(0.5 * std::sin(M_PI * 5.0 / 15.0) * step).epsilon(1e-5));
}

TEST_CASE("analog accumulation with a wide ADC still equals the integer matmul bit for bit",
          "[xbar]") {
  const DeviceSpec device = reram_device();
  const int K = 150, N = 11, M = 5;  // three row tiles of 64, the last partial
  enum class Encoding { differential, offset, twos_complement };
  for (Encoding encoding : {Encoding::differential, Encoding::offset, Encoding::twos_complement}) {
    for (int dac_bits : {1, 2, 6}) {  // 6: one plane of the whole input (pulse counts)
      for (bool analog_inputs : {false, true}) {
        for (bool analog_weights : {false, true}) {
          if (encoding == Encoding::twos_complement && !analog_weights) continue;
          XbarSpec spec;
          spec.rows = 64;
          spec.input_bits = 6;
          spec.weight_bits = 6;
          spec.bits_per_cell = encoding == Encoding::twos_complement ? 1 : 2;
          spec.dac_bits = dac_bits;
          spec.differential = encoding == Encoding::differential;
          spec.twos_complement = encoding == Encoding::twos_complement;
          spec.analog_inputs = analog_inputs;
          spec.analog_weights = analog_weights;
          spec.adc_bits = 20;  // 2 x 64 x 63 x 63 < 2^20: one code per integer sum
          Eigen::MatrixXi w = random_ints(K, N, -31, 31, 5);
          Eigen::MatrixXi x = random_ints(M, K, -32, 31, 6);
          ProgrammedMatrix xbar(w, spec, device, Nonidealities{});
          Eigen::MatrixXd exact = x.cast<double>() * w.cast<double>();
          INFO("encoding " << static_cast<int>(encoding) << ", dac " << dac_bits
                           << ", analog inputs " << analog_inputs << ", analog weights "
                           << analog_weights);
          CHECK((xbar.multiply_integer(x) - exact).cwiseAbs().maxCoeff() == 0.0);
        }
      }
    }
  }
}

TEST_CASE("converting once per weight and vector: the error is half of one wide step", "[xbar]") {
  // One row tile, planes and columns combined in analog, a 6-bit bipolar converter over the
  // fixed range [-FS, FS], FS = 64 rows x (2^6 - 1) x 31 on codes -32..31 (step FS / 31):
  // every output is one conversion, so it errs by at most half a step, and a narrow converter
  // does err.
  XbarSpec spec = converting_once_per_weight();
  Eigen::MatrixXi w = random_ints(64, 16, -31, 31, 8);
  Eigen::MatrixXi x = random_ints(20, 64, -32, 31, 9);
  ProgrammedMatrix xbar(w, spec, reram_device(), Nonidealities{});
  const double step = 64.0 * 63 * 31 / 31;
  Eigen::MatrixXd error = xbar.multiply_integer(x) - x.cast<double>() * w.cast<double>();
  CHECK(error.cwiseAbs().maxCoeff() <= step / 2 * (1 + 1e-6));
  CHECK(error.cwiseAbs().maxCoeff() > step / 8);

  // The same converter per bit column and input bit (digital accumulation) sees a range 63 x 31
  // times smaller per conversion, so its result is far closer.
  XbarSpec digital = spec;
  digital.twos_complement = false;
  digital.differential = true;
  digital.analog_inputs = false;
  digital.analog_weights = false;
  ProgrammedMatrix per_column(w, digital, reram_device(), Nonidealities{});
  Eigen::MatrixXd digital_error =
      per_column.multiply_integer(x) - x.cast<double>() * w.cast<double>();
  CHECK(digital_error.norm() < error.norm() / 10);
}

TEST_CASE("active rows: the converter's row groups are the mapper's", "[xbar]") {
  // 8-row arrays converting 3 rows at a time: a 20-row matrix is cut into row tiles of 8, 8
  // and 4 rows, each into groups of 3: 3 + 3 + 2 = 8 groups, as the mapper counts them.
  XbarSpec spec;
  spec.rows = 8;
  spec.active_rows = 3;
  spec.adc_bits = 16;
  Eigen::MatrixXi w = random_ints(20, 3, -127, 127, 12);
  ProgrammedMatrix xbar(w, spec, reram_device(), Nonidealities{});
  const std::vector<std::pair<int, int>> expected = {{0, 3},  {3, 3},  {6, 2},  {8, 3},
                                                     {11, 3}, {14, 2}, {16, 3}, {19, 1}};
  CHECK(xbar.row_groups(20) == expected);
  Eigen::MatrixXi x = random_ints(4, 20, -128, 127, 13);
  CHECK((xbar.multiply_integer(x) - x.cast<double>() * w.cast<double>()).cwiseAbs().maxCoeff() ==
        0.0);
}

TEST_CASE("a calibrated bipolar converter spans the largest signed sum it was shown", "[xbar]") {
  // Analog inputs and two's-complement weights combined before a 6-bit bipolar converter: the
  // calibrated range is the largest |sum| the converter sees on the sample (inputs offset to
  // u = x + 32), so on that sample nothing clips and every output errs by at most half a step
  // of peak / 31, a far finer step than the fixed range's.
  XbarSpec spec = converting_once_per_weight();
  spec.adc_range = XbarSpec::AdcRange::calibrated;
  Eigen::MatrixXi w = random_ints(64, 16, -31, 31, 14);
  Eigen::MatrixXi x = random_ints(20, 64, -31, 31, 15);
  x(0, 0) = 31;  // the per-tensor input scale is then exactly 1
  ProgrammedMatrix xbar(w, spec, reram_device(), Nonidealities{});
  xbar.calibrate(x.cast<float>());
  const Eigen::MatrixXd seen = (x.array() + 32).matrix().cast<double>() * w.cast<double>();
  const double step = seen.cwiseAbs().maxCoeff() / 31;
  const Eigen::MatrixXd exact = x.cast<double>() * w.cast<double>();
  const Eigen::MatrixXd error = xbar.multiply_integer(x) - exact;
  CHECK(error.cwiseAbs().maxCoeff() <= step / 2 * (1 + 1e-5));
  CHECK(error.cwiseAbs().maxCoeff() > 0.0);
  XbarSpec fixed = spec;
  fixed.adc_range = XbarSpec::AdcRange::fixed;
  ProgrammedMatrix coarse(w, fixed, reram_device(), Nonidealities{});
  CHECK(error.norm() < (coarse.multiply_integer(x) - exact).norm());
}

TEST_CASE("unsigned inputs (softmax probabilities): exact with a wide ADC, a bit finer than signed",
          "[xbar]") {
  const DeviceSpec device = reram_device();
  XbarSpec spec;
  spec.rows = 256;
  spec.input_bits = 8;
  spec.weight_bits = 8;
  spec.bits_per_cell = 2;
  spec.adc_bits = 16;
  const int K = 300, N = 16, M = 5;
  for (bool differential : {true, false}) {
    spec.differential = differential;
    INFO("differential " << differential);
    Eigen::MatrixXi w = random_ints(K, N, -127, 127, 21);
    Eigen::MatrixXi x = random_ints(M, K, 0, 255, 22);  // the whole unsigned range
    ProgrammedMatrix xbar(w, spec, device, Nonidealities{});
    xbar.set_unsigned_inputs(true);
    CHECK((xbar.multiply_integer(x) - x.cast<double>() * w.cast<double>()).cwiseAbs().maxCoeff() ==
          0.0);
  }
  // Real non-negative inputs use 255 steps instead of 127: the quantization error halves.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  Eigen::MatrixXf p(64, K);
  for (Eigen::Index i = 0; i < p.size(); ++i) p(i) = u(rng);
  Eigen::MatrixXf wf = random_ints(K, N, -127, 127, 23).cast<float>() / 127.0f;
  ProgrammedMatrix signed_inputs(wf, spec, device, Nonidealities{}, false);
  ProgrammedMatrix unsigned_inputs(wf, spec, device, Nonidealities{}, false);
  unsigned_inputs.set_unsigned_inputs(true);
  const Eigen::MatrixXf exact = p * wf;
  const double e_signed = (signed_inputs.multiply(p) - exact).norm();
  const double e_unsigned = (unsigned_inputs.multiply(p) - exact).norm();
  CHECK(e_unsigned < 0.6 * e_signed);
}

TEST_CASE("an all-zero weight column reads exactly zero, whatever the device noise", "[xbar]") {
  // Its digital scale is 0 (a vanishing full scale). With a scale of 1, a zero-initialised
  // projection's read noise came out full-size: perplexities of 1e220 on a toy model.
  std::mt19937_64 rng(3);
  std::normal_distribution<float> g(0.0f, 1.0f);
  Eigen::MatrixXf w(64, 4), x(8, 64);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = g(rng);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = g(rng);
  w.col(2).setZero();
  XbarSpec spec;
  spec.bits_per_cell = 2;
  spec.adc_bits = 8;
  Nonidealities noisy;
  noisy.programming_variation = true;
  noisy.read_noise = true;
  noisy.seed = 7;
  for (bool per_channel : {true, false}) {
    Eigen::MatrixXf zero = Eigen::MatrixXf::Zero(64, 4);
    ProgrammedMatrix all_zero(zero, spec, reram_device(), noisy, per_channel);
    CHECK(all_zero.multiply(x, 1).cwiseAbs().maxCoeff() == 0.0f);
  }
  ProgrammedMatrix one_zero(w, spec, reram_device(), noisy, /*per_channel_scale=*/true);
  const Eigen::MatrixXf y = one_zero.multiply(x, 1);
  CHECK(y.col(2).cwiseAbs().maxCoeff() == 0.0f);
  CHECK(y.col(1).cwiseAbs().maxCoeff() > 0.0f);
}
