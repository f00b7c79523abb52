#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "models/cost/cost_table.hpp"
#include "test_support.hpp"

using namespace cimsim;

TEST_CASE("did-you-mean picks the closest known key", "[config]") {
  CHECK(closest_match("colums", {"rows", "columns", "adc"}) == "columns");
  CHECK(closest_match("zzzzzz", {"rows", "columns"}).empty());
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("a preset is overridden key by key", "[config]") {
  ArchSpec a =
      test::parse_arch_text(test::small_arch_yaml("{preset: reram_22nm, bits_per_cell: 1}"));
  CHECK(a.technology.bits_per_cell == 1);
  CHECK(a.technology.name == "reram_22nm");
  CHECK(a.technology.node.si == Approx(22e-9));
  CHECK(a.technology.read_pulse.si == Approx(10e-9));
}

TEST_CASE("unknown keys are errors with a hint", "[config]") {
  std::string yaml = test::small_arch_yaml();
  yaml.replace(yaml.find("columns: 8"), 10, "colums: 8");
  REQUIRE_THROWS_AS(test::parse_arch_text(yaml), UserError);
  try {
    test::parse_arch_text(yaml);
  } catch (const UserError& e) {
    CHECK(std::string(e.what()) ==
          "test.yaml:6:3: error: at 'crossbar.colums': unknown key 'colums'; did you mean "
          "'columns'?");
  }
}

TEST_CASE("a key written in the wrong section names the sections that read it", "[config]") {
  // 'rows' under tile: two other sections read a 'rows'; a misplaced key is not a misspelt one.
  std::string yaml = test::small_arch_yaml();
  yaml.replace(yaml.find("tile: {arrays: 4"), 16, "tile: {rows: 4, arrays: 4");
  REQUIRE_THROWS_WITH(test::parse_arch_text(yaml),
                      Catch::EndsWith("at 'tile.rows': unknown key 'rows' here; did you mean "
                                      "'crossbar.rows' or 'package.mesh.rows'?"));
  // A technology key at the top level, over a preset.
  yaml = test::small_arch_yaml();
  yaml.replace(yaml.find("clock: 1GHz"), 11, "clock: 1GHz\nsupply_voltage: 0.9V");
  REQUIRE_THROWS_WITH(test::parse_arch_text(yaml),
                      Catch::EndsWith("at 'supply_voltage': unknown key 'supply_voltage' here; did "
                                      "you mean 'technology.supply_voltage'?"));
  // A top-level key inside a section.
  yaml = test::small_arch_yaml();
  yaml.replace(yaml.find("chiplet: {tiles: 2"), 18, "chiplet: {clock: 1GHz, tiles: 2");
  REQUIRE_THROWS_WITH(test::parse_arch_text(yaml),
                      Catch::EndsWith("unknown key 'clock' here; did you mean 'clock' at the top "
                                      "level?"));
}

TEST_CASE("a misplaced key in a preset card gets the same hint", "[config]") {
  auto homes = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"crossbar.rows", "technology.node"});
  const ConfigNode arch =
      ConfigNode::load_string("technology: {node: 22nm}\n", "arch.yaml", nullptr)
          .with_key_homes(homes);
  const ConfigNode card = ConfigNode::load_string("node: 22nm\nrows: 4\n", "card.yaml", nullptr);
  const ConfigNode tech = arch.child("technology").with_fallback(card);
  tech.quantity<Dim::length>("node");
  REQUIRE_THROWS_WITH(tech.finish(),
                      "card.yaml:2:1: error: at 'technology.rows': unknown key 'rows' here; did "
                      "you mean 'crossbar.rows'?");
}

TEST_CASE("technology cards need a source for every number", "[config]") {
  auto card = ConfigNode::load_string("node: 22nm\n", "card.yaml", nullptr, true);
  REQUIRE_THROWS_WITH(card.quantity<Dim::length>("node"),
                      "card.yaml:1:7: error: at 'node': a card value needs its source; "
                      "write {value: 22nm, source: \"...\"}");
  // An empty source is no source.
  auto blank =
      ConfigNode::load_string("node: {value: 22nm, source: \" \"}\n", "card.yaml", nullptr, true);
  REQUIRE_THROWS_WITH(blank.quantity<Dim::length>("node"),
                      Catch::Contains("a card value needs its source (it is empty)"));
}

