// The architecture a user describes in YAML, parsed once into typed, validated values.
//
// Hierarchy (ISAAC/PUMA-style): crossbar arrays with their ADCs and drivers form a tile; tiles
// with a global buffer and a digital vector unit form a chiplet; chiplets sit on a 2-D mesh of
// die-to-die links with a DRAM port. Each section's keys are documented in docs/config.md and
// listed by `cimsim params`.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "models/circuit/adc.hpp"
#include "models/core/config.hpp"
#include "models/core/units.hpp"
#include "models/tech/technology.hpp"

namespace cimsim {

struct CrossbarSpec {
  int rows = 0;
  int columns = 0;
  // Rows that compute at once (default: all). The rows take turns in groups of active_rows:
  // each group is a full input vector's cycles and conversions, and the groups' converted
  // results add digitally, so an array holds rows x weights but converts a group at a time.
  // The inputs reach the rows through one driver and DAC per active row, multiplexed.
  int active_rows = 0;
  int input_bits = 8;
  int weight_bits = 8;
  std::string input_encoding;  // bit_serial | dac | pulse_count
  int dac_bits = 1;            // input bits converted per cycle (1 when bit-serial)
  // capacitive: a binary-weighted capacitor DAC and a class-A row buffer; r2r: a resistor
  // ladder that drives the row itself and conducts for the whole input cycle.
  std::string dac_type = "capacitive";
  double dac_unit_resistance_ohm = 0;  // r2r: the ladder's unit R (legs are 2R)
  int dac_ladders = 1;         // r2r: 2 = one ladder per input sign, each spanning half the supply
  std::string signed_weights;  // differential | offset | twos_complement
  // Where the partial results of one dot product are combined before the ADC sees them:
  // "digital" converts every input cycle (or weight slice) and shift-adds the codes; "analog"
  // weights them in the charge domain (binary-weighted capacitors, a C-2C ladder, an
  // integrator that weights each input bit-plane by its significance, one sample per bit) and
  // converts once.
  std::string input_accumulation;   // digital | analog (pulse_count inputs are always analog)
  std::string weight_accumulation;  // digital | analog
  double input_bit_density = 0.5;
  AdcSpec adc;

  // Row groups one array runs per vector when `k_rows` of its rows hold weights.
  std::int64_t row_groups(std::int64_t k_rows) const {
    return (std::min<std::int64_t>(k_rows, rows) + active_rows - 1) / active_rows;
  }
  int weight_slices(int bits_per_cell) const {
    return (weight_bits + bits_per_cell - 1) / bits_per_cell;
  }
  // Input cycles per vector: one per bit (bit-serial), one per DAC digit, or one pulse slot per
  // unit of the largest input value (pulse count: an input v fires v pulses of equal width).
  int input_cycles() const {
    if (input_encoding == "pulse_count") return (1 << input_bits) - 1;
    return (input_bits + dac_bits - 1) / dac_bits;
  }
  // Physical columns one logical output column takes.
  int columns_per_weight(int bits_per_cell) const {
    return weight_slices(bits_per_cell) * (signed_weights == "differential" ? 2 : 1);
  }
  // Logical output columns (weights) one array holds.
  int weights_per_array(int bits_per_cell) const {
    return weight_columns() / columns_per_weight(bits_per_cell);
  }
  // Conversions per vector are conversion_cycles() x conversions_per_weight() per output: input
  // cycles are converted one by one unless accumulated in analog, and so are a weight's columns.
  int conversion_cycles() const { return input_accumulation == "analog" ? 1 : input_cycles(); }
  int conversions_per_weight(int bits_per_cell) const {
    return weight_accumulation == "analog" ? 1 : columns_per_weight(bits_per_cell);
  }
  // Whether a digital shift-and-add follows the ADC (something is still to be combined).
  bool digital_shift_add(int bits_per_cell) const {
    return conversion_cycles() * conversions_per_weight(bits_per_cell) > 1;
  }
  // Channels the array's ADCs convert: columns, or whole weights (plus the reference column)
  // when a weight's columns are combined in analog before the ADC.
  int adc_channels(int bits_per_cell) const {
    if (weight_accumulation != "analog") return columns;
    return weights_per_array(bits_per_cell) + (columns - weight_columns());
  }
  // Columns of an array left for weights (offset encoding keeps one reference column).
  int weight_columns() const { return columns - (signed_weights == "offset" ? 1 : 0); }
};

struct TileSpec {
  int arrays = 0;
  DataSize input_buffer;
  DataSize output_buffer;
};

struct ChipletSpec {
  int tiles = 0;
  DataSize global_buffer;
  int vector_lanes = 0;
  SourceLocation vector_lanes_at;  // for the refusal of vector work on a bare macro
  // Where the activation-by-activation matmuls (QK^T, AV) run: "vector_unit" (digital MACs on
  // operands read from the global buffer) or "arrays" (the keys and values are programmed into
  // crossbar arrays of their own, at the cells' write energy and time, and the queries stream
  // through them as through a weight matrix).
  std::string dynamic_matmuls = "vector_unit";
  bool dynamic_matmuls_in_arrays() const { return dynamic_matmuls == "arrays"; }
};

struct LinkSpec {
  std::string name;
  EnergyPerBit energy_per_bit;
  Bandwidth bandwidth;  // per link, per direction
  Time latency_per_hop;
};

struct MeshCoordinate {
  int x = 0, y = 0;
  bool operator==(const MeshCoordinate&) const = default;
};

struct DramSpec {
  EnergyPerBit energy_per_bit;
  Bandwidth bandwidth;  // per port
  // The chiplets whose DRAM ports (HBM stacks, say) feed the package; the first also reads the
  // embeddings. Default: one, at (0, 0).
  std::vector<MeshCoordinate> ports{MeshCoordinate{}};
};

struct PackageSpec {
  int mesh_columns = 1;
  int mesh_rows = 1;
  LinkSpec link;
  DramSpec dram;
  int chiplets() const { return mesh_columns * mesh_rows; }
};

struct ArchSpec {
  std::string name;
  std::string file;
  TechnologyCard technology;
  Frequency clock;
  Voltage timing_supply;  // supply at which clock, read pulse and ADC rate hold
  CrossbarSpec crossbar;
  TileSpec tile;
  ChipletSpec chiplet;
  PackageSpec package;

  // Gate delay at the supply in use over the delay at timing_supply (alpha-power law): the
  // factor by which the clock period, read pulse and ADC conversion stretch.
  double timing_scale() const;
  long long total_arrays() const {
    return static_cast<long long>(crossbar_count_per_chiplet()) * package.chiplets();
  }
  long long crossbar_count_per_chiplet() const {
    return static_cast<long long>(tile.arrays) * chiplet.tiles;
  }
  // Width of the shift-and-add accumulator: products of input and weight bits summed over rows.
  int accumulator_bits() const;
};

// Loads and validates an architecture file; every value read is recorded in `resolved`.
ArchSpec load_arch(const std::string& path, ResolvedConfig* resolved);
// With `technology`, the root's technology section is taken as already parsed into it: a sweep
// whose points leave the section alone parses it once.
ArchSpec parse_arch(const ConfigNode& root, const std::string& file,
                    const TechnologyCard* technology = nullptr);

}  // namespace cimsim
