// The C++ forward pass against PyTorch's, on the shipped character-level GPT
// (tests/data/chargpt, trained by tools/chargpt/train.py).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "models/arch/arch_spec.hpp"
#include "models/workload/gpt2.hpp"
#include "models/workload/safetensors.hpp"
#include "models/xbar/accuracy.hpp"

using namespace cimsim;

namespace {
const std::string kData = std::string(CIMSIM_SOURCE_DIR) + "/tests/data/chargpt/";
}

TEST_CASE("float forward pass matches PyTorch's logits to 1e-4", "[gpt2]") {
  Gpt2Weights w = load_gpt2(kData + "model.safetensors");
  SafeTensors ref = SafeTensors::load(kData + "reference_logits.safetensors");
  FloatBackend fp32(w);
  for (int i = 0; i < 3; ++i) {
    std::vector<std::int32_t> t = ref.ints("tokens_" + std::to_string(i));
    std::vector<int> tokens(t.begin(), t.end());
    Eigen::MatrixXf expected = ref.matrix("logits_" + std::to_string(i),
                                          static_cast<std::int64_t>(tokens.size()), w.vocab);
    Eigen::MatrixXf got = gpt2_forward(w, tokens, fp32);
    INFO("window " << i);
    CHECK((got - expected).cwiseAbs().maxCoeff() <= 1e-4f);
  }
}

TEST_CASE("the crossbar forward pass is deterministic for a seed", "[gpt2][xbar]") {
  Gpt2Weights w = load_gpt2(kData + "model.safetensors");
  ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  Nonidealities noisy;
  noisy.programming_variation = true;
  noisy.read_noise = true;
  noisy.seed = 7;
  std::vector<int> tokens = w.encode("The quick brown fox jumps over the lazy dog.");
  auto a = make_crossbar_backend(w, XbarSpec::from_arch(arch), DeviceSpec::from_arch(arch), noisy);
  auto b = make_crossbar_backend(w, XbarSpec::from_arch(arch), DeviceSpec::from_arch(arch), noisy);
  CHECK(gpt2_forward(w, tokens, *a) == gpt2_forward(w, tokens, *b));
}

