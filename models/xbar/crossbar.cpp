#include "models/xbar/crossbar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "models/arch/arch_spec.hpp"
#include "models/core/error.hpp"

namespace cimsim {

XbarSpec XbarSpec::from_arch(const ArchSpec& arch) {
  // The functional model quantizes inputs as signed integers (two bits at least), and a
  // two's-complement weight as one bit per column (its MSB column is the negative one).
  const auto& xb = arch.crossbar;
  auto unsupported = [&](const std::string& key, const std::string& value,
                         const std::string& instead) {
    throw UserError(fmt::format(
        "{}: error: at 'crossbar.{}': the accuracy model does not support {} yet (energy, "
        "latency and area do); {}",
        arch.file, key, value, instead));
  };
  if (xb.input_bits < 2) {
    unsupported("input_bits", "1-bit inputs (signed quantization needs 2)", "use 2 or more");
  }
  if (xb.signed_weights == "twos_complement" && arch.technology.bits_per_cell != 1) {
    unsupported("signed_weights",
                fmt::format("two's-complement weights in {}-bit cells (a negative MSB cell of "
                            "several levels is not a two's-complement digit)",
                            arch.technology.bits_per_cell),
                "use 1-bit cells, or differential or offset weights");
  }
  const bool bipolar = xb.weight_accumulation == "analog" && xb.signed_weights != "offset";
  if (bipolar && xb.adc.bits < 2) {
    unsupported("adc.bits", "a 1-bit converter of signed sums (a bipolar code needs a sign bit)",
                "use 2 or more bits");
  }
  XbarSpec s;
  s.rows = xb.rows;
  // The converter sees one group of active rows; the groups add digitally, like row tiles.
  s.active_rows = xb.active_rows;
  s.columns = xb.columns;
  s.input_bits = xb.input_bits;
  s.weight_bits = xb.weight_bits;
  s.bits_per_cell = arch.technology.bits_per_cell;
  // A pulse-count input of value u fires u pulses that add on the column: one plane of b_x bits.
  s.dac_bits = xb.input_encoding == "pulse_count" ? xb.input_bits : xb.dac_bits;
  s.differential = xb.signed_weights == "differential";
  s.twos_complement = xb.signed_weights == "twos_complement";
  s.analog_inputs = xb.input_accumulation == "analog";
  s.analog_weights = xb.weight_accumulation == "analog";
  s.adc_bits = xb.adc.bits;
  s.activation_matmuls_in_arrays = arch.chiplet.dynamic_matmuls_in_arrays();
  return s;
}

DeviceSpec DeviceSpec::from_arch(const ArchSpec& arch) {
  const auto& t = arch.technology;
  DeviceSpec d;
  d.level_min = t.physics->level_min();
  d.level_max = t.physics->level_max();
  d.programming = t.programming_noise;
  d.read = t.read_noise;
  d.drift_nu = t.drift_nu;
  d.drift_t0_s = t.drift_t0.si;
  d.wire_resistance_per_cell = t.wire_resistance_per_cell.si;
  d.conductance_cells = t.physics_name == "resistive";
  return d;
}

namespace {

int max_weight(int bits) {
  return (1 << (bits - 1)) - 1;
}

// Standard normal draws from a seeded generator (Box-Muller: the same numbers on every
// platform, unlike std::normal_distribution).
class Normal {
 public:
  explicit Normal(std::uint64_t seed) : rng_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform(), u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }
  double uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace

ProgrammedMatrix::ProgrammedMatrix(const Eigen::MatrixXf& w, const XbarSpec& spec,
                                   const DeviceSpec& device, const Nonidealities& nonideal,
                                   bool per_channel_scale)
    : spec_(spec), nonideal_(nonideal) {
  const int q = max_weight(spec.weight_bits);
  w_scale_.resize(w.cols());
  if (per_channel_scale) {
    for (int n = 0; n < w.cols(); ++n) w_scale_(n) = w.col(n).cwiseAbs().maxCoeff() / q;
  } else {
    w_scale_.setConstant(w.cwiseAbs().maxCoeff() / q);
  }
  // An all-zero column keeps a scale of 0: its cells all hold level 0, and whatever their reads
  // and the ADC give, the digital scale maps to exactly 0, the limit of a vanishing full scale.
  // (A scale of 1 made a zero-initialised c_proj's read noise full-size, perplexities of 1e220.)
  w_int_.resize(w.rows(), w.cols());
  for (int n = 0; n < w.cols(); ++n) {
    for (int k = 0; k < w.rows(); ++k) {
      w_int_(k, n) = w_scale_(n) == 0.0f
                         ? 0
                         : std::clamp(static_cast<int>(std::lround(w(k, n) / w_scale_(n))), -q, q);
    }
  }
  program(spec, device, nonideal);
}

ProgrammedMatrix::ProgrammedMatrix(const Eigen::MatrixXi& w, const XbarSpec& spec,
                                   const DeviceSpec& device, const Nonidealities& nonideal)
    : spec_(spec), nonideal_(nonideal), w_int_(w) {
  const int q = max_weight(spec.weight_bits);
  if (w.size() > 0 && (w.maxCoeff() > q || w.minCoeff() < -q))
    panic("integer weights out of range");
  w_scale_ = Eigen::VectorXf::Ones(w.cols());
  program(spec, device, nonideal);
}

void ProgrammedMatrix::program(const XbarSpec& spec, const DeviceSpec& device,
                               const Nonidealities& nonideal) {
  const int levels = 1 << spec.bits_per_cell;
  const int n_slices = (spec.weight_bits + spec.bits_per_cell - 1) / spec.bits_per_cell;
  const double step = (device.level_max - device.level_min) / (levels - 1);
  const int offset = 1 << (spec.weight_bits - 1);
  const auto K = w_int_.rows(), N = w_int_.cols();
  Normal normal(nonideal.seed);
  const double drift = nonideal.time_s > device.drift_t0_s && device.drift_nu > 0
                           ? std::pow(nonideal.time_s / device.drift_t0_s, -device.drift_nu)
                           : 1.0;

  // One stored digit becomes the effective digit the column sees, and its read variance.
  auto cell = [&](int digit, Eigen::Index row, Eigen::Index column, float& effective,
                  float& read_var) {
    double level = device.level_min + digit * step;
    if (nonideal.programming_variation && device.programming) {
      level += normal() * device.programming->sigma(level, device.level_max);
    }
    if (nonideal.stuck_on_rate > 0 || nonideal.stuck_off_rate > 0) {
      double u = normal.uniform();
      if (u < nonideal.stuck_on_rate)
        level = device.level_max;
      else if (u < nonideal.stuck_on_rate + nonideal.stuck_off_rate)
        level = device.level_min;
    }
    level = std::max(level, 0.0) * drift;
    if (nonideal.ir_drop && device.conductance_cells && device.wire_resistance_per_cell > 0) {
      const double segments = static_cast<double>(column + 1 + spec.rows - row);
      level = level / (1.0 + level * device.wire_resistance_per_cell * segments);
    }
    effective = static_cast<float>((level - device.level_min) / step);
    double sigma = nonideal.read_noise && device.read
                       ? device.read->sigma(level, device.level_max) / step
                       : 0.0;
    read_var = static_cast<float>(sigma * sigma);
  };

  slices_ = n_slices;
  digits_.resize(K, n_slices * sides() * N);
  read_var_.resize(K, n_slices * sides() * N);
  for (int s = 0; s < n_slices; ++s) {
    const int shift = s * spec.bits_per_cell;
    for (int side = 0; side < sides(); ++side) {
      const Eigen::Index block = (static_cast<Eigen::Index>(s) * sides() + side) * N;
      for (Eigen::Index n = 0; n < N; ++n) {
        for (Eigen::Index k = 0; k < K; ++k) {
          int w = w_int_(k, n);
          int stored = spec.differential      ? (side == 0 ? std::max(w, 0) : std::max(-w, 0))
                       : spec.twos_complement ? (w & ((1 << spec.weight_bits) - 1))
                                              : w + offset;
          // Physical position: the row within its array, and the column the slice occupies.
          const Eigen::Index column = ((n * n_slices + s) * sides() + side) % spec.columns;
          cell((stored >> shift) & (levels - 1), k % spec.rows, column, digits_(k, block + n),
               read_var_(k, block + n));
        }
      }
    }
  }
  weight_column_sums_ = w_int_.cast<double>().colwise().sum().transpose();
  const bool offset_weights = !spec.differential && !spec.twos_complement;
  if (offset_weights) weight_column_sums_.array() += static_cast<double>(offset) * K;

  // Fixed range: the largest sum the converter can be handed, the input's range (a plane's, or
  // the whole input's when planes add in analog) times the weight's (a cell's digit, or the
  // whole weight's when its columns add in analog: +-q when signed, 2^b_w - 1 for offset).
  const double input_max = spec.analog_inputs ? std::ldexp(1.0, spec.input_bits) - 1
                                              : std::ldexp(1.0, spec.dac_bits) - 1;
  const double weight_max = !spec.analog_weights ? levels - 1.0
                            : offset_weights     ? std::ldexp(1.0, spec.weight_bits) - 1
                                             : static_cast<double>(max_weight(spec.weight_bits));
  const double fixed_fs = static_cast<double>(spec.group_rows()) * input_max * weight_max;
  adc_full_scale_ = Eigen::RowVectorXf::Constant(N, static_cast<float>(fixed_fs));
  adc_offset_ = Eigen::RowVectorXf::Zero(N);
  const int codes = 1 << spec.adc_bits;
  adc_code_error_ = Eigen::VectorXf::Zero(codes);
  if (nonideal.adc_inl_lsb != 0 || nonideal.adc_dnl_sigma_lsb > 0) {
    for (int q = 0; q < codes; ++q) {
      adc_code_error_(q) =
          static_cast<float>(nonideal.adc_inl_lsb * std::sin(M_PI * q / (codes - 1)) +
                             nonideal.adc_dnl_sigma_lsb * normal());
    }
  }
  if (nonideal.adc_offset_sigma_lsb > 0) {
    for (Eigen::Index n = 0; n < N; ++n)
      adc_offset_(n) = static_cast<float>(normal() * nonideal.adc_offset_sigma_lsb);
  }
}

std::vector<std::pair<int, int>> ProgrammedMatrix::row_groups(Eigen::Index k) const {
  std::vector<std::pair<int, int>> out;
  const int kk = static_cast<int>(k), group = spec_.group_rows();
  for (int tile0 = 0; tile0 < kk; tile0 += spec_.rows) {
    const int tile_end = std::min(kk, tile0 + spec_.rows);
    for (int row0 = tile0; row0 < tile_end; row0 += group)
      out.emplace_back(row0, std::min(group, tile_end - row0));
  }
  return out;
}

Eigen::MatrixXf ProgrammedMatrix::planes(const Eigen::MatrixXi& x) const {
  const int bits = spec_.input_bits, dac = spec_.dac_bits;
  const int n_planes = (bits + dac - 1) / dac;
  const int offset = unsigned_inputs_ ? 0 : 1 << (bits - 1);
  const auto M = x.rows(), K = x.cols();
  Eigen::MatrixXf p(n_planes * M, K);
  for (Eigen::Index k = 0; k < K; ++k) {
    for (Eigen::Index m = 0; m < M; ++m) {
      const int u = x(m, k) + offset;
      if (u < 0 || u >= (1 << bits)) panic("crossbar input out of range");
      for (int pl = 0; pl < n_planes; ++pl)
        p(pl * M + m, k) = static_cast<float>((u >> (pl * dac)) & ((1 << dac) - 1));
    }
  }
  return p;
}

void ProgrammedMatrix::column_sums(const Eigen::MatrixXf& planes, int row0, int rows,
                                   std::uint64_t seed, Eigen::MatrixXf& sums,
                                   Eigen::MatrixXf& variance) const {
  sums.resize(planes.rows(), digits_.cols());
  sums.noalias() = planes.middleCols(row0, rows) * digits_.middleRows(row0, rows);
  if (nonideal_.read_noise) {
    // Independent Gaussian read noise per cell and read: the column's variance is the
    // plane-squared-weighted sum of the cells' variances.
    variance.resize(planes.rows(), read_var_.cols());
    variance.noalias() =
        planes.middleCols(row0, rows).cwiseAbs2() * read_var_.middleRows(row0, rows);
    Normal normal(seed);
    for (Eigen::Index j = 0; j < sums.cols(); ++j) {
      for (Eigen::Index i = 0; i < sums.rows(); ++i)
        sums(i, j) += static_cast<float>(normal() * std::sqrt(variance(i, j)));
    }
  }
}

void ProgrammedMatrix::adc(Eigen::MatrixXf& sums) const {
  const float top = static_cast<float>((1 << spec_.adc_bits) - 1);
  const Eigen::Index N = w_int_.cols();
  const bool nonlinear = nonideal_.adc_inl_lsb != 0 || nonideal_.adc_dnl_sigma_lsb > 0;
  // A bipolar converter reads two's-complement codes, -2^(b-1) .. 2^(b-1) - 1 steps, so zero is
  // a code and FS sits on the top one; a unipolar one reads 0 .. 2^b - 1 steps.
  const float zero_code = signed_conversion() ? std::ldexp(1.0f, spec_.adc_bits - 1) : 0.0f;
  const float steps_to_full_scale = std::max(1.0f, top - zero_code);
  for (Eigen::Index j = 0; j < sums.cols(); ++j) {
    const float step = std::max(1.0f, adc_full_scale_(j % N) / steps_to_full_scale);
    const float inv_step = 1.0f / step;
    const float offset = adc_offset_(j % N);  // in steps
    // Round to the nearest code (ties up) and clamp to the range; vectorized by Eigen.
    auto codes = ((sums.col(j).array() * inv_step + (zero_code + offset + 0.5f)).floor())
                     .cwiseMax(0.0f)
                     .cwiseMin(top);
    sums.col(j) = ((codes - zero_code) * step).matrix();
    if (nonlinear) {
      for (Eigen::Index i = 0; i < sums.rows(); ++i) {
        const auto code = static_cast<Eigen::Index>(sums(i, j) * inv_step + zero_code + 0.5f);
        sums(i, j) += adc_code_error_(code) * step;
      }
    }
  }
}

float ProgrammedMatrix::column_weight(int slice, int side) const {
  float w = std::ldexp(1.0f, slice * spec_.bits_per_cell);
  if (side == 1) w = -w;
  if (spec_.twos_complement && slice == slices_ - 1) w = -w;
  return w;
}

Eigen::MatrixXf ProgrammedMatrix::combine_before_adc(const Eigen::MatrixXf& sums,
                                                     Eigen::Index m) const {
  Eigen::MatrixXf out = sums;
  if (spec_.analog_inputs) {
    const Eigen::Index n_planes = out.rows() / std::max<Eigen::Index>(m, 1);
    Eigen::MatrixXf planes_sum = out.topRows(m);
    for (Eigen::Index pl = 1; pl < n_planes; ++pl) {
      planes_sum +=
          std::ldexp(1.0f, static_cast<int>(pl) * spec_.dac_bits) * out.middleRows(pl * m, m);
    }
    out = std::move(planes_sum);
  }
  if (spec_.analog_weights) {
    const Eigen::Index N = w_int_.cols();
    Eigen::MatrixXf weights_sum = Eigen::MatrixXf::Zero(out.rows(), N);
    for (int s = 0; s < slices_; ++s) {
      for (int side = 0; side < sides(); ++side) {
        const Eigen::Index block = (static_cast<Eigen::Index>(s) * sides() + side) * N;
        weights_sum += column_weight(s, side) * out.middleCols(block, N);
      }
    }
    out = std::move(weights_sum);
  }
  return out;
}

Eigen::MatrixXd ProgrammedMatrix::multiply_integer(const Eigen::MatrixXi& x,
                                                   std::uint64_t read_seed) const {
  if (x.cols() != w_int_.rows()) panic("multiply_integer: inner dimensions differ");
  const auto M = x.rows(), K = x.cols(), N = w_int_.cols();
  const Eigen::MatrixXf p = planes(x);
  const int n_planes = static_cast<int>(p.rows() / std::max<Eigen::Index>(M, 1));
  Eigen::MatrixXd acc = Eigen::MatrixXd::Zero(M, N);
  std::uint64_t call = read_seed * 0x9E3779B97F4A7C15ull + nonideal_.seed;
  Eigen::MatrixXf sums, variance;
  for (const auto& [row0, rows] : row_groups(K)) {
    column_sums(p, row0, rows, ++call, sums, variance);
    if (spec_.analog_inputs || spec_.analog_weights) sums = combine_before_adc(sums, M);
    adc(sums);
    // Shift-and-add over the planes left after the ADC in float (exact while the sums stay
    // below 2^24: 2^b_x x R x (L - 1) x 2^b_dac for arrays up to 4096 rows digitally; a
    // combination in analog is coarser than float's rounding anyway), then the column blocks
    // left into the double accumulator.
    const int planes_left = spec_.analog_inputs ? 1 : n_planes;
    Eigen::MatrixXf planes_sum = sums.topRows(M);
    for (int pl = 1; pl < planes_left; ++pl) {
      planes_sum += std::ldexp(1.0f, pl * spec_.dac_bits) * sums.middleRows(pl * M, M);
    }
    if (spec_.analog_weights) {
      acc += planes_sum.cast<double>();
      continue;
    }
    for (int s = 0; s < slices_; ++s) {
      for (int side = 0; side < sides(); ++side) {
        const Eigen::Index block = (static_cast<Eigen::Index>(s) * sides() + side) * N;
        acc += static_cast<double>(column_weight(s, side)) *
               planes_sum.middleCols(block, N).cast<double>();
      }
    }
  }
  // Undo the input offset (and the weight offset) with their exactly known digital corrections.
  const double cx = unsigned_inputs_ ? 0.0 : std::ldexp(1.0, spec_.input_bits - 1);
  acc.rowwise() -= cx * weight_column_sums_.transpose();
  if (!spec_.differential && !spec_.twos_complement) {
    const double cw = std::ldexp(1.0, spec_.weight_bits - 1);
    acc.colwise() -= cw * x.cast<double>().rowwise().sum();
  }
  return acc;
}

float ProgrammedMatrix::quantize_inputs(const Eigen::MatrixXf& x, Eigen::MatrixXi& x_int) const {
  const int q = unsigned_inputs_ ? (1 << spec_.input_bits) - 1 : max_weight(spec_.input_bits);
  const int lowest = unsigned_inputs_ ? 0 : -q;
  float scale = x.size() ? x.cwiseAbs().maxCoeff() / q : 1.0f;
  if (scale == 0.0f) scale = 1.0f;
  x_int = (x / scale).array().round().cwiseMax(lowest).cwiseMin(q).cast<int>();
  return scale;
}

Eigen::MatrixXf ProgrammedMatrix::multiply(const Eigen::MatrixXf& x,
                                           std::uint64_t read_seed) const {
  Eigen::MatrixXi x_int;
  const float sx = quantize_inputs(x, x_int);
  Eigen::MatrixXf y = multiply_integer(x_int, read_seed).cast<float>();
  return (y * sx) * w_scale_.asDiagonal();
}

void ProgrammedMatrix::calibrate(const Eigen::MatrixXf& sample) {
  if (spec_.adc_range == XbarSpec::AdcRange::fixed) return;
  Eigen::MatrixXi x_int;
  quantize_inputs(sample, x_int);
  const Eigen::MatrixXf p = planes(x_int);
  const auto K = w_int_.rows();
  Eigen::RowVectorXf peak = Eigen::RowVectorXf::Ones(w_int_.cols());
  const Eigen::Index N = w_int_.cols();
  Eigen::MatrixXf seen;  // reused by every row group
  for (const auto& [row0, rows] : row_groups(K)) {
    // The converter sees the sums after any analog combination; a bipolar one, their size.
    seen.resize(p.rows(), digits_.cols());
    seen.noalias() = p.middleCols(row0, rows) * digits_.middleRows(row0, rows);
    if (spec_.analog_inputs || spec_.analog_weights) seen = combine_before_adc(seen, x_int.rows());
    Eigen::RowVectorXf block_peak = signed_conversion()
                                        ? Eigen::RowVectorXf(seen.cwiseAbs().colwise().maxCoeff())
                                        : Eigen::RowVectorXf(seen.colwise().maxCoeff());
    for (Eigen::Index b = 0; b < block_peak.size(); b += N)
      peak = peak.cwiseMax(block_peak.segment(b, N));
  }
  if (spec_.adc_range == XbarSpec::AdcRange::calibrated) peak.setConstant(peak.maxCoeff());
  adc_full_scale_ = peak;
}

double adc_quantization_snr_db(const Eigen::VectorXf& samples, double full_scale, int bits) {
  const double top = std::ldexp(1.0, bits) - 1.0;
  const double step = full_scale / top;
  double mean = samples.cast<double>().mean();
  double signal = 0, noise = 0;
  for (Eigen::Index i = 0; i < samples.size(); ++i) {
    double y = samples(i);
    double q = std::clamp(std::nearbyint(y / step), 0.0, top) * step;
    signal += (y - mean) * (y - mean);
    noise += (q - y) * (q - y);
  }
  return 10.0 * std::log10(signal / noise);
}

}  // namespace cimsim
