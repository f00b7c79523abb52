// Self-registering implementations (Ramulator 2.0 style): a new memory technology or circuit
// registers itself by name from its own source file; nothing central lists them.
//
//   CIMSIM_REGISTER(CellPhysics, ResistiveCell, "resistive", "1T1R ReRAM/PCM: I = V*G");
//
// Libraries holding registrations are linked whole-archive (see models/CMakeLists.txt) so the
// linker keeps registrations nothing else references.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/core/config.hpp"

namespace cimsim {

template <class Interface>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Interface>(const ConfigNode&)>;
  struct Entry {
    std::string description;
    Factory factory;
  };

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  bool add(const std::string& name, const std::string& description, Factory factory) {
    if (entries_.count(name)) panic("two implementations registered as '" + name + "'");
    entries_[name] = {description, std::move(factory)};
    return true;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

  const std::map<std::string, Entry>& entries() const { return entries_; }

  // Builds the implementation named by `node.<key>`; an unknown name is a config error.
  std::unique_ptr<Interface> create(const ConfigNode& node, const std::string& key) const {
    std::string name = node.choice(key, names());
    return entries_.at(name).factory(node);
  }

 private:
  std::map<std::string, Entry> entries_;
};

#define CIMSIM_REGISTER(Interface, Impl, name, description)                                   \
  static const bool cimsim_registered_##Impl = ::cimsim::Registry<Interface>::instance().add( \
      name, description, [](const ::cimsim::ConfigNode& node) -> std::unique_ptr<Interface> { \
        return std::make_unique<Impl>(node);                                                  \
      })

}  // namespace cimsim
