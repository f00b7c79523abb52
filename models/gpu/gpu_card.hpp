// A GPU card: the datasheet figures of the von Neumann baseline plus its achieved-efficiency
// factors, each with its source (configs/gpu/*.yaml).
#pragma once

#include <string>

#include "models/core/config.hpp"
#include "models/core/units.hpp"

namespace cimsim {

struct GpuCard {
  std::string name;
  Length node;
  Voltage supply_voltage;
  double tensor_fp16_flops = 0;  // dense, per second
  double tensor_int8_ops = 0;
  double vector_fp32_flops = 0;
  int sms = 0;
  Frequency clock;
  DataSize hbm_capacity;
  Bandwidth hbm_bandwidth;
  EnergyPerBit hbm_energy_per_bit;
  DataSize l2_size;
  DataSize register_file_per_sm;
  DataSize shared_memory_per_sm;
  Bandwidth nvlink_bandwidth;
  Power tdp;
  double gemm_efficiency = 0;
  double gemm_saturation_tokens = 0;
  double gemm_efficiency_floor = 0;
  // Fixed work per output tile (prologue, epilogue), in FP16 K elements: a GEMM of depth K runs
  // at K / (K + gemm_k_overhead) of the rate of an infinitely deep one.
  double gemm_k_overhead = 0;
  double memory_efficiency = 0;
  double int8_gemm_efficiency = 0;  // the INT8 counterpart of gemm_efficiency
  Time kernel_overhead;
  // Board power (docs/gpu-model.md section 5): with the clocks up and no kernel running, and the
  // all-in board energy per FP16 tensor MAC and per bit moved to or from HBM.
  Power awake_power;
  Energy board_energy_per_mac;
  EnergyPerBit board_energy_per_hbm_bit;
};

// `name_or_file`: a card in configs/gpu/ (a100_sxm4_80gb, or its name A100-SXM4-80GB) or a path
// to a YAML card. Every number in a card carries its source.
GpuCard load_gpu_card(const std::string& name_or_file, ResolvedConfig* resolved);
GpuCard parse_gpu_card(const ConfigNode& node);

}  // namespace cimsim
