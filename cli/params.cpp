#include "cli/params.hpp"

#include <fmt/format.h>

namespace cimsim {

std::string parameter_table() {
  std::string s = fmt::format("{:<30} {:<7} {:<32} {:<38} {}\n", "parameter", "unit", "default",
                              "range", "description");
  for (const auto& p : parameter_docs()) {
    s += fmt::format("{:<30} {:<7} {:<32} {:<38} {}\n", p.path, p.unit, p.default_value, p.range,
                     p.description);
  }
  return s;
}

}  // namespace cimsim