TEST_CASE("the resolved configuration loads back to the same architecture", "[config]") {
  ResolvedConfig resolved;
  ArchSpec original =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", &resolved);
  auto path = std::filesystem::temp_directory_path() / "cimsim_resolved_roundtrip.yaml";
  std::ofstream(path) << resolved.to_yaml();
  ArchSpec again = load_arch(path.string(), nullptr);
  std::filesystem::remove(path);
  CostTable a = build_cost_table(original), b = build_cost_table(again);
  CHECK(a.energy_j == b.energy_j);
  CHECK(a.area_m2 == b.area_m2);
  CHECK(a.array_vector_s == b.array_vector_s);
  CHECK(again.crossbar.adc.columns_per_adc == original.crossbar.adc.columns_per_adc);
}

TEST_CASE("a list of maps (DRAM ports) loads back from the resolved configuration", "[config]") {
  std::string yaml = test::small_arch_yaml();
  const std::string dram = "bandwidth: 8GB/s}";
  yaml.replace(yaml.find(dram), dram.size(),
               "bandwidth: 8GB/s, ports: [{x: 1, y: 0}, {x: 0, y: 0}]}");
  ResolvedConfig resolved;
  const ArchSpec original = test::parse_arch_text(yaml, &resolved);
  const ArchSpec again = test::parse_arch_text(resolved.to_yaml());
  REQUIRE(again.package.dram.ports.size() == 2);
  CHECK(again.package.dram.ports == original.package.dram.ports);
  CHECK(again.package.dram.ports[0] == MeshCoordinate{1, 0});
}

TEST_CASE("a kept card is parsed again when its bytes change, whatever its time stamp",
          "[config]") {
  namespace fs = std::filesystem;
  const fs::path card = fs::temp_directory_path() / "cimsim_test_card.yaml";
  auto write = [&](const char* text) { std::ofstream(card) << text; };
  write("x: {value: 1, source: \"first\"}\n");
  CHECK(ConfigNode::load_card(card.string(), nullptr, "", "").number("x", 0, 10) == 1);
  const auto stamp = fs::last_write_time(card);
  // Same size, old time stamp (as `cp -p` or a coarse file system would leave it).
  write("x: {value: 2, source: \"first\"}\n");
  fs::last_write_time(card, stamp);
  CHECK(ConfigNode::load_card(card.string(), nullptr, "", "").number("x", 0, 10) == 2);
  // Each load reads its keys afresh: a key read before is not taken as read again.
  write("x: {value: 2, source: \"first\"}\ny: {value: 3, source: \"first\"}\n");
  ConfigNode first = ConfigNode::load_card(card.string(), nullptr, "", "");
  first.number("x", 0, 10);
  first.number("y", 0, 10);
  ConfigNode second = ConfigNode::load_card(card.string(), nullptr, "", "");
  second.number("x", 0, 10);
  CHECK_THROWS_WITH(second.finish(), Catch::Contains("unknown key 'y'"));
  fs::remove(card);
}

TEST_CASE("a nested map takes new values for its keys and keeps each value's line", "[config]") {
  const ConfigNode axes = ConfigNode::load_string(
      "axes:\n"
      "  crossbar.rows: [128, 256]\n"
      "  crossbar.adc.bits: [6, {value: 9, source: \"a datasheet\"}]\n",
      "sweep.yaml", nullptr);
  const auto rows = axes.child("axes").items("crossbar.rows");
  const auto bits = axes.child("axes").items("crossbar.adc.bits");
  const ConfigNode first =
      ConfigNode::nest({{"crossbar.rows", rows[0]}, {"crossbar.adc.bits", bits[0]}});
  CHECK(first.child("crossbar").integer("rows", 1, 4096) == 128);
  CHECK(first.child("crossbar").child("adc").integer("bits", 1, 16) == 6);

  const ConfigNode second =
      first.renest({{"crossbar.rows", rows[1]}, {"crossbar.adc.bits", bits[1]}});
  CHECK(second.child("crossbar").integer("rows", 1, 4096) == 256);
  // A value with its source unwraps as it does in a file, and is refused at its own line.
  CHECK(second.child("crossbar").child("adc").integer("bits", 1, 16) == 9);
  CHECK_THROWS_WITH(second.child("crossbar").child("adc").integer("bits", 1, 8),
                    "sweep.yaml:3:34: error: at 'crossbar.adc.bits': value 9 is out of range; "
                    "expected an integer from 1 to 8");
  // The values themselves are not changed by being nested again.
  CHECK(rows[0].scalar_string() == "128");
  CHECK(first.renest({{"crossbar.rows", rows[0]}, {"crossbar.adc.bits", bits[0]}})
            .child("crossbar")
            .integer("rows", 1, 4096) == 128);
  CHECK(rows[1].scalar_string() == "256");

  // Another key path is a bug in the caller, not a user error.
  CHECK_THROWS_AS(first.renest({{"crossbar.columns", rows[0]}}), InternalError);
}
