// Errors for users, panics for bugs (gem5's fatal/panic split).
//
// A UserError is bad input: a config value, a missing file, an unknown workload. It carries the
// complete message a user needs (file:line:col, key path, value, what was expected); the CLI
// prints it and exits with code 2. An InternalError is an impossible state inside cimsim: a bug.
#pragma once

#include <stdexcept>
#include <string>

namespace cimsim {

struct SourceLocation {
  std::string file;  // empty when the value did not come from a file (a default, a CLI flag)
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown

  // "arch.yaml:12:5", "arch.yaml", or "" when nothing is known.
  std::string str() const;
};

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

// Throws a UserError "FILE:LINE:COL: error: at 'KEY.PATH': WHAT".
[[noreturn]] void config_error(const SourceLocation& where, const std::string& key_path,
                               const std::string& what);

// An impossible state: a bug in cimsim, never a user's mistake.
[[noreturn]] void panic(const std::string& what);

}  // namespace cimsim
