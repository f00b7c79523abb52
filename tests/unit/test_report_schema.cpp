// docs/report-schema.md documents the JSON report key for key: every key a report holds is in
// the schema, and every key the schema lists turns up in one of the reports below (a key the
// code no longer writes, or one it started writing, fails here). The `systemc` and `accuracy`
// blocks need a replay or a model run and are checked by their own tests; objects keyed by
// component or action (breakdown_pj, counts, ...) are documented as whole objects.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "cli/report.hpp"

using namespace cimsim;

namespace {

// "block.key" for every key the schema's tables name under a block ("**`cim`**" rows, or a
// "### `systemc`" heading), plus the top-level keys.
std::set<std::string> documented_keys() {
  std::ifstream doc(std::string(CIMSIM_SOURCE_DIR) + "/docs/report-schema.md");
  REQUIRE(doc);
  std::set<std::string> keys;
  std::string block;
  // Top-level rows stand in the JSON table before its first block.
  bool in_json = false, seen_block = false;
  const std::regex heading(R"(^### `(\w+)`)"), block_row(R"(^\| \*\*`(\w+)`\*\* \|)"),
      top_row(R"(^\| `(\w+)` \|)"), key_name(R"(`(\.[\w.]+)`)");
  for (std::string line; std::getline(doc, line);) {
    std::smatch m;
    if (line.rfind("## ", 0) == 0) in_json = line == "## JSON";
    if (std::regex_search(line, m, heading)) {
      block = m[1];
      keys.insert(block);
      continue;
    }
    if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) block.clear();
    if (std::regex_search(line, m, block_row)) {
      block = m[1];
      seen_block = true;
      keys.insert(block);
      continue;
    }
    if (in_json && !seen_block && std::regex_search(line, m, top_row)) {
      keys.insert(m[1]);
      continue;
    }
    if (block.empty() || line.rfind("| `.", 0) != 0) continue;
    const std::string first = line.substr(0, line.find(" |", 2));
    for (auto it = std::sregex_iterator(first.begin(), first.end(), key_name);
         it != std::sregex_iterator(); ++it) {
      keys.insert(block + (*it)[1].str());
    }
  }
  return keys;
}

// Every key path of `node`, descending into objects the schema lists key by key (the blocks,
// and `cim.wear`).
void report_keys(const Json& node, const std::string& path, const std::set<std::string>& documented,
                 std::set<std::string>& out) {
  for (const auto& [key, value] : node.items()) {
    const std::string p = path.empty() ? key : path + "." + key;
    out.insert(p);
    const bool listed_inside = path.empty() || p == "cim.wear";
    if (value.is_object() && listed_inside) report_keys(value, p, documented, out);
  }
}

}  // namespace

TEST_CASE("docs/report-schema.md lists every key of the JSON report and no other", "[report]") {
  const std::string arch = std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/";
  WorkloadRequest prefill;
  WorkloadRequest decode;
  decode.phase = "decode";
  decode.context = 64;
  // Weights that fit and that do not, prefill and decode (the decode-cache keys).
  const RunRequest requests[] = {{arch + "reram_chiplets.yaml", "gpt2-small", prefill},
                                 {arch + "reram_chiplets.yaml", "gpt2-small", decode},
                                 {arch + "nor_flash_chiplets.yaml", "llama2-7b", prefill}};
  const std::set<std::string> documented = documented_keys();
  REQUIRE(documented.size() > 60);
  std::set<std::string> written;
  for (const RunRequest& request : requests) {
    report_keys(report_json(run_analytical(request)), "", documented, written);
  }
  for (const std::string& key : written) {
    INFO("the report writes " << key);
    CHECK(documented.count(key) == 1);
  }
  for (const std::string& key : documented) {
    if (key.rfind("systemc", 0) == 0 || key.rfind("accuracy", 0) == 0) continue;
    INFO("the schema lists " << key);
    CHECK(written.count(key) == 1);
  }
}
