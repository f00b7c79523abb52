#include <catch2/catch.hpp>
#include <set>

#include "cli/params.hpp"
#include "models/arch/arch_spec.hpp"

using namespace cimsim;

TEST_CASE("every parameter the shipped architectures resolve is documented", "[params]") {
  std::set<std::string> documented;
  for (const auto& p : parameter_docs()) documented.insert(p.path);
  for (const char* arch : {"reram_chiplets", "sram_chiplets", "nor_flash_chiplets"}) {
    ResolvedConfig resolved;
    load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/" + arch + ".yaml", &resolved);
    for (const auto& e : resolved.entries()) {
      INFO(arch << ": " << e.path);
      CHECK(documented.count(e.path) == 1);
    }
  }
}
