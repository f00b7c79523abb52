#include "models/core/output_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "models/core/error.hpp"

namespace cimsim {
namespace {

// The same file under two spellings (a relative and an absolute path, a link).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  const bool same = std::filesystem::equivalent(a, b, ec);
  return !ec && same;
}

// A path's absolute form with links and '..' resolved as far as it exists, so that two
// spellings of a file not yet written compare equal.
std::filesystem::path resolved(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return ec ? std::filesystem::path(path).lexically_normal() : p;
}

}  // namespace

bool is_stream_path(const std::string& path) {
  // A file descriptor by name (what the shell points it at is the user's business), or a
  // device, pipe or socket. Not any path under /dev/: /dev/shm/x or /dev/../home/u/f are files.
  if (path == "/dev/stdout" || path == "/dev/stderr" || path.rfind("/dev/fd/", 0) == 0 ||
      path.rfind("/proc/self/fd/", 0) == 0)
    return true;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return false;
  return !std::filesystem::is_regular_file(status) && !std::filesystem::is_directory(status);
}

std::ios::openmode output_open_mode(const std::string& path) {
  return is_stream_path(path) ? std::ios::out | std::ios::app : std::ios::out | std::ios::trunc;
}

void write_output_file(const std::string& path, const std::string& text) {
  // Standard output or error by name goes through the program's own stream, in order with what
  // it prints: a second open of the same file would write at its own offset (with `> file`,
  // the table printed afterwards overwrote the CSV).
  if (path == "/dev/stdout" || path == "/dev/fd/1" || path == "/proc/self/fd/1" ||
      path == "/dev/stderr" || path == "/dev/fd/2" || path == "/proc/self/fd/2") {
    std::ostream& out = path.back() == '1' || path == "/dev/stdout" ? std::cout : std::cerr;
    out << text << std::flush;
    if (!out) throw UserError(fmt::format("{}: error: writing the file failed", path));
    return;
  }
  if (is_stream_path(path)) std::cout.flush();
  const std::filesystem::path p(path);
  if (p.has_parent_path() && !is_stream_path(path)) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      throw UserError(fmt::format("{}: error: cannot make its folder ({})", path, ec.message()));
    }
  }
  std::ofstream out(path, output_open_mode(path));
  if (!out) throw UserError(fmt::format("{}: error: cannot write file", path));
  out << text;
  out.flush();  // a full disk fails here, not at the open
  if (!out) throw UserError(fmt::format("{}: error: writing the file failed (disk full?)", path));
}

void check_output_paths(const std::vector<OutputPath>& outputs,
                        const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputPath& out = outputs[i];
    if (out.path.empty()) continue;  // not asked for
    // A stream or device the user names (/dev/stdout, /dev/fd/3) is written to, not replaced,
    // even when the shell has pointed it at a file.
    if (is_stream_path(out.path)) continue;
    // "out/", "out/." and "out/.." name folders, whether or not they exist yet (the write would
    // fail after the run).
    const std::string last = std::filesystem::path(out.path).filename().string();
    if (out.path.back() == '/' || last == "." || last == "..") {
      throw UserError(
          fmt::format("{}: error: {} names a folder; expected a file path", out.path, out.option));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (outputs[j].path.empty()) continue;
      if (resolved(outputs[j].path) == resolved(out.path) || same_file(outputs[j].path, out.path)) {
        throw UserError(fmt::format("{}: error: {} names the same file as {}; choose another path",
                                    out.path, out.option, outputs[j].option));
      }
    }
    std::error_code ec;
    // The folder must be one (or not exist yet: it is made), or the write fails after the run.
    for (fs::path parent = fs::path(out.path).parent_path(); !parent.empty();
         parent = parent.parent_path()) {
      if (fs::exists(parent, ec)) {
        if (!fs::is_directory(parent, ec)) {
          throw UserError(fmt::format("{}: error: {} needs a folder '{}', which is a file",
                                      out.path, out.option, parent.string()));
        }
        break;
      }
      if (parent == parent.parent_path()) break;
    }
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
    // A terminal, pipe or /dev/null is written to, not replaced: nothing there to lose.
    if (!fs::is_regular_file(out.path, ec)) continue;
    std::ifstream in(out.path, std::ios::binary);
    if (!in) {
      throw UserError(fmt::format(
          "{}: error: {} names a file cimsim cannot read, so it cannot tell whether it wrote it; "
          "remove it or choose another path",
          out.path, out.option));
    }
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
