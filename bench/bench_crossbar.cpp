// Functional crossbar throughput against a plain Eigen float GEMM of the same shape.
//
//   ./build/bench/cimsim_bench --benchmark_filter=Crossbar
//
// The target: the crossbar model costs at most (input planes x weight slices) x 2 of the
// plain GEMM. Report both counters' ratio.
#include <benchmark/benchmark.h>

#include <random>

#include "models/arch/arch_spec.hpp"
#include "models/xbar/crossbar.hpp"

namespace {

using namespace cimsim;

constexpr int kM = 128, kK = 768, kN = 768;  // one BERT-base projection at sequence 128

Eigen::MatrixXf random_matrix(int r, int c, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  Eigen::MatrixXf m(r, c);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = g(rng);
  return m;
}

void BM_PlainGemm(benchmark::State& state) {
  Eigen::MatrixXf x = random_matrix(kM, kK, 1), w = random_matrix(kK, kN, 2);
  for (auto _ : state) {
    Eigen::MatrixXf y = x * w;
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["MAC_per_s"] =
      benchmark::Counter(double(kM) * kK * kN * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_CrossbarReram(benchmark::State& state) {
  ArchSpec arch =
      load_arch(std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml", nullptr);
  XbarSpec spec = XbarSpec::from_arch(arch);  // 8-bit inputs bit-serial, 8-bit weights, 2 bits/cell
  Nonidealities noise;
  noise.programming_variation = state.range(0) != 0;
  noise.read_noise = state.range(0) != 0;
  Eigen::MatrixXf x = random_matrix(kM, kK, 1), w = random_matrix(kK, kN, 2);
  ProgrammedMatrix xbar(w, spec, DeviceSpec::from_arch(arch), noise, true);
  std::uint64_t call = 0;
  for (auto _ : state) {
    Eigen::MatrixXf y = xbar.multiply(x, ++call);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["MAC_per_s"] =
      benchmark::Counter(double(kM) * kK * kN * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["planes_x_slices_x2"] = 8.0 * xbar.slices() * 2.0;
}

BENCHMARK(BM_PlainGemm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CrossbarReram)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
