// Output files: cimsim replaces only files it wrote itself.
//
// A command checks every output path before it runs, so that a refusal never throws away a
// long simulation: an output must not be one of the command's inputs, and a file already at
// the path must be empty or begin the way cimsim begins that kind of file (its signature: a
// CSV's first columns, a JSON report's first key, the resolved configuration's comment). An
// earlier result is replaced; a user's own file is not ("nothing a user wrote is lost or
// overwritten without asking": the user removes it or names another path).
#pragma once

#include <ios>
#include <string>
#include <string_view>
#include <vector>

namespace cimsim {

// A kind of file cimsim writes, and how such a file begins.
struct OutputKind {
  std::string_view name;       // for messages: "JSON report"
  std::string_view signature;  // its first bytes
};

struct OutputPath {
  std::string path;    // as the user gave it
  std::string option;  // the option that named it, for the message ("--json")
  OutputKind kind;
};

// Throws a UserError (exit 2) naming the path, the option and the reason when an output would
// overwrite an input (`inputs`: files the command reads), another output of the same command,
// a folder, or a file cimsim did not write.
void check_output_paths(const std::vector<OutputPath>& outputs,
                        const std::vector<std::string>& inputs);

// True for a stream or device the user names (/dev/stdout, /dev/fd/3, /proc/self/fd/1): it is
// written to, never checked or replaced.
bool is_stream_path(const std::string& path);
// How to open an output: appending to a stream (so `--csv /dev/stdout >> log` keeps the log),
// replacing a file.
std::ios::openmode output_open_mode(const std::string& path);
// Writes `text` to `path` in output_open_mode, making its folder first. A failed open or write
// (a full disk, /dev/full) is a UserError naming the path: a lost result never exits 0.
void write_output_file(const std::string& path, const std::string& text);

namespace output_kind {
inline constexpr OutputKind report_json{"cimsim JSON report", "{\n  \"cimsim_version\""};
inline constexpr OutputKind accuracy_json{"cimsim accuracy report", "{\n  \"model\""};
inline constexpr OutputKind resolved_yaml{"cimsim resolved configuration",
                                          "# Fully resolved configuration written by cimsim"};
inline constexpr OutputKind per_op_csv{"cimsim per-op CSV", "op,name,kind,"};
inline constexpr OutputKind sweep_csv{"cimsim sweep CSV", "point,"};
inline constexpr OutputKind link_csv{"cimsim link CSV",
                                     "from_x,from_y,to_x,to_y,direction,utilization"};
inline constexpr OutputKind router_csv{"cimsim router CSV", "x,y,chiplet,output_ports,"};
inline constexpr OutputKind validation_markdown{"cimsim validation table",
                                                "| chip | point | source |"};
}  // namespace output_kind

}  // namespace cimsim
