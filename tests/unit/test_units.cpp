#include <catch2/catch.hpp>

#include "models/core/units.hpp"

using namespace cimsim;

TEST_CASE("unit strings become SI quantities", "[units]") {
  std::string problem;
  CHECK(*parse_quantity("0.25pJ", Dim::energy, &problem) == Approx(0.25e-12).epsilon(1e-15));
  CHECK(*parse_quantity("1 GHz", Dim::frequency, &problem) == 1e9);
  CHECK(*parse_quantity("1.28GS/s", Dim::frequency, &problem) == Approx(1.28e9));
  CHECK(*parse_quantity("22nm", Dim::length, &problem) == Approx(22e-9));
  CHECK(*parse_quantity("100kOhm", Dim::resistance, &problem) == 1e5);
  CHECK(*parse_quantity("25uS", Dim::conductance, &problem) == Approx(25e-6));
  CHECK(*parse_quantity("8KiB", Dim::data_size, &problem) == 8.0 * 8 * 1024);
  CHECK(*parse_quantity("2ns", Dim::time, &problem) == Approx(2e-9));
  CHECK(*parse_quantity("0.5pJ/bit", Dim::energy_per_bit, &problem) == Approx(0.5e-12));
  CHECK(*parse_quantity("32GB/s", Dim::bandwidth, &problem) == 256e9);
  CHECK(*parse_quantity("0.01mm2", Dim::area, &problem) == Approx(0.01e-6));
  CHECK(*parse_quantity("12F2", Dim::feature_area, &problem) == 12.0);
  // Zero needs no unit; any other number does.
  CHECK(*parse_quantity("0", Dim::data_size, &problem) == 0.0);
  CHECK(*parse_quantity("0.0", Dim::energy, &problem) == 0.0);
  CHECK_FALSE(parse_quantity("1e-30", Dim::energy, &problem));
}

TEST_CASE("bad unit strings say what was expected", "[units]") {
  std::string problem;
  CHECK_FALSE(parse_quantity("1000", Dim::frequency, &problem));
  CHECK(problem == "missing unit; expected a frequency such as '1GHz'");
  CHECK_FALSE(parse_quantity("2ns", Dim::frequency, &problem));
  CHECK(problem == "unit 'ns' is a time, but expected a frequency such as '1GHz'");
  CHECK_FALSE(parse_quantity("3 parsecs", Dim::length, &problem));
  CHECK(problem == "unknown unit 'parsecs'; expected a length such as '22nm'");
  CHECK_FALSE(parse_quantity("fast", Dim::time, &problem));
  CHECK(problem == "'fast' does not start with a number");
  CHECK_FALSE(parse_quantity("1e400Hz", Dim::frequency, &problem));
  CHECK(problem ==
        "the number in '1e400Hz' is beyond the range of a double (magnitudes 1e-308 to 1e308)");
}

TEST_CASE("quantities format back into readable literals", "[units]") {
  CHECK(format_quantity(0.25e-12, Dim::energy) == "250fJ");
  CHECK(format_quantity(65536.0 * 8, Dim::data_size) == "64KiB");
  CHECK(format_quantity(2e-9, Dim::time) == "2ns");
  CHECK(format_quantity(256e9, Dim::bandwidth) == "32GB/s");
}
