#include "cli/golden.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cimsim {

namespace {

void compare(const Json& g, const Json& n, const std::string& path, double tol,
             std::vector<std::string>& out) {
  if (path == "cimsim_version") return;
  if (n.is_null() && !g.is_null()) {
    out.push_back(fmt::format("{}: golden {}, now missing", path, g.dump()));
    return;
  }
  if (g.is_object()) {
    if (!n.is_object()) {
      out.push_back(fmt::format("{}: golden is an object, now {}", path, n.dump()));
      return;
    }
    for (auto it = g.begin(); it != g.end(); ++it) {
      std::string p = path.empty() ? it.key() : path + "." + it.key();
      compare(it.value(), n.contains(it.key()) ? n.at(it.key()) : Json(), p, tol, out);
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!g.contains(it.key())) {
        out.push_back(fmt::format("{}{}: not in golden, now {}", path.empty() ? "" : path + ".",
                                  it.key(), it.value().dump()));
      }
    }
    return;
  }
  if (g.is_number_integer() && n.is_number_integer()) {
    if (g.get<long long>() != n.get<long long>()) {
      out.push_back(
          fmt::format("{}: golden {}, now {} (counts compare exactly)", path, g.dump(), n.dump()));
    }
    return;
  }
  if (g.is_number() && n.is_number()) {
    double a = g.get<double>(), b = n.get<double>();
    double scale = std::max(std::fabs(a), std::fabs(b));
    if (std::fabs(a - b) > tol * scale) {
      out.push_back(fmt::format("{}: golden {:.12g}, now {:.12g} (rel. {:+.3e}, tolerance {:.0e})",
                                path, a, b, a != 0 ? (b - a) / std::fabs(a) : 1.0, tol));
    }
    return;
  }
  if (g != n) out.push_back(fmt::format("{}: golden {}, now {}", path, g.dump(), n.dump()));
}

}  // namespace

std::vector<std::string> compare_to_golden(const Json& golden, const Json& now, double tol) {
  std::vector<std::string> out;
  compare(golden, now, "", tol, out);
  return out;
}

}  // namespace cimsim
