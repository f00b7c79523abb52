#include <catch2/catch.hpp>
#include <set>

#include "cli/params.hpp"
#include "models/arch/arch_spec.hpp"
#include "models/gpu/gpu_card.hpp"

using namespace cimsim;

TEST_CASE("every parameter the shipped architectures resolve is documented", "[params]") {
  std::set<std::string> documented;
  for (const auto& p : parameter_docs()) documented.insert(p.path);
  const std::string configs = std::string(CIMSIM_SOURCE_DIR) + "/configs/";
  for (std::string arch :
       {"arch/reram_chiplets", "arch/sram_chiplets", "arch/nor_flash_chiplets",
        "chips/sinangil_jssc21/arch", "chips/wang_vlsi22/arch", "chips/neurram_nature22/arch",
        "chips/zhang_iscas21/arch", "chips/mythic_m1076/arch"}) {
    ResolvedConfig resolved;
    load_arch(configs + arch + ".yaml", &resolved);
    for (const auto& e : resolved.entries()) {
      INFO(arch << ": " << e.path);
      // A list's entries (package.dram.ports[0].x) are documented under the list's key.
      CHECK(documented.count(e.path.substr(0, e.path.find('['))) == 1);
    }
  }
}

TEST_CASE("every key of the shipped GPU cards is documented", "[params]") {
  std::set<std::string> documented;
  for (const auto& p : parameter_docs()) documented.insert(p.path);
  for (const char* card : {"a100_sxm4_80gb", "h100_sxm5_80gb", "h200_sxm_141gb"}) {
    ResolvedConfig resolved;
    load_gpu_card(card, &resolved);
    REQUIRE(resolved.entries().size() > 20);
    for (const auto& e : resolved.entries()) {
      INFO(card << ": " << e.path);
      CHECK(documented.count(e.path) == 1);
    }
  }
}
