#include "models/core/units.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <vector>

namespace cimsim {
namespace {

struct UnitSymbol {
  std::string symbol;
  Dim dim;
  double factor;  // SI value of 1 <symbol>
};

struct Prefix {
  const char* symbol;
  double factor;
};

constexpr std::array<Prefix, 13> kSiPrefixes{{{"a", 1e-18},
                                              {"f", 1e-15},
                                              {"p", 1e-12},
                                              {"n", 1e-9},
                                              {"u", 1e-6},
                                              {"\xC2\xB5", 1e-6},  // micro sign
                                              {"m", 1e-3},
                                              {"", 1.0},
                                              {"k", 1e3},
                                              {"K", 1e3},
                                              {"M", 1e6},
                                              {"G", 1e9},
                                              {"T", 1e12}}};

constexpr std::array<Prefix, 10> kBinaryPrefixes{{{"", 1.0},
                                                  {"k", 1e3},
                                                  {"K", 1e3},
                                                  {"T", 1e12},
                                                  {"Ti", 1024.0 * 1024.0 * 1024.0 * 1024.0},
                                                  {"M", 1e6},
                                                  {"G", 1e9},
                                                  {"Ki", 1024.0},
                                                  {"Mi", 1024.0 * 1024.0},
                                                  {"Gi", 1024.0 * 1024.0 * 1024.0}}};

std::vector<UnitSymbol> build_unit_table() {
  std::vector<UnitSymbol> t;
  auto with_si_prefixes = [&](const std::string& base, Dim dim, double base_factor, int power) {
    for (const auto& p : kSiPrefixes) {
      t.push_back({p.symbol + base, dim, base_factor * std::pow(p.factor, power)});
    }
  };
  with_si_prefixes("J", Dim::energy, 1.0, 1);
  with_si_prefixes("s", Dim::time, 1.0, 1);
  with_si_prefixes("Hz", Dim::frequency, 1.0, 1);
  with_si_prefixes("S/s", Dim::frequency, 1.0, 1);  // samples per second
  with_si_prefixes("m", Dim::length, 1.0, 1);
  with_si_prefixes("m2", Dim::area, 1.0, 2);
  with_si_prefixes("m^2", Dim::area, 1.0, 2);
  with_si_prefixes("V", Dim::voltage, 1.0, 1);
  with_si_prefixes("A", Dim::current, 1.0, 1);
  with_si_prefixes("Ohm", Dim::resistance, 1.0, 1);
  with_si_prefixes("ohm", Dim::resistance, 1.0, 1);
  with_si_prefixes("\xCE\xA9", Dim::resistance, 1.0, 1);  // Omega
  with_si_prefixes("S", Dim::conductance, 1.0, 1);
  with_si_prefixes("W", Dim::power, 1.0, 1);
  with_si_prefixes("F", Dim::capacitance, 1.0, 1);
  with_si_prefixes("J/bit", Dim::energy_per_bit, 1.0, 1);
  with_si_prefixes("J/b", Dim::energy_per_bit, 1.0, 1);
  t.push_back({"F2", Dim::feature_area, 1.0});
  t.push_back({"F^2", Dim::feature_area, 1.0});
  for (const auto& p : kBinaryPrefixes) {
    std::string s = p.symbol;
    t.push_back({s + "bit", Dim::data_size, p.factor});
    t.push_back({s + "b", Dim::data_size, p.factor});
    t.push_back({s + "B", Dim::data_size, 8.0 * p.factor});
    t.push_back({s + "bit/s", Dim::bandwidth, p.factor});
    t.push_back({s + "b/s", Dim::bandwidth, p.factor});
    t.push_back({s + "bps", Dim::bandwidth, p.factor});
    t.push_back({s + "B/s", Dim::bandwidth, 8.0 * p.factor});
  }
  return t;
}

const std::vector<UnitSymbol>& unit_table() {
  static const std::vector<UnitSymbol> table = build_unit_table();
  return table;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string dimension_name(Dim d) {
  switch (d) {
    case Dim::energy: return "an energy";
    case Dim::time: return "a time";
    case Dim::frequency: return "a frequency";
    case Dim::length: return "a length";
    case Dim::area: return "an area";
    case Dim::feature_area: return "an area in F^2";
    case Dim::voltage: return "a voltage";
    case Dim::current: return "a current";
    case Dim::resistance: return "a resistance";
    case Dim::conductance: return "a conductance";
    case Dim::power: return "a power";
    case Dim::capacitance: return "a capacitance";
    case Dim::data_size: return "a data size";
    case Dim::bandwidth: return "a bandwidth";
    case Dim::energy_per_bit: return "an energy per bit";
  }
  return "a quantity";
}

std::string dimension_example(Dim d) {
  switch (d) {
    case Dim::energy: return "0.5pJ";
    case Dim::time: return "2ns";
    case Dim::frequency: return "1GHz";
    case Dim::length: return "22nm";
    case Dim::area: return "0.01mm2";
    case Dim::feature_area: return "12F2";
    case Dim::voltage: return "0.8V";
    case Dim::current: return "3.2uA";
    case Dim::resistance: return "100kOhm";
    case Dim::conductance: return "25uS";
    case Dim::power: return "3W";
    case Dim::capacitance: return "1fF";
    case Dim::data_size: return "8KiB";
    case Dim::bandwidth: return "64GB/s";
    case Dim::energy_per_bit: return "0.5pJ/bit";
  }
  return "";
}

std::optional<double> parse_quantity(std::string_view text, Dim d, std::string* problem) {
  auto fail = [&](std::string why) -> std::optional<double> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  std::string_view s = trim(text);
  double number = 0.0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
  if (ec == std::errc::result_out_of_range) {
    return fail(fmt::format(
        "the number in '{}' is beyond the range of a double (magnitudes 1e-308 to 1e308)", s));
  }
  if (ec != std::errc() || end == s.data()) {
    return fail(fmt::format("'{}' does not start with a number", s));
  }
  if (!std::isfinite(number)) return fail("the number is not finite");
  std::string_view unit = trim(std::string_view(end, s.data() + s.size() - end));
  // Zero is zero in every unit ("input_buffer: 0" for none); any other number needs its unit.
  if (unit.empty() && number == 0.0) return 0.0;
  if (unit.empty()) {
    return fail(fmt::format("missing unit; expected {} such as '{}'", dimension_name(d),
                            dimension_example(d)));
  }
  const UnitSymbol* other = nullptr;
  for (const auto& u : unit_table()) {
    if (u.symbol != unit) continue;
    if (u.dim == d) return number * u.factor;
    other = &u;
  }
  if (other) {
    return fail(fmt::format("unit '{}' is {}, but expected {} such as '{}'", unit,
                            dimension_name(other->dim), dimension_name(d), dimension_example(d)));
  }
  return fail(fmt::format("unknown unit '{}'; expected {} such as '{}'", unit, dimension_name(d),
                          dimension_example(d)));
}

std::string format_quantity(double si, Dim d) {
  struct Base {
    const char* symbol;
    int power;
  };
  Base base{"", 1};
  switch (d) {
    case Dim::energy: base = {"J", 1}; break;
    case Dim::time: base = {"s", 1}; break;
    case Dim::frequency: base = {"Hz", 1}; break;
    case Dim::length: base = {"m", 1}; break;
    case Dim::area: base = {"m2", 2}; break;
    case Dim::voltage: base = {"V", 1}; break;
    case Dim::current: base = {"A", 1}; break;
    case Dim::resistance: base = {"Ohm", 1}; break;
    case Dim::conductance: base = {"S", 1}; break;
    case Dim::power: base = {"W", 1}; break;
    case Dim::capacitance: base = {"F", 1}; break;
    case Dim::energy_per_bit: base = {"J/bit", 1}; break;
    case Dim::feature_area: return fmt::format("{:.10g}F2", si);
    case Dim::data_size: {
      if (si >= 8 && std::fmod(si, 8.0) == 0.0) {
        double bytes = si / 8.0;
        for (const char* p : {"Gi", "Mi", "Ki"}) {
          double f = p[0] == 'G' ? 1073741824.0 : p[0] == 'M' ? 1048576.0 : 1024.0;
          if (bytes >= f && std::fmod(bytes, f) == 0.0)
            return fmt::format("{:.10g}{}B", bytes / f, p);
        }
        return fmt::format("{:.10g}B", bytes);
      }
      return fmt::format("{:.10g}bit", si);
    }
    case Dim::bandwidth: {
      double bytes = si / 8.0;
      for (auto [p, f] : {std::pair{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}}) {
        if (bytes >= f) return fmt::format("{:.10g}{}B/s", bytes / f, p);
      }
      return fmt::format("{:.10g}B/s", bytes);
    }
  }
  if (si == 0.0) return fmt::format("0{}", base.symbol);
  static constexpr std::array<Prefix, 11> kFormatPrefixes{{{"a", 1e-18},
                                                           {"f", 1e-15},
                                                           {"p", 1e-12},
                                                           {"n", 1e-9},
                                                           {"u", 1e-6},
                                                           {"m", 1e-3},
                                                           {"", 1.0},
                                                           {"k", 1e3},
                                                           {"M", 1e6},
                                                           {"G", 1e9},
                                                           {"T", 1e12}}};
  const Prefix* best = &kFormatPrefixes[6];
  for (const auto& p : kFormatPrefixes) {
    if (std::fabs(si) >= std::pow(p.factor, base.power) * (1.0 - 1e-12)) best = &p;
  }
  return fmt::format("{:.10g}{}{}", si / std::pow(best->factor, base.power), best->symbol,
                     base.symbol);
}

}  // namespace cimsim
