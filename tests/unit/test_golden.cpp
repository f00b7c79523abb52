#include <catch2/catch.hpp>

#include "cli/golden.hpp"

using namespace cimsim;

TEST_CASE("golden comparison: counts exact, energies to a relative tolerance", "[golden]") {
  Json golden = Json::parse(R"({"cimsim_version": "0.0.1",
                               "cim": {"energy_pj": 1000.0, "counts": {"adc_conversion": 42}},
                               "mapping": {"fits": true}})");
  Json now = golden;
  now["cimsim_version"] = "9.9.9";  // versions are not compared
  CHECK(compare_to_golden(golden, now).empty());

  now["cim"]["energy_pj"] = 1000.0 * (1 + 5e-10);  // inside 1e-9
  CHECK(compare_to_golden(golden, now).empty());

  now["cim"]["energy_pj"] = 1001.0;
  now["cim"]["counts"]["adc_conversion"] = 43;
  now["mapping"]["fits"] = false;
  auto diffs = compare_to_golden(golden, now);
  REQUIRE(diffs.size() == 3);
  CHECK(diffs[0] == "cim.energy_pj: golden 1000, now 1001 (rel. +1.000e-03, tolerance 1e-09)");
  CHECK(diffs[1] == "cim.counts.adc_conversion: golden 42, now 43 (counts compare exactly)");
  CHECK(diffs[2] == "mapping.fits: golden true, now false");

  now = golden;
  now["cim"].erase("energy_pj");
  now["cim"]["extra"] = 1;
  diffs = compare_to_golden(golden, now);
  REQUIRE(diffs.size() == 2);
  CHECK(diffs[0] == "cim.energy_pj: golden 1000.0, now missing");
  CHECK(diffs[1] == "cim.extra: not in golden, now 1");
}
