#include "models/workload/safetensors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <Eigen/Core>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "models/core/config.hpp"
#include "models/core/error.hpp"

namespace cimsim {

namespace {

std::size_t dtype_size(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16") return 2;
  return 0;
}

}  // namespace

SafeTensors SafeTensors::load(const std::string& path) {
  auto fail = [&](const std::string& what) {
    throw UserError(fmt::format("{}: error: {}", path, what));
  };
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open file (does it exist?)");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8) fail("not a safetensors file: shorter than its 8-byte header length");
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | static_cast<unsigned char>(bytes[i]);
  if (header_len > bytes.size() - 8) {
    fail(fmt::format("corrupt safetensors file: header of {} bytes but the file has {}", header_len,
                     bytes.size()));
  }
  SafeTensors st;
  st.path_ = path;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8,
                                   bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len));
  } catch (const nlohmann::json::parse_error& e) {
    fail(fmt::format("corrupt safetensors header: {}", e.what()));
  }
  if (!header.is_object()) fail("corrupt safetensors header: not a JSON object");
  st.data_.assign(bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_len), bytes.end());
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object())
        fail("corrupt safetensors header: __metadata__ is not an object");
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        if (!m.value().is_string()) fail(fmt::format("metadata '{}' is not a string", m.key()));
        st.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const auto& v = it.value();
    Tensor t;
    try {
      t.dtype = v.at("dtype").get<std::string>();
      t.shape = v.at("shape").get<std::vector<std::int64_t>>();
      auto offsets = v.at("data_offsets").get<std::vector<std::size_t>>();
      if (offsets.size() != 2) throw std::runtime_error("data_offsets must have two entries");
      t.begin = offsets[0];
      t.end = offsets[1];
    } catch (const std::exception& e) {
      fail(fmt::format("tensor '{}': corrupt header entry ({})", it.key(), e.what()));
    }
    std::size_t elements = 1;
    for (auto d : t.shape) {
      if (d < 0) fail(fmt::format("tensor '{}': negative dimension", it.key()));
      elements *= static_cast<std::size_t>(d);
    }
    if (dtype_size(t.dtype) == 0)
      fail(fmt::format("tensor '{}': unsupported dtype {}", it.key(), t.dtype));
    if (t.end < t.begin || t.end > st.data_.size()) {
      fail(fmt::format(
          "tensor '{}': data [{}, {}) lies outside the file's {} data bytes (truncated?)", it.key(),
          t.begin, t.end, st.data_.size()));
    }
    if (t.end - t.begin != elements * dtype_size(t.dtype)) {
      fail(fmt::format("tensor '{}': {} bytes of data for shape [{}] of {}", it.key(),
                       t.end - t.begin, fmt::join(t.shape, ", "), t.dtype));
    }
    st.tensors_[it.key()] = t;
  }
  return st;
}

const SafeTensors::Tensor& SafeTensors::find(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    std::vector<std::string> names;
    for (const auto& [n, t] : tensors_) names.push_back(n);
    std::string hint = closest_match(name, names);
    throw UserError(fmt::format("{}: error: missing tensor '{}'{}", path_, name,
                                hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
  }
  return it->second;
}

std::vector<std::int64_t> SafeTensors::shape(const std::string& name) const {
  return find(name).shape;
}

const std::string& SafeTensors::meta(const std::string& key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end())
    throw UserError(fmt::format("{}: error: missing metadata '{}'", path_, key));
  return it->second;
}

std::vector<float> SafeTensors::floats(const Tensor& t, const std::string& name) const {
  const char* p = data_.data() + t.begin;
  const std::size_t n = (t.end - t.begin) / dtype_size(t.dtype);
  std::vector<float> out(n);
  if (t.dtype == "F32") {
    std::memcpy(out.data(), p, n * 4);
  } else if (t.dtype == "F16") {
    for (std::size_t i = 0; i < n; ++i) {
      std::uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      out[i] = static_cast<float>(Eigen::numext::bit_cast<Eigen::half>(bits));
    }
  } else if (t.dtype == "BF16") {
    for (std::size_t i = 0; i < n; ++i) {
      std::uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
      std::memcpy(&out[i], &wide, 4);
    }
  } else {
    throw UserError(
        fmt::format("{}: error: tensor '{}' is {}, expected floating point", path_, name, t.dtype));
  }
  // A NaN or infinity would reach the quantizers as an undefined integer; say where it is.
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(out[i]))
      throw UserError(
          fmt::format("{}: error: tensor '{}' element {} is {}, expected a finite number", path_,
                      name, i, out[i]));
  }
  return out;
}

Eigen::MatrixXf SafeTensors::matrix(const std::string& name, std::int64_t rows,
                                    std::int64_t cols) const {
  const Tensor& t = find(name);
  if (t.shape != std::vector<std::int64_t>{rows, cols}) {
    throw UserError(fmt::format("{}: error: tensor '{}' has shape [{}], expected [{}, {}]", path_,
                                name, fmt::join(t.shape, ", "), rows, cols));
  }
  std::vector<float> v = floats(t, name);
  return Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      v.data(), rows, cols);
}

Eigen::VectorXf SafeTensors::vector(const std::string& name, std::int64_t n) const {
  const Tensor& t = find(name);
  if (t.shape != std::vector<std::int64_t>{n}) {
    throw UserError(fmt::format("{}: error: tensor '{}' has shape [{}], expected [{}]", path_, name,
                                fmt::join(t.shape, ", "), n));
  }
  std::vector<float> v = floats(t, name);
  return Eigen::Map<Eigen::VectorXf>(v.data(), n);
}

std::vector<std::int32_t> SafeTensors::ints(const std::string& name) const {
  const Tensor& t = find(name);
  if (t.dtype != "I32")
    throw UserError(
        fmt::format("{}: error: tensor '{}' is {}, expected I32", path_, name, t.dtype));
  std::vector<std::int32_t> out((t.end - t.begin) / 4);
  std::memcpy(out.data(), data_.data() + t.begin, out.size() * 4);
  return out;
}

}  // namespace cimsim
