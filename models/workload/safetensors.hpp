// Reads the safetensors format (huggingface/safetensors): an 8-byte little-endian header length,
// a JSON header naming each tensor's dtype, shape and byte range, then the raw data. F32, F16,
// BF16 and I32 tensors are read; every problem (missing file, truncated data, bad header, a
// missing tensor, a wrong shape) is a UserError naming the file and the tensor.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cimsim {

class SafeTensors {
 public:
  static SafeTensors load(const std::string& path);

  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  std::vector<std::int64_t> shape(const std::string& name) const;
  // A 2-D tensor of exactly rows x cols, row-major on disk, as a float matrix.
  Eigen::MatrixXf matrix(const std::string& name, std::int64_t rows, std::int64_t cols) const;
  // A 1-D tensor of exactly n elements.
  Eigen::VectorXf vector(const std::string& name, std::int64_t n) const;
  std::vector<std::int32_t> ints(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // A metadata value, or a UserError naming the missing key.
  const std::string& meta(const std::string& key) const;
  const std::string& path() const { return path_; }

 private:
  struct Tensor {
    std::string dtype;
    std::vector<std::int64_t> shape;
    std::size_t begin = 0, end = 0;
  };
  const Tensor& find(const std::string& name) const;
  std::vector<float> floats(const Tensor& t, const std::string& name) const;

  std::string path_;
  std::vector<char> data_;  // the bytes after the header
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace cimsim
