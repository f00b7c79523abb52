// The configuration language: YAML read once into typed values, with file:line:col marks.
//
// Every getter names the key it reads, so a node knows the keys its parser understands; finish()
// then rejects any other key with a "did you mean" hint (typos are the most common config bug).
// A value may be written plain (`rows: 256`) or with its source
// (`read_voltage: {value: 0.2V, source: "Wong et al., Proc. IEEE 2012"}`); technology cards
// require the second form for every number. A node can be layered over a fallback (a preset):
// keys present here override the preset key by key. Every value read is recorded, with its
// source, in a ResolvedConfig that a run writes beside its results.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/core/error.hpp"
#include "models/core/units.hpp"

namespace cimsim {

// Every value the parsers read, in reading order, with where it came from.
class ResolvedConfig {
 public:
  struct Entry {
    std::string path;
    std::string value;
    std::string source;
  };
  void set(const std::string& path, std::string value, std::string source);
  const std::vector<Entry>& entries() const { return entries_; }
  // Nested YAML, each value as {value: ..., source: ...}: loadable again as an architecture.
  std::string to_yaml() const;

 private:
  std::vector<Entry> entries_;
  std::map<std::string, size_t> index_;
};

struct ConfigDocument {
  std::string file;  // as shown in messages
  YAML::Node root;
  bool numbers_need_source = false;  // technology cards: every number carries a source
};

class ConfigNode {
 public:
  // Loads a YAML file. Missing file, unreadable file and YAML syntax errors are UserErrors.
  // `display_name` names the file in messages and sources (default: `path`).
  static ConfigNode load_file(const std::string& path, ResolvedConfig* resolved,
                              bool numbers_need_source = false, std::string key_path = "",
                              std::string display_name = "");
  // A technology or link card: as load_file with numbers_need_source, but each thread keeps the
  // parsed documents and parses a file again only when its bytes change (a sweep reads the
  // same cards for every design point).
  static ConfigNode load_card(const std::string& path, ResolvedConfig* resolved,
                              std::string key_path, std::string display_name);
  // Parses YAML text (tests, CLI overrides). `file` names it in messages.
  static ConfigNode load_string(const std::string& text, const std::string& file,
                                ResolvedConfig* resolved, bool numbers_need_source = false);

  // Keys present here win; other keys come from `fallback` (a preset).
  ConfigNode with_fallback(const ConfigNode& fallback) const;

  const std::string& path() const { return path_; }
  SourceLocation location() const;
  // Where `key`'s value was written (this node's location when the key is absent), for errors
  // found after parsing (e.g. when a workload meets the architecture).
  SourceLocation location_of_key(std::string_view key) const;
  // The items of the sequence at `key` (a scalar is a list of one, a null an empty list), each a
  // node of this document that keeps its file:line.
  std::vector<ConfigNode> items(std::string_view key) const;
  // This node's own text when it is a plain scalar; an error at its line otherwise.
  std::string scalar_string() const;
  // A map {a: {b: value}} built from (dotted key path, value) pairs, the values nodes of one
  // document: parsers read it like a file, and messages point at the values' own lines. Sweeps
  // lay one design point over an architecture with it (with_fallback).
  static ConfigNode nest(const std::vector<std::pair<std::string, ConfigNode>>& values);
  // This map, made by nest(), with new values of the same document for the same key paths: its
  // leaves are re-pointed, no node is made. A sweep lays millions of points over one
  // architecture, and yaml-cpp joins the node memory of every document a node is assigned
  // from, so nesting each point's values afresh would need a fresh parse of the sweep file.
  ConfigNode renest(const std::vector<std::pair<std::string, ConfigNode>>& values) const;
  std::string key_path(std::string_view key) const;

  bool has(std::string_view key) const;
  // True when `key` is written in this node's own layer, not only in a fallback under it (a
  // validation point's override over its architecture, an architecture over its preset).
  bool written_here(std::string_view key) const { return own(key) != nullptr; }
  ConfigNode child(std::string_view key) const;
  std::optional<ConfigNode> optional_child(std::string_view key) const;

