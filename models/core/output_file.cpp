#include "models/core/output_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "models/core/error.hpp"

namespace cimsim {
namespace {

// The same file under two spellings (a relative and an absolute path, a link).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  const bool same = std::filesystem::equivalent(a, b, ec);
  return !ec && same;
}

}  // namespace

void check_output_paths(const std::vector<OutputPath>& outputs,
                        const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputPath& out = outputs[i];
    if (out.path.empty()) continue;  // not asked for
    for (std::size_t j = 0; j < i; ++j) {
      if (outputs[j].path.empty()) continue;
      if (fs::path(outputs[j].path).lexically_normal() == fs::path(out.path).lexically_normal() ||
          same_file(outputs[j].path, out.path)) {
        throw UserError(fmt::format("{}: error: {} names the same file as {}; choose another path",
                                    out.path, out.option, outputs[j].option));
      }
    }
    std::error_code ec;
    if (!fs::exists(out.path, ec)) continue;
    for (const std::string& input : inputs) {
      if (!input.empty() && same_file(input, out.path)) {
        throw UserError(
            fmt::format("{}: error: {} names a file this command reads; choose another path",
                        out.path, out.option));
      }
    }
    if (fs::is_directory(out.path, ec)) {
      throw UserError(
          fmt::format("{}: error: {} names a folder; expected a file path", out.path, out.option));
    }
    std::ifstream in(out.path, std::ios::binary);
    std::string head(out.kind.signature.size(), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (head.empty() || head == out.kind.signature) continue;  // empty, or cimsim's own
    throw UserError(fmt::format(
        "{}: error: {} would overwrite a file that is not a {} (cimsim replaces only its own "
        "results); remove it or choose another path",
        out.path, out.option, out.kind.name));
  }
}

}  // namespace cimsim
