#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "models/core/error.hpp"
#include "models/core/output_file.hpp"

using namespace cimsim;
namespace fs = std::filesystem;

namespace {

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST_CASE("an output replaces only an earlier result of the same kind", "[output]") {
  const fs::path dir = fs::temp_directory_path() / "cimsim_test_output_file";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string absent = (dir / "new.csv").string();
  const std::string earlier = write(dir / "earlier.csv", "point,crossbar.rows,status\n0,128,ok\n");
  const std::string empty = write(dir / "empty.csv", "");
  const std::string users = write(dir / "notes.csv", "point\n");  // shorter than the signature
  const std::string arch = write(dir / "arch.yaml", "name: x\n");

  auto sweep_csv = [](const std::string& path) {
    return std::vector<OutputPath>{{path, "--csv", output_kind::sweep_csv}};
  };
  CHECK_NOTHROW(check_output_paths(sweep_csv(absent), {arch}));
  CHECK_NOTHROW(check_output_paths(sweep_csv(earlier), {arch}));
  CHECK_NOTHROW(check_output_paths(sweep_csv(empty), {arch}));
  CHECK_NOTHROW(check_output_paths(sweep_csv(""), {arch}));  // not asked for
  CHECK_THROWS_WITH(check_output_paths(sweep_csv(users), {arch}),
                    users +
                        ": error: --csv would overwrite a file that is not a cimsim sweep CSV "
                        "(cimsim replaces only its own results); remove it or choose another path");
  // Another kind's file is not this kind's earlier result.
  CHECK_THROWS_AS(check_output_paths({{earlier, "--csv", output_kind::per_op_csv}}, {}), UserError);
  // An input, under another spelling of its path.
  const std::string arch_again = (dir / "." / "arch.yaml").string();
  CHECK_THROWS_WITH(check_output_paths(sweep_csv(arch_again), {arch}),
                    arch_again +
                        ": error: --csv names a file this command reads; choose another "
                        "path");
  CHECK_THROWS_WITH(check_output_paths({{absent, "--json", output_kind::report_json},
                                        {absent, "--csv", output_kind::per_op_csv}},
                                       {}),
                    absent + ": error: --csv names the same file as --json; choose another path");
  CHECK_THROWS_WITH(check_output_paths(sweep_csv(dir.string()), {}),
                    dir.string() + ": error: --csv names a folder; expected a file path");
  fs::remove_all(dir);
}
