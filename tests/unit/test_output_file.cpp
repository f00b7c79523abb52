#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/accuracy_report.hpp"
#include "cli/chip_validation.hpp"
#include "cli/report.hpp"
#include "cli/sweep.hpp"
#include "hw/mesh/report.hpp"
#include "hw/system/chip_replay.hpp"
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
  // Two spellings of one file not written yet.
  const std::string again = (dir / "sub" / ".." / "new.csv").string();
  fs::create_directories(dir / "sub");
  CHECK_THROWS_WITH(check_output_paths({{absent, "--json", output_kind::report_json},
                                        {again, "--csv", output_kind::per_op_csv}},
                                       {}),
                    again + ": error: --csv names the same file as --json; choose another path");
  // A folder on the way that is a file: refused before the run, not when writing after it.
  const std::string under_file = (dir / "arch.yaml" / "out.csv").string();
  CHECK_THROWS_WITH(check_output_paths(sweep_csv(under_file), {}),
                    under_file + ": error: --csv needs a folder '" + arch + "', which is a file");
  // A terminal, a pipe or /dev/null is written to, not replaced.
  CHECK_NOTHROW(check_output_paths(sweep_csv("/dev/null"), {}));
  const std::string fifo = (dir / "fifo").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_NOTHROW(check_output_paths(sweep_csv(fifo), {}));  // would block if it were read
  fs::remove_all(dir);
}

TEST_CASE("every writer begins its file with its kind's signature", "[output]") {
  auto begins = [](const std::string& text, const OutputKind& kind) {
    return text.compare(0, kind.signature.size(), kind.signature) == 0;
  };
  RunRequest request;
  request.arch_file = std::string(CIMSIM_SOURCE_DIR) + "/configs/arch/reram_chiplets.yaml";
  request.workload = "bert-base";
  request.workload_request.seq = 16;
  const RunResult run = run_analytical(request);
  CHECK(begins(report_json(run).dump(2) + "\n", output_kind::report_json));
  CHECK(begins(per_op_csv(run), output_kind::per_op_csv));
  CHECK(begins(run.resolved.to_yaml(), output_kind::resolved_yaml));
  CHECK(begins(accuracy_json(AccuracyReport{}).dump(2), output_kind::accuracy_json));
  CHECK(begins(sweep_csv(SweepResult{}), output_kind::sweep_csv));
  CHECK(begins(chip_validation_markdown({}), output_kind::validation_markdown));

  std::ostringstream mesh_links;
  write_link_utilization_csv(MeshStats{}, mesh_links);
  CHECK(begins(mesh_links.str(), output_kind::link_csv));
  const fs::path dir = fs::temp_directory_path() / "cimsim_test_output_writers";
  fs::create_directories(dir);
  write_link_csv(ChipReplayResult{}, (dir / "links.csv").string());
  write_router_csv(ChipReplayResult{}, (dir / "routers.csv").string());
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(begins(read(dir / "links.csv"), output_kind::link_csv));
  CHECK(begins(read(dir / "routers.csv"), output_kind::router_csv));
  fs::remove_all(dir);
}