  std::string string(std::string_view key, std::optional<std::string> fallback = {}) const;
  std::string choice(std::string_view key, const std::vector<std::string>& options,
                     std::optional<std::string> fallback = {}) const;
  std::int64_t integer(std::string_view key, std::int64_t lo, std::int64_t hi,
                       std::optional<std::int64_t> fallback = {}) const;
  double number(std::string_view key, double lo, double hi,
                std::optional<double> fallback = {}) const;
  bool boolean(std::string_view key, std::optional<bool> fallback = {}) const;
  // A YAML sequence of plain numbers, each in [lo, hi] (fitted-model metadata, not cards).
  std::vector<double> number_list(std::string_view key, double lo, double hi) const;

  // A value with a unit. Range bounds are in SI units; `lo` is exclusive when `lo_exclusive`.
  template <Dim D>
  Quantity<D> quantity(std::string_view key, std::optional<double> fallback_si = {},
                       double lo = 0.0, double hi = std::numeric_limits<double>::infinity(),
                       bool lo_exclusive = true) const {
    return Quantity<D>(quantity_si(key, D, fallback_si, lo, hi, lo_exclusive));
  }

  // Marks a key as understood without reading it through a typed getter.
  void allow(std::string_view key) const;
  // A free-text key the models do not read (description, source): allowed, and when written here
  // it must be text (a list would be dropped without a word).
  void free_text(std::string_view key) const;
  // The key paths the whole document's parser reads (its parameter documentation), inherited by
  // every section: a key that this section does not read but another does is then reported
  // with the paths that read it ('rows' written under tile: did you mean 'crossbar.rows'?).
  ConfigNode with_key_homes(std::shared_ptr<const std::vector<std::string>> key_paths) const;
  // Rejects every key present that no getter asked for. Call after reading all keys.
  void finish() const;
  // Throws a UserError located at `key` (or at this node when the key is absent).
  [[noreturn]] void fail(std::string_view key, const std::string& what) const;

  ResolvedConfig* resolved() const { return resolved_; }
  // The keys of this mapping (and its fallback), in file order, for open-ended maps.
  std::vector<std::string> keys() const;

 private:
  ConfigNode(std::shared_ptr<const ConfigDocument> doc, YAML::Node node, std::string path,
             ResolvedConfig* resolved);

  struct Found {
    YAML::Node value;  // the value itself (unwrapped from {value, source})
    const ConfigDocument* doc;
    std::string source;  // the explicit source (source_of gives file:line without one)
    bool explicit_source;
  };
  std::optional<Found> find(std::string_view key) const;
  // This mapping's own value at `key` (not its fallback's), or null.
  const YAML::Node* own(std::string_view key) const;
  // `expected` is text, or a function that formats it (only when the value is refused).
  template <typename Expected>
  std::string scalar_text(std::string_view key, const Found& f, const Expected& expected) const;
  // The source a value was read with: its explicit source, else its file:line.
  std::string source_of(const Found& f) const;
  double quantity_si(std::string_view key, Dim d, std::optional<double> fallback_si, double lo,
                     double hi, bool lo_exclusive) const;
  [[noreturn]] void missing(std::string_view key, const std::string& expected) const;
  // Cards (technology, link, GPU) give every number with its source.
  void require_source(const Found& f, std::string_view key, const std::string& text) const;
  void record(std::string_view key, const std::string& value, const std::string& source) const;
  SourceLocation location_of(const YAML::Node& n, const ConfigDocument* doc) const;
  [[noreturn]] void fail_at(const Found& f, std::string_view key, const std::string& what) const;
  // The full paths of `key` in the other sections that read it ("'crossbar.rows' or
  // 'package.mesh.rows'"); "" for none.
  std::string elsewhere(std::string_view key) const;

  std::shared_ptr<const ConfigDocument> doc_;
  YAML::Node node_;
  std::string path_;
  ResolvedConfig* resolved_;
  std::shared_ptr<std::set<std::string, std::less<>>> asked_;
  std::shared_ptr<ConfigNode> fallback_;
  std::shared_ptr<const std::vector<std::string>> key_homes_;
  // This mapping's entries, listed on the first look-up. They are handles to the entry nodes, so
  // a map re-pointed by renest() shows its new values through them.
  mutable std::shared_ptr<const std::vector<std::pair<std::string, YAML::Node>>> index_;
};

// A whole file as text; a UserError naming the file when it cannot be opened.
std::string read_text_file(const std::string& path);
// A UserError naming `path` when it is a directory (input files only).
void require_regular_file(const std::string& path);

// Levenshtein distance; used for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a sensible distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
// True for text with nothing but spaces and tabs: a required name or path left empty.
inline bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace cimsim
