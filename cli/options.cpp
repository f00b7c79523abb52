#include "cli/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "models/core/config.hpp"
#include "models/core/error.hpp"

namespace cimsim {

namespace {

// `text` as a whole plain decimal number (an optional leading '+'; from_chars takes no other
// form, so "010" is ten and "0x10" is refused).
template <class T>
bool read_plain_number(const std::string& text, T& value) {
  const std::size_t sign = !text.empty() && text.front() == '+' ? 1 : 0;
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data() + sign, end, value);
  return text.size() > sign && ec == std::errc() && stop == end;
}

}  // namespace

// Both validators hand CLI11 the value rewritten in plain decimal: CLI11 itself reads "010" as
// octal and "0x10" as hex, so a number checked one way would be stored another.
CLI::Validator finite_range(double lo, double hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        double v = 0;
        if (!read_plain_number(text, v) || !std::isfinite(v) || v < lo || v > hi)
          return fmt::format("'{}' is not a number from {:g} to {:g}", text, lo, hi);
        text = fmt::format("{:.17g}", v);
        return "";
      },
      fmt::format("FLOAT in [{:g}, {:g}]", lo, hi));
}

CLI::Validator integer_range(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        std::uint64_t v = 0;
        if (!read_plain_number(text, v) || v < lo || v > hi)
          return fmt::format("'{}' is not an integer from {} to {}", text, lo, hi);
        text = std::to_string(v);
        return "";
      },
      fmt::format("INT in [{}, {}]", lo, hi));
}

CLI::Validator non_empty_path() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return is_blank(text) ? "an empty path or name" : "";
      },
      "");
}

void WorkloadOptions::add_to(CLI::App* cmd) {
  cmd->add_option("--workload,-w", workload, "built-in workload name or a workload YAML file")
      ->check(non_empty_path())
      ->required();
  cmd->add_option("--phase", request.phase, "prefill (whole sequence) or decode (one token)")
      ->check(CLI::IsMember({"prefill", "decode"}));
  seq_option =
      cmd->add_option("--seq", request.seq,
                      "tokens per sequence (prefill; default 128, or the image's tokens for ViT)")
          ->transform(integer_range(1, 1 << 20));
  cmd->add_option("--batch", request.batch, "sequences per batch")
      ->transform(integer_range(1, 1 << 16));
  context_option =
      cmd->add_option("--context", request.context, "tokens already in the KV cache (decode)")
          ->transform(integer_range(0, 1 << 22));
  cmd->add_option("--gpu", gpu,
                  "GPU baseline: a card in configs/gpu (A100-SXM4-80GB, H100-SXM5-80GB, "
                  "H200-SXM-141GB) or a "
                  "YAML file")
      ->check(non_empty_path());
  cmd->add_option("--gpu-precision", gpu_precision,
                  "GPU precision (default: int8 when the CIM chip is 8-bit, else fp16)")
      ->check(CLI::IsMember({"fp16", "int8"}));
  cmd->add_flag("--gpu-unfused", gpu_unfused,
                "run every GPU op as its own kernel (eager frameworks)");
}

RunRequest WorkloadOptions::run_request(const std::string& arch_file) const {
  return RunRequest{arch_file, workload, request, gpu, gpu_precision, !gpu_unfused};
}

void WorkloadOptions::check() const {
  const bool context_given = context_option->count() > 0;
  if (request.phase == "decode" && request.context == 0) {
    throw UserError(
        context_given
            ? "error: --context 0: decode needs at least one token already in the KV cache "
              "(expected an integer >= 1)"
            : "error: --phase decode needs --context N (tokens already in the KV cache)");
  }
  if (request.phase == "prefill" && context_given) {
    throw UserError("error: --context applies only with --phase decode (prefill has no KV cache)");
  }
  if (request.phase == "decode" && seq_option->count() > 0) {
    throw UserError(
        "error: --seq applies only to prefill; decode generates one token per sequence after "
        "--context tokens");
  }
}

std::vector<CLI::Option*> add_accuracy_options(CLI::App* cmd, AccuracyRequest& acc) {
  std::vector<CLI::Option*> added;
  added.push_back(
      cmd->add_option("--model", acc.model,
                      "GPT-2-style safetensors model (default: the shipped character-level GPT)")
          ->check(non_empty_path()));
  added.push_back(
      cmd->add_option("--data", acc.data, "evaluation text (default: the shipped evaluation text)")
          ->check(non_empty_path()));
  added.push_back(cmd->add_option("--windows", acc.windows, "context windows to evaluate")
                      ->transform(integer_range(1, 100000)));
  added.push_back(cmd->add_option("--seed", acc.seed, "seed of every device-noise draw")
                      ->transform(integer_range(0, UINT64_MAX)));
  added.push_back(cmd->add_option("--adc-range", acc.adc_range,
                                  "ADC range: fixed (full scale of the array), calibrated "
                                  "(largest sum on one window of "
                                  "float activations, per array), per_column")
                      ->check(CLI::IsMember({"fixed", "calibrated", "per_column"})));
  added.push_back(cmd->add_option("--stuck-on", acc.stuck_on_rate,
                                  "fraction of cells stuck at the highest level")
                      ->transform(finite_range(0.0, 1.0)));
  added.push_back(cmd->add_option("--stuck-off", acc.stuck_off_rate,
                                  "fraction of cells stuck at the lowest level")
                      ->transform(finite_range(0.0, 1.0)));
  added.push_back(
      cmd->add_flag("--ir-drop", acc.ir_drop, "first-order IR drop along word and bit lines"));
  added.push_back(cmd->add_option("--adc-offset", acc.adc_offset_sigma_lsb,
                                  "ADC offset sigma per column, in steps")
                      ->transform(finite_range(0.0, 100.0)));
  added.push_back(cmd->add_option("--adc-inl", acc.adc_inl_lsb,
                                  "ADC integral nonlinearity (bow amplitude), in steps")
                      ->transform(finite_range(-100.0, 100.0)));
  added.push_back(cmd->add_option("--adc-dnl", acc.adc_dnl_sigma_lsb,
                                  "ADC differential nonlinearity sigma, in steps")
                      ->transform(finite_range(0.0, 100.0)));
  added.push_back(
      cmd->add_option("--drift-time", acc.drift_time_s, "seconds since programming, for drift")
          ->transform(finite_range(0.0, 1e12)));
  return added;
}

}  // namespace cimsim
