// Functional crossbar model: what a CIM array computes, number for number.
//
// A weight matrix is quantized to b_w-bit signed integers (one scale per tensor or per output
// channel), encoded as a differential pair of magnitudes or as an offset unsigned value, and
// sliced into ceil(b_w / b_c) digits of b_c bits per cell. A digit d sets a cell level
// level_min + d (level_max - level_min) / (L - 1), L = 2^b_c, then programming variation,
// stuck-at faults and drift perturb it. Inputs are quantized to b_x-bit signed integers, offset
// to unsigned (u = x + 2^(b_x - 1)) and applied as bit planes (bit-serial) or b_dac-bit planes.
// Each array of R rows sums plane x digit over its rows in the analog domain (plus read noise),
// and each column's sum is digitized by a b_adc-bit ADC with step max(1, FS / (2^b_adc - 1)),
// clamped to its range: FS = R (2^b_dac - 1)(L - 1) (fixed), the largest sum seen on calibration
// data (calibrated), or per column. Shift-and-add combines planes and slices, row tiles add
// digitally, and the offsets' known corrections are subtracted exactly.
// Analog accumulation moves a combination in front of the ADC: with analog inputs (pulse counts,
// or bit-planes weighted 2^(p b_dac) on the column) the planes add before conversion, and the
// input range in FS becomes 2^b_x - 1; with analog weights (charge sharing, C-2C ladders, shift
// amplifiers) a weight's slice and sign columns add with weights +-2^(s b_c) (the negative side
// and a two's-complement MSB slice subtract), so FS uses the weight's range: q = 2^(b_w-1) - 1
// either side of zero when signed (a bipolar converter: two's-complement codes of step
// FS / (2^(b_adc-1) - 1), zero among them), 2^b_w - 1 for offset weights. One ADC step then covers
// more of the signal, which is the accuracy cost of converting once. IR drop (first order): a cell
// of conductance G at row r and physical column c sees the wire resistance of its path from the
// driver and to the column's sense node in series, G_eff = G / (1 + G R_w (c + 1 + R - r)), R_w one
// cell pitch of wire; it ignores the current other cells share on the lines, so it bounds the drop
// from below. ADC nonlinearity: code q reads as q + INL sin(pi q / q_max) + DNL_q (a bow plus a
// seeded random table per matrix). Every product is a whole-tile Eigen matrix product (all planes
// stacked), never a per-cell loop. Noise draws come from seeded generators; same seed, same
// numbers.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "models/xbar/device_noise.hpp"

namespace cimsim {

struct ArchSpec;

struct XbarSpec {
  int rows = 256;       // physical rows of an array (row tiles, IR-drop wire lengths)
  int active_rows = 0;  // rows converted together (crossbar.active_rows); 0: all rows
  int columns = 256;
  int input_bits = 8;
  int weight_bits = 8;
  int bits_per_cell = 1;
  int dac_bits = 1;  // 1: bit-serial; b_x for pulse counts (one plane of u pulses)
  bool differential = true;
  bool twos_complement = false;  // one column per bit, the MSB column subtracted (analog only)
  bool analog_inputs = false;    // input planes combined on the column before the ADC
  bool analog_weights = false;   // a weight's columns combined before the ADC
  int adc_bits = 8;
  enum class AdcRange { fixed, calibrated, per_column } adc_range = AdcRange::fixed;
  // chiplet.dynamic_matmuls: arrays: attention's QK^T and AV run through arrays too, their keys
  // and values programmed anew each pass (models/xbar/accuracy.hpp).
  bool activation_matmuls_in_arrays = false;

  static XbarSpec from_arch(const ArchSpec& arch);
  int group_rows() const { return active_rows > 0 ? active_rows : rows; }
};

struct DeviceSpec {
  double level_min = 0.0;
  double level_max = 1.0;
  std::shared_ptr<const DeviceNoise> programming;
  std::shared_ptr<const DeviceNoise> read;
  double drift_nu = 0.0;
  double drift_t0_s = 20.0;
  // Wire resistance of one cell pitch of word or bit line (0: none). Only conductance cells
  // (resistive physics) see IR drop here.
  double wire_resistance_per_cell = 0.0;
  bool conductance_cells = false;

  static DeviceSpec from_arch(const ArchSpec& arch);
};

struct Nonidealities {
  bool programming_variation = false;
  bool read_noise = false;
  double stuck_on_rate = 0.0;
  double stuck_off_rate = 0.0;
  double time_s = 0.0;                // drift time after programming; 0: none
  double adc_offset_sigma_lsb = 0.0;  // fixed offset per column, in ADC steps
  double adc_inl_lsb = 0.0;           // bow-shaped integral nonlinearity amplitude, in steps
  double adc_dnl_sigma_lsb = 0.0;     // random per-code differential nonlinearity, in steps
  bool ir_drop = false;               // first-order IR drop along word and bit lines
  std::uint64_t seed = 1;
};

class ProgrammedMatrix {
 public:
  // Quantizes and programs a K x N real weight matrix.
  ProgrammedMatrix(const Eigen::MatrixXf& weights, const XbarSpec& spec, const DeviceSpec& device,
                   const Nonidealities& nonideal, bool per_channel_scale);
  // Programs integer weights directly (each within +-(2^(b_w - 1) - 1)).
  ProgrammedMatrix(const Eigen::MatrixXi& weights_int, const XbarSpec& spec,
                   const DeviceSpec& device, const Nonidealities& nonideal);

