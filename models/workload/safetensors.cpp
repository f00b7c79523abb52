#include "models/workload/safetensors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

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
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (ec) fail("cannot read the file's size");
  if (file_size < 8) fail("not a safetensors file: shorter than its 8-byte header length");
  unsigned char length_bytes[8];
  in.read(reinterpret_cast<char*>(length_bytes), 8);
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | length_bytes[i];
  if (header_len > file_size - 8) {
    fail(fmt::format("corrupt safetensors file: header of {} bytes but the file has {}", header_len,
                     file_size));
  }
  std::string header_text(static_cast<std::size_t>(header_len), '\0');
  in.read(header_text.data(), static_cast<std::streamsize>(header_len));
  if (!in) fail("cannot read the safetensors header");
  const std::uint64_t data_size = file_size - 8 - header_len;

  SafeTensors st;
  st.path_ = path;
  nlohmann::json header;
  // A tensor named twice would be read as whichever came last: refuse it.
  std::string duplicate;
  std::set<std::string> names;
  const nlohmann::json::parser_callback_t note_keys =
      [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (event == nlohmann::json::parse_event_t::key && depth == 1 &&
            !names.insert(parsed.get<std::string>()).second && duplicate.empty())
          duplicate = parsed.get<std::string>();
        return true;
      };
  try {
    header = nlohmann::json::parse(header_text, note_keys);
  } catch (const nlohmann::json::parse_error& e) {
    fail(fmt::format("corrupt safetensors header: {}", e.what()));
  }
  if (!header.is_object()) fail("corrupt safetensors header: not a JSON object");
  if (!duplicate.empty()) fail(fmt::format("tensor '{}' is named twice in the header", duplicate));
  // Whole non-negative integers, not 30.5 read as 30.
  auto whole = [&](const nlohmann::json& j, const std::string& tensor, const char* field) {
    if (!j.is_number_unsigned())
      fail(fmt::format("tensor '{}': {} entry {} is not a whole number >= 0", tensor, field,
                       j.dump()));
    return j.get<std::uint64_t>();
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> extents;
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
    if (!v.is_object() || !v.contains("dtype") || !v["dtype"].is_string() || !v.contains("shape") ||
        !v["shape"].is_array() || !v.contains("data_offsets") || !v["data_offsets"].is_array() ||
        v["data_offsets"].size() != 2) {
      fail(
          fmt::format("tensor '{}': corrupt header entry (expected dtype, shape and two "
                      "data_offsets)",
                      it.key()));
    }
    t.dtype = v["dtype"].get<std::string>();
    // Elements in a 64-bit count: a shape such as [2^62, 4] must not wrap to a small one.
    std::uint64_t elements = 1;
    for (const auto& d : v["shape"]) {
      const std::uint64_t n = whole(d, it.key(), "shape");
      if (n != 0 && elements > std::numeric_limits<std::uint64_t>::max() / 8 / n)
        fail(fmt::format("tensor '{}': shape {} has more elements than any file holds", it.key(),
                         v["shape"].dump()));
      elements *= n;
      t.shape.push_back(static_cast<std::int64_t>(n));
    }
    t.begin = whole(v["data_offsets"][0], it.key(), "data_offsets");
    t.end = whole(v["data_offsets"][1], it.key(), "data_offsets");
    if (dtype_size(t.dtype) == 0)
      fail(fmt::format("tensor '{}': unsupported dtype {}", it.key(), t.dtype));
    if (t.end < t.begin || t.end > data_size) {
      fail(fmt::format(
          "tensor '{}': data [{}, {}) lies outside the file's {} data bytes (truncated?)", it.key(),
          t.begin, t.end, data_size));
    }
    if (t.end - t.begin != elements * dtype_size(t.dtype)) {
      fail(fmt::format("tensor '{}': {} bytes of data for shape [{}] of {}", it.key(),
                       t.end - t.begin, fmt::join(t.shape, ", "), t.dtype));
    }
    extents.emplace_back(t.begin, t.end);
    st.tensors_[it.key()] = t;
  }
  // The format indexes the whole data buffer, with no overlaps and no holes (huggingface
  // safetensors, "Format"): overlapping tensors could describe a huge model in a small file.
  std::sort(extents.begin(), extents.end());
  std::uint64_t covered = 0;
  for (const auto& [begin, end] : extents) {
    if (begin != covered) {
      fail(fmt::format("corrupt safetensors file: data bytes from {} to {} {}",
                       std::min(begin, covered), std::max(begin, covered),
                       begin < covered ? "belong to two tensors" : "belong to no tensor"));
    }
    covered = end;
  }
  if (covered != data_size) {
    fail(fmt::format("corrupt safetensors file: data bytes from {} to {} belong to no tensor",
                     covered, data_size));
  }
  st.data_.resize(static_cast<std::size_t>(data_size));
  in.read(st.data_.data(), static_cast<std::streamsize>(data_size));
  if (!in) fail("cannot read the tensor data (truncated?)");
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
