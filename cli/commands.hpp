#pragma once

namespace cimsim {

// The `cimsim` program. Returns the exit status; UserErrors propagate to main().
int run_cli(int argc, char** argv);

}  // namespace cimsim
