// Golden-number comparison: counts exactly, analytical floating-point results to a relative
// tolerance (1e-9 by default), text exactly. The version string is not compared.
#pragma once

#include <string>
#include <vector>

#include "cli/report.hpp"

namespace cimsim {

// One readable line per number that moved: "cim.energy_pj: golden 1.5, now 1.6 (rel. +6.7e-02)".
std::vector<std::string> compare_to_golden(const Json& golden, const Json& now,
                                           double relative_tolerance = 1e-9);

}  // namespace cimsim