  // Signed integer inputs (M x K, each within [-2^(b_x-1), 2^(b_x-1) - 1]) times the integer
  // weights as the crossbar computes it. `read_seed` seeds this call's read noise.
  Eigen::MatrixXd multiply_integer(const Eigen::MatrixXi& x, std::uint64_t read_seed = 0) const;
  // Real inputs: quantized per tensor (dynamic scale), multiplied, rescaled.
  Eigen::MatrixXf multiply(const Eigen::MatrixXf& x, std::uint64_t read_seed = 0) const;
  // Sets calibrated ADC ranges from sample inputs (fixed range needs none).
  void calibrate(const Eigen::MatrixXf& sample);
  // The largest calibrated range over the columns, and setting every column to one range (in
  // column-sum units, independent of the data's scales): how a range calibrated on one operand
  // carries over to the next operand programmed into the same arrays.
  float adc_full_scale_peak() const { return adc_full_scale_.maxCoeff(); }
  void set_adc_full_scale(float full_scale) { adc_full_scale_.setConstant(full_scale); }
  // Inputs known to be non-negative (softmax probabilities) are quantized to b_x-bit unsigned
  // integers, 0 .. 2^b_x - 1, and drive the rows as they are, with no offset to correct: the
  // offset encoding would spend its top bit plane on a constant 1.
  void set_unsigned_inputs(bool on) { unsigned_inputs_ = on; }

  const Eigen::MatrixXi& weights_int() const { return w_int_; }
  const Eigen::VectorXf& weight_scale() const { return w_scale_; }  // per column
  int slices() const { return slices_; }
  // The effective digit cell (k, n) of `slice` holds as the column sees it (side 1: negative).
  float cell_digit(Eigen::Index k, Eigen::Index n, int slice, int side = 0) const {
    return digits_(k, (static_cast<Eigen::Index>(slice) * sides() + side) * w_int_.cols() + n);
  }
  // The row segments converted together for a K-row matrix: row tiles of `rows`, each cut into
  // groups of `active_rows` (the mapper's tiling), as (first row, rows) pairs.
  std::vector<std::pair<int, int>> row_groups(Eigen::Index k) const;
  // Quantizes real inputs as multiply() does; returns the scale.
  float quantize_inputs(const Eigen::MatrixXf& x, Eigen::MatrixXi& x_int) const;

 private:
  void program(const XbarSpec& spec, const DeviceSpec& device, const Nonidealities& nonideal);
  Eigen::MatrixXf planes(const Eigen::MatrixXi& x) const;  // (P*M) x K unsigned planes
  // Analog column sums of one row tile for stacked planes, with read noise when enabled, into
  // `sums` (`variance` is scratch). Both keep their storage from one row group to the next: a
  // fresh matrix per group cost more in page faults than the products themselves.
  void column_sums(const Eigen::MatrixXf& planes, int row0, int rows, std::uint64_t seed,
                   Eigen::MatrixXf& sums, Eigen::MatrixXf& variance) const;
  int sides() const { return spec_.differential ? 2 : 1; }
  void adc(Eigen::MatrixXf& sums) const;
  // The analog combinations in front of the ADC (planes, then a weight's columns), if any.
  Eigen::MatrixXf combine_before_adc(const Eigen::MatrixXf& sums, Eigen::Index m) const;
  // Weight of column block (slice, side) when a weight's columns are combined.
  float column_weight(int slice, int side) const;
  bool signed_conversion() const {
    return spec_.analog_weights && (spec_.differential || spec_.twos_complement);
  }

  XbarSpec spec_;
  Nonidealities nonideal_;
  bool unsigned_inputs_ = false;
  Eigen::MatrixXi w_int_;
  Eigen::VectorXf w_scale_;
  int slices_ = 0;
  // Effective digits (level - level_min) / level step of every cell, K x (slices x sides x N):
  // column block (slice s, side) holds one slice of the positive (or negative) magnitudes, so
  // one matrix product per row tile serves every slice and side.
  Eigen::MatrixXf digits_;
  Eigen::MatrixXf read_var_;            // read-noise variance of each cell, in digit^2
  Eigen::VectorXd weight_column_sums_;  // sum over k of the stored (unsigned or signed) weight
  Eigen::RowVectorXf adc_full_scale_;   // per column (all equal unless per_column); a bipolar
                                        // converter spans [-FS, FS]
  Eigen::RowVectorXf adc_offset_;       // per column, in ADC steps
  Eigen::VectorXf adc_code_error_;      // per code: INL + DNL, in ADC steps
};

// Quantization SNR of the b-bit ADC step used above on `samples` spread over [0, full_scale]:
// 10 log10(var(y) / var(q(y) - y)). Theory for uniform y: 20 log10(2^b - 1).
double adc_quantization_snr_db(const Eigen::VectorXf& samples, double full_scale, int bits);

}  // namespace cimsim
