#include "models/gpu/gpu_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/circuit/buffer.hpp"
#include "models/circuit/digital.hpp"
#include "models/core/error.hpp"

namespace cimsim {

namespace {

struct PerMacEnergy {
  double datapath_j;
  double operands_j;  // register file and shared memory
};

PerMacEnergy per_mac_energy(const GpuCard& g, const std::string& precision) {
  const double node = g.node.si, v = g.supply_voltage.si;
  const DigitalCosts d = digital_costs(node, v, 32);
  const bool int8 = precision == "int8";
  const double rf_bit = sram_buffer_costs(g.register_file_per_sm.si, node, v).energy_per_bit_j;
  const double smem_bit = sram_buffer_costs(g.shared_memory_per_sm.si, node, v).energy_per_bit_j;
  const double rf_bytes_per_mac = int8 ? 768.0 / 4096.0 : 768.0 / 2048.0;
  const double element_bytes = int8 ? 1.0 : 2.0;
  // A 64 x 64 warp tile reads (64 + 64) operand elements from shared memory per 64 x 64 MACs
  // per K step: CUTLASS's default SM80 tensor-op warp shape (default_gemm_configuration.h:
  // WarpShape 64x64x64); Hopper's warpgroup MMAs read shared memory too, taken alike.
  const double smem_bytes_per_mac = element_bytes * (64.0 + 64.0) / (64.0 * 64.0);
  return {int8 ? d.vector_mac_energy_j : d.vector_op_energy_j,
          8.0 * (rf_bytes_per_mac * rf_bit + smem_bytes_per_mac * smem_bit)};
}

double peak_rate(const GpuCard& g, const std::string& precision) {
  return precision == "int8" ? g.tensor_int8_ops : g.tensor_fp16_flops;
}

// The achieved fraction of the peak of an infinitely deep, full GEMM.
double efficiency(const GpuCard& g, const std::string& precision) {
  return precision == "int8" ? g.int8_gemm_efficiency : g.gemm_efficiency;
}

}  // namespace

GpuNamedEnergy gpu_named_energy(const GpuCard& g) {
  const PerMacEnergy fp16 = per_mac_energy(g, "fp16"), int8 = per_mac_energy(g, "int8");
  const double l2_bit =
      sram_buffer_costs(g.l2_size.si, g.node.si, g.supply_voltage.si).energy_per_bit_j;
  return {fp16.datapath_j + fp16.operands_j, int8.datapath_j + int8.operands_j,
          g.hbm_energy_per_bit.si + 2.0 * l2_bit};
}

double gpu_kernel_energy_j(const GpuCard& g, double fp16_macs, double hbm_bytes, double seconds) {
  return fp16_macs * g.board_energy_per_mac.si + hbm_bytes * 8.0 * g.board_energy_per_hbm_bit.si +
         g.awake_power.si * seconds;
}

double gpu_memory_kernel_seconds(const GpuCard& g, double bytes, double ops) {
  return std::max(bytes / (g.hbm_bandwidth.si / 8.0 * g.memory_efficiency),
                  ops / g.vector_fp32_flops) +
         g.kernel_overhead.si;
}

double gpu_gemm_depth_factor(const GpuCard& g, const std::string& precision, double k) {
  // The tile's fixed work takes the same time at either precision. It is gemm_k_overhead FP16
  // elements at the FP16 rate; at the INT8 rate (achieved, not peak) that time holds this many
  // INT8 elements.
  const double overhead = g.gemm_k_overhead * (peak_rate(g, precision) * efficiency(g, precision)) /
                          (peak_rate(g, "fp16") * efficiency(g, "fp16"));
  return k / (k + overhead);
}

double gpu_gemm_seconds(const GpuCard& g, const std::string& precision, double m, double k,
                        double n, double instances, double bytes, GemmDepth depth) {
  const double fill = std::clamp(m / g.gemm_saturation_tokens, g.gemm_efficiency_floor, 1.0);
  const double deep = depth == GemmDepth::k ? gpu_gemm_depth_factor(g, precision, k) : 1.0;
  const double eta = efficiency(g, precision) * fill * deep;
  const double compute = 2.0 * instances * m * k * n / (peak_rate(g, precision) * eta);
  const double memory = bytes / (g.hbm_bandwidth.si / 8.0 * g.memory_efficiency);
  return std::max(compute, memory) + g.kernel_overhead.si;
}

namespace {

// Ops i, i + 1 and i + 2 are scores, softmax and the product with V, run as one fused kernel.
bool fused_attention_at(const Workload& w, size_t i, bool fused) {
  return fused && i + 2 < w.ops.size() && w.ops[i].kind == OpKind::dynamic_matmul &&
         w.ops[i + 1].kind == OpKind::vector && w.ops[i + 1].vector_kind == VectorKind::softmax &&
         w.ops[i + 2].kind == OpKind::dynamic_matmul;
}

}  // namespace

GpuEvaluation evaluate_gpu(const Workload& w, const GpuCard& g, const GpuOptions& o) {
  if (o.precision != "fp16" && o.precision != "int8")
    panic("evaluate_gpu: unknown precision " + o.precision);
  GpuEvaluation e;
  e.card = g.name;
  e.precision = o.precision;
  e.fused = o.fused;
  const bool int8 = o.precision == "int8";
  const double weight_bytes_per = int8 ? 1.0 : 2.0;  // weights and GEMM inputs
  const double act_bytes = 2.0;                      // FP16 activations between kernels
  const auto& s = w.shape;
  const double group = s.kv_heads > 0 ? static_cast<double>(s.heads) / s.kv_heads : 1.0;

  // Capacity: weights, the KV cache of every layer, and the largest activation. Only a decoder
  // keeps keys and values (for the steps that follow); an encoder's live one layer at a time,
  // inside the activations.
  double weights = static_cast<double>(w.weight_parameters()) * weight_bytes_per;
  const auto& r = w.request;
  const double kv_tokens = r.phase == "decode" ? r.context + 1.0 : r.seq;
  const double d_head = s.heads > 0 ? static_cast<double>(s.d_model) / s.heads : 0;
  const double kv_cache =
      s.style == "decoder" ? 2.0 * s.layers * s.kv_heads * d_head * kv_tokens * r.batch * act_bytes
                           : 0.0;
  // A fused attention kernel (FlashAttention) never writes the score matrix or its softmax.
  double largest_activation = 0;
  for (size_t i = 0; i < w.ops.size(); ++i) {
    if (fused_attention_at(w, i, o.fused)) {
      i += 1;  // the scores and their softmax; the product with V writes its output below
      continue;
    }
    largest_activation = std::max(largest_activation, w.ops[i].output_elements * act_bytes);
  }
  e.memory_needed_bytes = weights + kv_cache + largest_activation;
  const double capacity = g.hbm_capacity.si / 8.0;
  const double gpus_needed = std::ceil(e.memory_needed_bytes / capacity);
  // Tensor parallelism (Megatron-LM: Shoeybi et al., 2019) gives each GPU whole attention
  // heads: the count divides the heads, and divides the KV heads or is a multiple of them (a
  // KV head is then copied to each GPU that serves its queries, as vLLM does). Each GPU holds
  // its share of the weights and activations and its KV heads' cache. The count is the smallest
  // such that holds the model. Where none does (a cache too long for whole KV heads per GPU),
  // the memory is split evenly over ceil(memory / capacity) GPUs as if it could be, a lower
  // bound that the report flags (pipeline parallelism is not modelled).
  const int kv_heads = std::max(1, s.kv_heads);
  e.whole_heads = false;
  for (int t = 1; t <= s.heads; ++t) {
    if (s.heads % t != 0 || (kv_heads % t != 0 && t % kv_heads != 0)) continue;
    const double per_gpu = (weights + largest_activation) / t + kv_cache / std::min(t, kv_heads);
    if (per_gpu <= capacity) {
      e.gpus = t;
      e.whole_heads = true;
      break;
    }
  }
  if (!e.whole_heads) {
    const double gpus_needed = std::ceil(e.memory_needed_bytes / capacity);
    if (!(gpus_needed <= 1e6)) {
      throw UserError(fmt::format(
          "error: {} needs {:.3g} bytes of GPU memory, more than a million {} GPUs hold", w.name,
          e.memory_needed_bytes, g.name));
    }
    e.gpus = static_cast<int>(gpus_needed);
  }
  const double split = e.gpus;

  double compute_time = 0, macs = 0, attention_macs = 0, vector_ops = 0, hbm_bytes = 0;
  auto kernel = [&](double seconds, double bytes) {
    compute_time += seconds;
    hbm_bytes += bytes;
    e.kernels += 1;
  };
  auto memory_kernel = [&](double bytes, double ops) {
    vector_ops += ops;
    kernel(gpu_memory_kernel_seconds(g, bytes / split, ops / split), bytes);
  };

  for (size_t i = 0; i < w.ops.size(); ++i) {
    const Op& op = w.ops[i];
    switch (op.kind) {
      case OpKind::embedding: memory_kernel(2.0 * op.output_elements * act_bytes, 0); break;
      case OpKind::weight_matmul: {
        double n = op.n;
        // Fused: matmuls reading the same input with the same shape run as one GEMM.
        while (o.fused && i + 1 < w.ops.size() && w.ops[i + 1].kind == OpKind::weight_matmul &&
               w.ops[i + 1].inputs == op.inputs && w.ops[i + 1].m == op.m &&
               w.ops[i + 1].k == op.k) {
          n += w.ops[++i].n;
        }
        const double bytes = (op.k * n + op.m * op.k) * weight_bytes_per + op.m * n * act_bytes;
        macs += op.m * op.k * n;
        kernel(gpu_gemm_seconds(g, o.precision, op.m, op.k, n / split, 1, bytes / split), bytes);
        break;
      }
      case OpKind::dynamic_matmul: {
        if (fused_attention_at(w, i, o.fused)) {
          const Op& qk = op;
          const Op& av = w.ops[i + 2];
          const double q = qk.instances * qk.m * qk.k, k = qk.instances * qk.k * qk.n / group;
          const double v = av.instances * av.k * av.n / group, out = av.instances * av.m * av.n;
          // Each GPU reads its queries' share and its KV heads' keys and values: with more GPUs
          // than KV heads, a KV head is read by every GPU it was copied to.
          const double kv_split = std::min(split, static_cast<double>(kv_heads));
          const double bytes_per_gpu = ((q + out) / split + (k + v) / kv_split) * act_bytes;
          attention_macs += qk.macs() + av.macs();
          vector_ops += w.ops[i + 1].vector_ops + w.ops[i + 1].vector_specials;
          // One kernel: both products at the rate of a GEMM with the query rows as M.
          const double flops_as_one = static_cast<double>(qk.macs() + av.macs()) / (qk.m * qk.k);
          kernel(gpu_gemm_seconds(g, "fp16", qk.m, qk.k, flops_as_one / split, 1, bytes_per_gpu,
                                  GemmDepth::unbounded),
                 bytes_per_gpu * split);
          i += 2;
        } else {
          const double bytes =
              (op.instances * (op.m * op.k + op.k * op.n + op.m * op.n)) * act_bytes;
          attention_macs += op.macs();  // activation x activation: FP16, whatever the weights
          kernel(gpu_gemm_seconds(g, "fp16", op.m, op.k, op.n, op.instances / split, bytes / split),
                 bytes);
        }
        break;
      }
      case OpKind::vector: {
        const double ops = op.vector_ops + op.vector_specials;
        if (o.fused && op.vector_kind == VectorKind::elementwise) {
          vector_ops += ops;  // folded into the producing kernel's epilogue
          break;
        }
        double in_elements = 0;
        for (int src : op.inputs) in_elements += w.ops[src].output_elements;
        if (o.fused) in_elements = op.output_elements;  // residuals were fused upstream
        memory_kernel((in_elements + op.output_elements) * act_bytes, ops);
        break;
      }
    }
  }

  // Tensor parallelism: two all-reduces of the hidden state per layer over NVLink.
  double allreduce = 0;
  if (e.gpus > 1) {
    const double tokens = static_cast<double>(r.batch) * (r.phase == "decode" ? 1 : r.seq);
    const double bytes = tokens * s.d_model * act_bytes * 2.0 * (split - 1) / split;
    // NVLink bandwidth is quoted for both directions together; a ring all-reduce uses one.
    allreduce =
        2.0 * s.layers * (bytes / (g.nvlink_bandwidth.si / 2.0 / 8.0) + g.kernel_overhead.si);
  }
  e.latency_s = compute_time + allreduce;
  e.hbm_bytes = hbm_bytes;

  const PerMacEnergy pm = per_mac_energy(g, o.precision);
  const DigitalCosts d = digital_costs(g.node.si, g.supply_voltage.si, 32);
  const double l2_bit =
      sram_buffer_costs(g.l2_size.si, g.node.si, g.supply_voltage.si).energy_per_bit_j;
  // Attention (activation x activation) runs in FP16 whatever the weights' precision.
  const PerMacEnergy attn = per_mac_energy(g, "fp16");
  e.compute_j =
      macs * pm.datapath_j + attention_macs * attn.datapath_j + vector_ops * d.vector_op_energy_j;
  e.on_chip_j =
      macs * pm.operands_j + attention_macs * attn.operands_j + 2.0 * hbm_bytes * 8.0 * l2_bit;
  e.hbm_j = hbm_bytes * 8.0 * g.hbm_energy_per_bit.si;

  // What the board spends beyond the named parts. Per MAC it is per tensor-core instruction, and
  // an INT8 mma (m16n8k32) does twice the MACs of an FP16 one (m16n8k16).
  const GpuNamedEnergy named = gpu_named_energy(g);
  const double fp16_overhead = g.board_energy_per_mac.si - named.fp16_mac_j;
  const double mac_overhead = o.precision == "int8" ? fp16_overhead / 2.0 : fp16_overhead;
  e.compute_overhead_j = macs * mac_overhead + attention_macs * fp16_overhead;
  e.transfer_overhead_j = hbm_bytes * 8.0 * (g.board_energy_per_hbm_bit.si - named.hbm_bit_j);
  e.awake_power_w = g.awake_power.si;
  e.awake_j = e.awake_power_w * e.gpus * e.latency_s;
  return e;
}

}  // namespace cimsim
