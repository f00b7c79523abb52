// The tile, crossbar-array and ADC-bank modules (hw/system/tile.hpp) against closed forms. Each
// TEST_CASE that elaborates runs in its own process (SystemC elaborates once).
#include <tlm_utils/simple_initiator_socket.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "hw/system/tile.hpp"
#include "models/arch/arch_spec.hpp"

using namespace cimsim;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// Sends rows to a tile from kernel time 0, each annotated with its arrival time (temporal
// decoupling, as the replay's dispatcher does), and records when each is done.
class Driver : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Driver> socket;
  std::vector<sc_time> arrivals, done;
  SC_HAS_PROCESS(Driver);
  Driver(sc_core::sc_module_name name, std::vector<sc_time> at)
      : sc_module(name), socket("socket"), arrivals(std::move(at)) {
    SC_THREAD(run);
  }

 private:
  void run() {
    RowJob job;
    tlm::tlm_generic_payload trans;
    trans.set_data_ptr(reinterpret_cast<unsigned char*>(&job));
    for (size_t r = 0; r < arrivals.size(); ++r) {
      job = {7, static_cast<std::int64_t>(r)};
      sc_time delay = arrivals[r];
      socket->b_transport(trans, delay);
      done.push_back(delay);
    }
  }
};

struct Rows : RowObserver {
  std::vector<RowJob> seen;
  void row_served(const RowJob& job) override { seen.push_back(job); }
};

// One vector's actions (arbitrary, distinct numbers).
ActionCounts one_vector() {
  ActionCounts v;
  v[Action::cell_read] = 10;
  v[Action::row_drive] = 3;
  v[Action::adc_conversion] = 7;
  v[Action::shift_add] = 7;
  v[Action::partial_sum_add] = 2;
  v[Action::tile_buffer_bit] = 5;
  v[Action::global_buffer_bit] = 4;
  return v;
}

sc_time ns(double v) {
  return sc_time(v, SC_NS);
}

}  // namespace

TEST_CASE("tile timing rebuilds the cost table's vector time on real architectures", "[tile]") {
  // reram_chiplets: digital, the bank slower than the cells; zhang_iscas21: digital, equal;
  // neurram_nature22: analog input accumulation; nor_flash_chiplets: digital.
  for (const std::string file :
       {"configs/arch/reram_chiplets.yaml", "configs/chips/zhang_iscas21/arch.yaml",
        "configs/chips/neurram_nature22/arch.yaml", "configs/arch/nor_flash_chiplets.yaml"}) {
    INFO(file);
    const ArchSpec arch = load_arch(std::string(CIMSIM_SOURCE_DIR) + "/" + file, nullptr);
    const CostTable c = build_cost_table(arch);
    const TileTiming t = TileTiming::from(c, arch.crossbar.input_cycles());
    CHECK(t.analog == c.analog_input_accumulation);
    // Each of the two times is rounded to the kernel's femtosecond: at most 1 fs off together.
    CHECK(static_cast<double>(t.vector_fs()) * 1e-15 ==
          Approx(c.array_vector_s).epsilon(0).margin(1.0001e-15));
  }
}

TEST_CASE("tile, digital accumulation: arrays and bank from the vector's start, queued rows",
          "[tile]") {
  // 8 input cycles of 3 ns cells and a 5 ns bank: a vector takes 8 x max(3, 5) = 40 ns; rows
  // fill the input buffer for 2 ns first. Two rows arrive together (two initiators sharing the
  // tile), a third later.
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  CostTable c;
  c.read_cycle_s = 3e-9;
  c.adc_bank_s = 5e-9;
  c.analog_input_accumulation = false;
  const TileTiming timing = TileTiming::from(c, 8);
  REQUIRE(timing.array_fs == 24'000'000);
  REQUIRE(timing.adc_fs == 40'000'000);
  REQUIRE(timing.vector_fs() == 40'000'000);
  Rows rows;
  Tile tile("tile", timing, TileActions::split(one_vector()), ns(2), &rows);
  Driver driver("driver", {ns(0), ns(0), ns(100)});
  driver.socket.bind(tile.socket);
  sc_core::sc_start();
  REQUIRE(driver.done.size() == 3);
  // Row 0: buffer 0-2, arrays 2-26, bank 2-42. Row 1: buffer 2-4, arrays 26-50, bank 42-82
  // (2 x 40 after its 2 ns fill: the bank is the bottleneck). Row 2: buffer 100-102, 142.
  CHECK(driver.done[0] == ns(42));
  CHECK(driver.done[1] == ns(82));
  CHECK(driver.done[2] == ns(142));
  // Waits: row 1 for the buffer 2 ns, the arrays 22 ns, the bank 38 ns.
  CHECK(tile.waited() == ns(62));
  CHECK(tile.arrays().busy() == ns(72));
  CHECK(tile.adc().busy() == ns(120));
  // Counts: three vectors' worth, stage by stage; the observer saw every row.
  ActionCounts want;
  const ActionCounts v = one_vector();
  for (int a = 0; a < kNumActions; ++a) want.count[a] = 3 * v.count[a];
  CHECK(tile.counts() == want);
  CHECK(tile.arrays().vectors() == 3);
  CHECK(tile.adc().vectors() == 3);
  CHECK(tile.inner_transactions() == 6);
  REQUIRE(rows.seen.size() == 3);
  CHECK(rows.seen[2].op == 7);
  CHECK(rows.seen[2].row == 2);
}

TEST_CASE("tile, analog accumulation: arrays then the bank, which pipelines behind them",
          "[tile]") {
  // 8 cycles of 3 ns accumulate on the columns (24 ns), then the bank converts once (30 ns):
  // 54 ns a vector. A burst of n rows: row k is done at 24 + 30 + k max(24, 30) ns.
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  CostTable c;
  c.read_cycle_s = 3e-9;
  c.adc_bank_s = 30e-9;
  c.analog_input_accumulation = true;
  const TileTiming timing = TileTiming::from(c, 8);
  REQUIRE(timing.array_fs == 24'000'000);
  REQUIRE(timing.adc_fs == 30'000'000);
  REQUIRE(timing.vector_fs() == 54'000'000);
  Tile tile("tile", timing, TileActions::split(one_vector()), sc_core::SC_ZERO_TIME, nullptr);
  Driver driver("driver", {ns(0), ns(0), ns(0)});
  driver.socket.bind(tile.socket);
  sc_core::sc_start();
  REQUIRE(driver.done.size() == 3);
  CHECK(driver.done[0] == ns(54));
  CHECK(driver.done[1] == ns(84));
  CHECK(driver.done[2] == ns(114));
  // The arrays: rows 1 and 2 wait 24 and 48 ns; the bank: 6 and 12 ns.
  CHECK(tile.waited() == ns(90));
  CHECK(tile.adc().busy() == ns(90));
}
