#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "models/core/error.hpp"
#include "models/workload/safetensors.hpp"

using namespace cimsim;

namespace {

// Writes a safetensors file holding F32 tensors; `truncate` drops bytes from the end.
std::string write_file(
    const std::string& name,
    const std::vector<std::pair<std::string, std::vector<std::int64_t>>>& tensors,
    std::size_t truncate = 0) {
  nlohmann::json header;
  std::vector<float> data;
  for (const auto& [tensor, shape] : tensors) {
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    std::size_t begin = data.size() * 4;
    for (std::size_t i = 0; i < n; ++i) data.push_back(static_cast<float>(data.size()));
    header[tensor] = {
        {"dtype", "F32"}, {"shape", shape}, {"data_offsets", {begin, data.size() * 4}}};
  }
  header["__metadata__"] = {{"n_layer", "1"}};
  std::string h = header.dump();
  auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream out(path, std::ios::binary);
  std::uint64_t len = h.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
  out << h;
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size() * 4 - truncate));
  return path;
}

// Writes a safetensors file from a header's JSON text and `data_bytes` zero bytes of data.
std::string write_raw(const std::string& name, const std::string& header, std::size_t data_bytes) {
  auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream out(path, std::ios::binary);
  std::uint64_t len = header.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
  out << header << std::string(data_bytes, '\0');
  return path;
}

}  // namespace

TEST_CASE("safetensors: a header that does not index its data exactly once is refused",
          "[safetensors]") {
  const std::string a = R"("a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})";
  // Two tensors on the same bytes (a small file describing a huge model).
  REQUIRE_THROWS_WITH(
      SafeTensors::load(write_raw(
          "cimsim_overlap.safetensors",
          "{" + a + R"(, "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 8)),
      Catch::Contains("data bytes from 0 to 8 belong to two tensors"));
  // Bytes no tensor owns (a hole, or padding after the last tensor).
  REQUIRE_THROWS_WITH(SafeTensors::load(write_raw("cimsim_hole.safetensors", "{" + a + "}", 12)),
                      Catch::Contains("data bytes from 8 to 12 belong to no tensor"));
  // A tensor named twice (JSON keeps the last).
  REQUIRE_THROWS_WITH(
      SafeTensors::load(write_raw("cimsim_twice.safetensors", "{" + a + ", " + a + "}", 8)),
      Catch::Contains("tensor 'a' is named twice"));
  // A shape or offset that is not a whole number, and a shape whose element count wraps.
  REQUIRE_THROWS_WITH(SafeTensors::load(write_raw(
                          "cimsim_float_shape.safetensors",
                          R"({"a": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}})", 8)),
                      Catch::Contains("tensor 'a': shape entry 2.5 is not a whole number"));
  REQUIRE_THROWS_WITH(SafeTensors::load(write_raw(
                          "cimsim_float_offset.safetensors",
                          R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8.5]}})", 8)),
                      Catch::Contains("tensor 'a': data_offsets entry 8.5 is not a whole number"));
  REQUIRE_THROWS_WITH(
      SafeTensors::load(write_raw(
          "cimsim_wrap.safetensors",
          R"({"a": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}})",
          0)),
      Catch::Contains("has more elements than any file holds"));
}

TEST_CASE("safetensors: tensors read back row-major with their metadata", "[safetensors]") {
  auto path = write_file("cimsim_ok.safetensors", {{"a", {2, 3}}, {"b", {4}}});
  SafeTensors st = SafeTensors::load(path);
  Eigen::MatrixXf a = st.matrix("a", 2, 3);
  CHECK(a(0, 1) == 1.0f);
  CHECK(a(1, 0) == 3.0f);
  CHECK(st.vector("b", 4)(3) == 9.0f);
  CHECK(st.meta("n_layer") == "1");
}

TEST_CASE("safetensors: missing, truncated and mis-shaped input are clear user errors",
          "[safetensors]") {
  REQUIRE_THROWS_WITH(SafeTensors::load("/nonexistent/model.safetensors"),
                      "/nonexistent/model.safetensors: error: cannot open file (does it exist?)");
  auto truncated = write_file("cimsim_trunc.safetensors", {{"a", {2, 3}}}, 4);
  REQUIRE_THROWS_WITH(
      SafeTensors::load(truncated),
      Catch::Contains(
          "tensor 'a': data [0, 24) lies outside the file's 20 data bytes (truncated?)"));
  auto path = write_file("cimsim_shape.safetensors", {{"h.0.attn.c_attn.weight", {2, 3}}});
  SafeTensors st = SafeTensors::load(path);
  REQUIRE_THROWS_WITH(
      st.matrix("h.0.attn.c_attn.weight", 3, 2),
      Catch::Contains("tensor 'h.0.attn.c_attn.weight' has shape [2, 3], expected [3, 2]"));
  REQUIRE_THROWS_WITH(
      st.matrix("h.0.attn.c_atn.weight", 2, 3),
      Catch::Contains(
          "missing tensor 'h.0.attn.c_atn.weight' (did you mean 'h.0.attn.c_attn.weight'?)"));
  REQUIRE_THROWS_WITH(st.meta("n_head"), Catch::Contains("missing metadata 'n_head'"));
  // A header length beyond the file.
  auto bogus = (std::filesystem::temp_directory_path() / "cimsim_bogus.safetensors").string();
  std::ofstream(bogus, std::ios::binary) << std::string("\xff\xff\x00\x00\x00\x00\x00\x00{}", 10);
  REQUIRE_THROWS_WITH(SafeTensors::load(bogus),
                      Catch::Contains("corrupt safetensors file: header of 65535 bytes"));
}

TEST_CASE("safetensors: a NaN or infinity in a tensor is a user error naming the element",
          "[safetensors]") {
  auto path = write_file("cimsim_nan.safetensors", {{"h.0.attn.c_attn.weight", {2, 3}}});
  {
    // Overwrite the last value (element 5) with a NaN.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-4, std::ios::end);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    f.write(reinterpret_cast<const char*>(&nan), 4);
  }
  SafeTensors st = SafeTensors::load(path);
  REQUIRE_THROWS_WITH(
      st.matrix("h.0.attn.c_attn.weight", 2, 3),
      Catch::Contains(
          "tensor 'h.0.attn.c_attn.weight' element 5 is nan, expected a finite number"));
}
