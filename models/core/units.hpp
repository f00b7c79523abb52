// Typed physical quantities and the unit strings of the configuration language.
//
// A config value such as "0.25pJ" or "8KiB" is parsed once into a Quantity of a fixed dimension,
// stored in SI base units (J, s, Hz, m, m^2, V, Ohm, S, W, F, bit, bit/s). Feature-size areas
// ("12F2") stay in units of F^2 until the node is known. Models read `.si`; reports convert to
// the customary unit (pJ, ns, mm^2) at the edge.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cimsim {

enum class Dim {
  energy,
  time,
  frequency,
  length,
  area,
  feature_area,  // multiples of F^2 (feature size squared)
  voltage,
  current,
  resistance,
  conductance,
  power,
  capacitance,
  data_size,  // bits
  bandwidth,  // bits per second
  energy_per_bit,
};

template <Dim D>
struct Quantity {
  double si = 0.0;
  constexpr Quantity() = default;
  constexpr explicit Quantity(double value_si) : si(value_si) {}
};

using Energy = Quantity<Dim::energy>;
using Time = Quantity<Dim::time>;
using Frequency = Quantity<Dim::frequency>;
using Length = Quantity<Dim::length>;
using Area = Quantity<Dim::area>;
using FeatureArea = Quantity<Dim::feature_area>;
using Voltage = Quantity<Dim::voltage>;
using Current = Quantity<Dim::current>;
using Resistance = Quantity<Dim::resistance>;
using Conductance = Quantity<Dim::conductance>;
using Power = Quantity<Dim::power>;
using Capacitance = Quantity<Dim::capacitance>;
using DataSize = Quantity<Dim::data_size>;
using Bandwidth = Quantity<Dim::bandwidth>;
using EnergyPerBit = Quantity<Dim::energy_per_bit>;

// Human name of a dimension and an example literal, used in error messages:
// "an energy such as '0.5pJ'".
std::string dimension_name(Dim d);
std::string dimension_example(Dim d);

// Parses "0.25pJ", "1 GHz", "8KiB", "100kOhm" into SI units of dimension `d`. Returns nullopt
// with `problem` set ("missing unit", "unit 'ns' is a time, not an energy", ...) on failure.
std::optional<double> parse_quantity(std::string_view text, Dim d, std::string* problem);

// Formats an SI value back into a readable literal in a customary unit ("0.25pJ", "8KiB").
std::string format_quantity(double si, Dim d);

// Customary scale factors used by reports.
inline constexpr double kPico = 1e-12;
inline constexpr double kNano = 1e-9;
inline constexpr double kMicro = 1e-6;
inline constexpr double kSquareMillimetre = 1e-6;  // m^2 per mm^2

}  // namespace cimsim