TEST_CASE("end to end: a calibrated 8-bit ADC keeps the crossbar at INT8 accuracy",
          "[gpt2][xbar]") {
  Gpt2Weights w = load_gpt2(kData + "model.safetensors");
  std::ifstream in(kData + "eval.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto windows = evaluation_windows(w, text, 2);
  std::vector<Eigen::MatrixXf> reference;
  FloatBackend fp32(w);
  AccuracyResult f = evaluate_accuracy("float", w, windows, fp32, {}, &reference);
  auto int8 = make_int8_backend(w);
  AccuracyResult q = evaluate_accuracy("int8", w, windows, *int8, reference);
  ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  XbarSpec spec = XbarSpec::from_arch(arch);
  spec.adc_range = XbarSpec::AdcRange::calibrated;
  std::vector<int> calibration(windows[0].begin(), windows[0].end() - 1);
  auto xbar =
      make_crossbar_backend(w, spec, DeviceSpec::from_arch(arch), Nonidealities{}, calibration);
  AccuracyResult c = evaluate_accuracy("cim", w, windows, *xbar, reference);
  CHECK(f.top1_agreement == 1.0);
  CHECK(q.top1_agreement > 0.95);
  CHECK(c.top1_agreement > 0.95);
  CHECK(c.perplexity == Approx(q.perplexity).epsilon(0.01));
  CHECK(c.mean_snr_db > 35.0);
  // The fixed full-scale range (256 rows x 3 levels on 255 codes) rounds away most of the signal.
  spec.adc_range = XbarSpec::AdcRange::fixed;
  auto coarse = make_crossbar_backend(w, spec, DeviceSpec::from_arch(arch), Nonidealities{});
  CHECK(evaluate_accuracy("cim fixed", w, windows, *coarse, reference).mean_snr_db < 10.0);
}

TEST_CASE("activations that overflow FP32 are a user error naming the matrix", "[gpt2]") {
  Gpt2Weights w = load_gpt2(kData + "model.safetensors");
  w.blocks[0].fc_proj_w.setConstant(3e38f);  // finite, but the sums over 4d rows are not
  FloatBackend fp32(w);
  REQUIRE_THROWS_WITH(
      gpt2_forward(w, w.encode("The quick brown fox"), fp32),
      Catch::Contains("model.safetensors: error: the activations leaving 'h.0.mlp.c_proj' "
                      "overflow the FP32 range"));
}

TEST_CASE("an all-zero weight matrix reads as exact, not as 0/0", "[gpt2]") {
  Gpt2Weights w = load_gpt2(kData + "model.safetensors");
  w.blocks[0].fc_w.setZero();
  std::ifstream in(kData + "eval.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto windows = evaluation_windows(w, text, 1);
  std::vector<Eigen::MatrixXf> reference;
  FloatBackend fp32(w);
  evaluate_accuracy("float", w, windows, fp32, {}, &reference);
  auto int8 = make_int8_backend(w);
  AccuracyResult q = evaluate_accuracy("int8", w, windows, *int8, reference);
  REQUIRE(q.layers[2].name == "h.0.mlp.c_fc");
  CHECK(q.layers[2].relative_error == 0.0);
  CHECK(q.layers[2].snr_db == std::numeric_limits<double>::infinity());
  CHECK(std::isfinite(q.layers[3].snr_db));  // the next matrix still sees a signal
}

TEST_CASE("a model's metadata is read whole and in range", "[gpt2]") {
  // Metadata only (no tensors): the sizes are checked before any tensor is read.
  auto model = [](const std::string& name, const std::string& key, const std::string& value) {
    std::map<std::string, std::string> meta = {
        {"n_layer", "1"}, {"n_head", "2"}, {"n_embd", "8"}, {"n_ctx", "16"}};
    meta[key] = value;
    nlohmann::json j;
    j["__metadata__"] = meta;
    const std::string header = j.dump();
    auto path = (std::filesystem::temp_directory_path() / name).string();
    std::ofstream out(path, std::ios::binary);
    const std::uint64_t len = header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
    out << header;
    return path;
  };
  // std::stoi took "1abc" as 1 and "16.9" as 16; -3 layers crashed, 0 dimensions too.
  REQUIRE_THROWS_WITH(load_gpt2(model("cimsim_l.safetensors", "n_layer", "1abc")),
                      Catch::Contains("metadata 'n_layer' is '1abc', expected a whole number "
                                      "from 1 to 1024"));
  REQUIRE_THROWS_WITH(load_gpt2(model("cimsim_l.safetensors", "n_layer", "-3")),
                      Catch::Contains("metadata 'n_layer' is '-3'"));
  REQUIRE_THROWS_WITH(load_gpt2(model("cimsim_d.safetensors", "n_embd", "0")),
                      Catch::Contains("metadata 'n_embd' is '0'"));
  REQUIRE_THROWS_WITH(load_gpt2(model("cimsim_c.safetensors", "n_ctx", "16.9")),
                      Catch::Contains("metadata 'n_ctx' is '16.9'"));
  // A context whose T x T attention scores no run can hold.
  REQUIRE_THROWS_WITH(load_gpt2(model("cimsim_c.safetensors", "n_ctx", "200000")),
                      Catch::Contains("from 1 to 32768"));
  // std::stof stopped at "abc" with an internal error and took "inf".
  REQUIRE_THROWS_WITH(load_gpt2(model("cimsim_e.safetensors", "layer_norm_epsilon", "abc")),
                      Catch::Contains("metadata 'layer_norm_epsilon' is 'abc', expected a number "
                                      "above 0 and at most 1"));
  REQUIRE_THROWS_WITH(load_gpt2(model("cimsim_e.safetensors", "layer_norm_epsilon", "inf")),
                      Catch::Contains("metadata 'layer_norm_epsilon' is 'inf'"));
}
