// A chiplet as a SystemC module: the tiles of the weight matrices the mapping placed on it, its
// vector unit, its global buffer and its on-chip interconnect.
//
// The chip's control sends a row (one RowJob) to the module that computes it: the tile of the
// op's weight matrix (hw/system/tile.hpp), the arrays of an activation matmul run in the arrays
// (a private RowServer), or the chiplet's vector unit (every other op placed here). The on-chip
// interconnect adds no time: in the closed form (mapper/evaluator.cpp) moving a row between a tile,
// the global buffer and the vector unit of one chiplet takes no time of its own (only the
// die-to-die mesh does, hw/mesh), so the replay stays equal to it. Its routing depends only on the
// op, so the chiplet resolves it once, at elaboration: socket_for(op) is the child's target socket
// that takes op's rows, and the chip's control binds to it. A routing socket on the chiplet (one
// b_transport in, a look-up, one out, per row) gave the same results for one more call per row:
// about 17 more instructions per row and 2.5-4% more for a whole BERT-base replay, for no time it
// could model (bench/README.md).
//
// The global buffer is untimed, as in the closed form: the evaluator counts its bits (energy) but
// gives it no latency or bandwidth limit, so it is no module here and books no time. Its bits are
// counted where the evaluator counts them: by the tiles (TileActions::tile) and in the vector
// unit's per-row share of its ops' counts.
//
// The vector unit (RowServer, also the DRAM port's model) serves whole rows, each in its op's
// per-row time from the evaluator; shared by every op on the chiplet, it queues rows that arrive
// while it is busy (first come, first served) when shared, or serves each at once when not (the
// contention-free replay).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "hw/system/tile.hpp"

namespace cimsim {

// A target that serves whole rows in a time fixed per op: a chiplet's vector unit, the DRAM port.
class RowServer : public sc_core::sc_module, public LooselyTimedTarget {
 public:
  tlm::tlm_target_socket<> socket;

  // row_service: per op (all the workload's ops), one row's time. shared: rows queue while the
  // server is busy (contention); otherwise each is served from its arrival.
  RowServer(sc_core::sc_module_name name, const std::vector<sc_core::sc_time>& row_service,
            RowObserver* observer, bool shared);

  sc_core::sc_time busy() const { return busy_; }
  std::uint64_t rows() const { return rows_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;

  const std::vector<sc_core::sc_time>& row_service_;
  RowObserver* observer_;
  bool shared_;
  sc_core::sc_time free_at_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
  std::uint64_t rows_ = 0;
};

// What a chiplet holds, from the mapping: its weight matrices' tiles and whether a vector-unit op
// runs on it.
struct ChipletPlan {
  struct TileOp {
    int op = 0;      // the op that uses the matrix
    int matrix = 0;  // the mapping's matrix index (the tile's name: tile_<matrix>)
    std::int64_t groups_per_array = 1;  // row groups each array runs per vector, in turn
    TileActions actions;
    sc_core::sc_time input_fill;
  };
  std::vector<TileOp> tiles;
  std::vector<int> vector_ops;  // ops served by the vector unit
  // Activation matmuls in the arrays (chiplet.dynamic_matmuls: arrays), each on arrays of its
  // own: a private RowServer per op, serving rows in the evaluator's per-row time (programming
  // the keys or values, then the query vectors), so they wait for no other op.
  struct OperandOp {
    int op = 0;
    int matrix = 0;  // the server's name: kv_arrays_<matrix>
  };
  std::vector<OperandOp> operand_ops;
};

class Chiplet : public sc_core::sc_module {
 public:
  // ops: the number of ops in the workload (rows carry the op's index).
  Chiplet(sc_core::sc_module_name name, int ops, const ChipletPlan& plan, const TileTiming& timing,
          const std::vector<sc_core::sc_time>& row_service, RowObserver* observer, bool shared);

  // The on-chip interconnect: the target socket of the child that computes op's rows (its tile,
  // or the vector unit). Panics for an op not placed here.
  tlm::tlm_target_socket<>& socket_for(int op);

  const std::vector<std::unique_ptr<Tile>>& tiles() const { return tiles_; }
  // Null where no vector op runs on the chiplet.
  const RowServer* vector_unit() const { return vector_unit_.get(); }
  const std::vector<std::unique_ptr<RowServer>>& operand_arrays() const { return operand_arrays_; }

 private:
  std::vector<std::unique_ptr<Tile>> tiles_;
  std::unique_ptr<RowServer> vector_unit_;
  std::vector<std::unique_ptr<RowServer>> operand_arrays_;
  // Per op: the index of its tile in tiles_, tiles_.size() for the vector unit, tiles_.size()
  // + 1 + j for operand_arrays_[j], -1 if not here.
  std::vector<int> child_of_op_;
};

}  // namespace cimsim
