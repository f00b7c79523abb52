// Every architecture parameter with unit, default, range and description (SST style), printed
// by `cimsim params` and kept in step with the parsers by tests/unit/test_params.cpp.
#pragma once

#include <string>
#include <vector>

namespace cimsim {

struct ParamDoc {
  std::string path;           // key path; "technology.*" keys are the card's
  std::string unit;           // "" for counts and choices
  std::string default_value;  // "required" when there is none
  std::string range;
  std::string description;
};

const std::vector<ParamDoc>& parameter_docs();
std::string parameter_table();

}  // namespace cimsim
