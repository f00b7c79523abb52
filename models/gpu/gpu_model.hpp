// The von Neumann baseline: the same op graph on a GPU.
//
// Latency: a roofline per kernel with achieved-efficiency factors. A GEMM of M token rows takes
//   max(2MKN / (P * eta(M, K)), bytes / (B_HBM * eta_mem)) + t_kernel,
//   eta(M, K) = gemm_efficiency * clamp(M / gemm_saturation_tokens, gemm_efficiency_floor, 1)
//               * K / (K + gemm_k_overhead)
// (small-M GEMMs leave tensor-core tiles partly empty; a shallow K spreads each output tile's
// fixed prologue and epilogue over less work), where bytes are the weights plus the
// input and output activations. Memory-bound kernels (normalizations, softmax, gathers) move
// their bytes at B_HBM * eta_mem. Fused mode (TensorRT/FlashAttention practice, the default):
// matmuls sharing an input (Q, K, V; gate, up) are one GEMM, elementwise ops fold into the
// producing kernel, and attention is one kernel that never writes the score matrix to HBM
// (grouped-query K and V are read once per KV head). Unfused mode runs every op as a kernel.
//
// Energy: MACs x (datapath FMA + register-file and shared-memory operand traffic) + HBM bits x
// pJ/bit + L2 traffic (every HBM byte crosses L2 twice), the parts the model names. Datapath FMA
// energies are Horowitz's (ISSCC 2014) scaled to the card's node and supply (scaling.hpp);
// operand traffic is priced with the SRAM model (buffer.hpp) at the register file's and shared
// memory's capacities, per MAC as the PTX mma.sync shapes move them (m16n8k16 FP16: 768 operand
// bytes per 2048 MACs; m16n8k32 INT8: 768 per 4096), with 64x64 warp tiles loading
// (64 + 64) elements from shared memory per 64 x 64 MACs. The board spends more than these: the
// card gives its measured all-in energy per FP16 MAC and per HBM bit, and the model charges the
// difference per MAC (compute overhead: issue, scheduling, accumulators, clocks while busy; half
// per INT8 MAC, which an mma does twice as many of) and per HBM bit (transfer overhead: PHY,
// controller, network on chip, load/store). Plus the awake power (clocks up, no kernel) for the
// whole latency. Measured on an H100 and an H200 (tools/gpu_measure), derived for the A100
// (fit_card.py).
//
// Capacity: weights, KV cache and the largest activation must fit in HBM; otherwise the model
// is split over the fewest GPUs that hold it (tensor parallelism: work and bytes divide, each
// layer adds two all-reduces over NVLink) and the report says so.
#pragma once

#include <string>

#include "models/gpu/gpu_card.hpp"
#include "models/workload/workload.hpp"

namespace cimsim {

struct GpuOptions {
  std::string precision = "fp16";  // fp16 | int8
  bool fused = true;
};

struct GpuEvaluation {
  std::string card;
  std::string precision;
  bool fused = true;
  int gpus = 1;
  // The count gives each GPU whole heads and whole KV heads (tensor parallelism can split the
  // model so); false: no such count holds it, and the memory is split evenly as a lower bound.
  bool whole_heads = true;
  double memory_needed_bytes = 0;
  int kernels = 0;
  double latency_s = 0;
  double compute_j = 0;            // datapath arithmetic
  double on_chip_j = 0;            // register file, shared memory, L2
  double hbm_j = 0;                // DRAM core
  double compute_overhead_j = 0;   // board energy per MAC beyond datapath and operands
  double transfer_overhead_j = 0;  // board energy per HBM bit beyond DRAM core and L2
  double awake_j = 0;              // awake power x GPUs x latency
  double awake_power_w = 0;        // per GPU
  double hbm_bytes = 0;
  double dynamic_j() const {
    return compute_j + on_chip_j + hbm_j + compute_overhead_j + transfer_overhead_j;
  }
  double energy_j() const { return dynamic_j() + awake_j; }
  // Share of the dynamic energy spent moving data rather than computing (operand and L2 reads,
  // HBM, and the transfer overhead).
  double data_movement_fraction() const {
    const double dyn = dynamic_j();
    return dyn > 0 ? (on_chip_j + hbm_j + transfer_overhead_j) / dyn : 0.0;
  }
};

GpuEvaluation evaluate_gpu(const Workload& workload, const GpuCard& card,
                           const GpuOptions& options);

// The energies the model names, per FP16 and INT8 tensor MAC (datapath and operand reads) and
// per HBM bit (DRAM core and two L2 crossings); a card's board energies must not be below them.
struct GpuNamedEnergy {
  double fp16_mac_j = 0;
  double int8_mac_j = 0;
  double hbm_bit_j = 0;
};
GpuNamedEnergy gpu_named_energy(const GpuCard& card);

// A single FP16 kernel's energy on one GPU: its MACs and HBM bits at the card's board energies
// (what evaluate_gpu's named parts and overheads add up to at FP16) and the awake power for
// `seconds`. For the validation against measured kernels.
double gpu_kernel_energy_j(const GpuCard& card, double fp16_macs, double hbm_bytes, double seconds);

// Latency of a memory-bound kernel (a norm, a softmax, a gather, a copy) on one GPU: its bytes at
// the achieved HBM bandwidth or its operations at the vector rate, plus the kernel overhead.
double gpu_memory_kernel_seconds(const GpuCard& card, double bytes, double ops);

// Whether a GEMM's depth K costs it the per-tile overhead (gemm_k_overhead). The fused attention
// kernel's output tiles accumulate over every key, not over its d_head: it is not charged.
enum class GemmDepth { k, unbounded };

// K / (K + K_ov): K_ov is gemm_k_overhead FP16 elements, or for INT8 as many INT8 elements as
// take the same time at the INT8 achieved rate (K_0 P_int8 eta_int8 / (P_fp16 eta_0)).
double gpu_gemm_depth_factor(const GpuCard& card, const std::string& precision, double k);

// Latency of one GEMM kernel (M x K by K x N, `instances` of them) on one GPU; exposed for tests
// and for the validation against measured GEMMs.
double gpu_gemm_seconds(const GpuCard& card, const std::string& precision, double m, double k,
                        double n, double instances, double bytes, GemmDepth depth = GemmDepth::k);

}  // namespace cimsim
