#include "models/core/error.hpp"

#include <fmt/format.h>

namespace cimsim {

std::string SourceLocation::str() const {
  if (file.empty()) return "";
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

void config_error(const SourceLocation& where, const std::string& key_path,
                  const std::string& what) {
  std::string prefix = where.str();
  if (!prefix.empty()) prefix += ": ";
  if (key_path.empty()) throw UserError(fmt::format("{}error: {}", prefix, what));
  throw UserError(fmt::format("{}error: at '{}': {}", prefix, key_path, what));
}

void panic(const std::string& what) {
  throw InternalError(fmt::format("internal error (a bug in cimsim, please report it): {}", what));
}

}  // namespace cimsim
