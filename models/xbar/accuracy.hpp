// Accuracy of a real transformer run through the modelled arithmetic, against float.
//
// The same GPT-2 forward pass (models/workload/gpt2.hpp) runs with each matmul backend: FP16
// (the GPU baseline: operands and results rounded to IEEE half, FP32 accumulation as tensor
// cores do), ideal digital INT8 (per-tensor dynamic activation scale, per-channel weight scale,
// exact integer sums), and the CIM chip (every weight matmul through ProgrammedMatrix with the
// architecture's crossbar, ADC and device; attention's activation-by-activation matmuls in INT8
// on the digital vector unit, or, with chiplet.dynamic_matmuls: arrays, through ProgrammedMatrix
// too: each pass programs every head's keys (QK^T) and values (AV) with one scale per operand and
// a fresh draw of programming variation, no drift, and a calibrated ADC range per (layer, head,
// matmul) slot from the calibration text). Metrics over next-character prediction on evaluation
// text: perplexity (exp of the mean negative log-likelihood), top-1 agreement with the float
// model's prediction, and per weight matrix the SNR 10 log10(|y_float|^2 / |y - y_float|^2), where
// y_float is the float product of the same input, so each layer's own error is isolated.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/workload/gpt2.hpp"
#include "models/xbar/crossbar.hpp"

namespace cimsim {

struct LayerAccuracy {
  std::string name;
  double snr_db = 0;
  double relative_error = 0;  // |y - y_float| / |y_float|
};

struct AccuracyResult {
  std::string name;
  double perplexity = 0;
  double top1_agreement = 0;  // fraction of positions where argmax equals float's
  double mean_snr_db = 0;     // over weight matrices
  std::vector<LayerAccuracy> layers;
};

std::unique_ptr<MatmulBackend> make_fp16_backend(const Gpt2Weights& w);
std::unique_ptr<MatmulBackend> make_int8_backend(const Gpt2Weights& w);
// With a calibrated or per-column ADC range, each array's range is set from the float model's
// activations on `calibration` (a token window) before use.
std::unique_ptr<MatmulBackend> make_crossbar_backend(const Gpt2Weights& w, const XbarSpec& spec,
                                                     const DeviceSpec& device,
                                                     const Nonidealities& nonideal,
                                                     const std::vector<int>& calibration = {});

// Consecutive n_ctx-token windows from the start of `text` (at most `windows` of them).
std::vector<std::vector<int>> evaluation_windows(const Gpt2Weights& w, const std::string& text,
                                                 int windows, const std::string& source = "");

// Runs `backend` over the windows; `reference` holds the float logits of each window (for
// top-1 agreement), empty to compute the float case itself.
AccuracyResult evaluate_accuracy(const std::string& name, const Gpt2Weights& w,
                                 const std::vector<std::vector<int>>& windows,
                                 MatmulBackend& backend,
                                 const std::vector<Eigen::MatrixXf>& reference,
                                 std::vector<Eigen::MatrixXf>* logits_out = nullptr);

}  // namespace cimsim
