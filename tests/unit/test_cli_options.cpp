// The shared command-line validators (cli/options.hpp): what CLI11 alone would let through.
#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "cli/options.hpp"

using namespace cimsim;

TEST_CASE("an empty path given to an option is refused, not read as 'not given'", "[cli]") {
  CLI::App app;
  std::string markdown;
  app.add_option("--markdown", markdown)->check(non_empty_path());
  const char* empty[] = {"cimsim", "--markdown", ""};
  CHECK_THROWS_AS(app.parse(3, empty), CLI::ValidationError);
  const char* given[] = {"cimsim", "--markdown", "table.md"};
  CHECK_NOTHROW(app.parse(3, given));
  CHECK(markdown == "table.md");
}

TEST_CASE("whole-number flags are read in decimal and refuse fractions and signs", "[cli]") {
  CLI::App app;
  int seq = 0;
  app.add_option("--seq", seq)->transform(integer_range(1, 1 << 20));
  const char* octal_looking[] = {"cimsim", "--seq", "010"};
  app.parse(3, octal_looking);
  CHECK(seq == 10);  // CLI11 alone reads a leading 0 as octal (8)
  const char* fraction[] = {"cimsim", "--seq", "1.5"};
  CHECK_THROWS_AS(app.parse(3, fraction), CLI::ValidationError);
  const char* negative[] = {"cimsim", "--seq", "-1"};
  CHECK_THROWS_AS(app.parse(3, negative), CLI::ValidationError);
}
