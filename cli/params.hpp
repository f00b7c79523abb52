// `cimsim params`: the parameter documentation (models/arch/parameter_docs.hpp) as a table.
#pragma once

#include <string>

#include "models/arch/parameter_docs.hpp"

namespace cimsim {

std::string parameter_table();

}  // namespace cimsim
