// Every architecture and GPU card parameter with unit, default, range and description (SST
// style). `cimsim params` prints it, tests/unit/test_params.cpp keeps it in step with the
// parsers, and the architecture parser uses its paths to point a key written in the wrong section
// to the section that reads it.
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

}  // namespace cimsim
