#include "models/core/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

namespace cimsim {

// ---------------------------------------------------------------- ResolvedConfig

void ResolvedConfig::set(const std::string& path, std::string value, std::string source) {
  auto it = index_.find(path);
  if (it != index_.end()) {
    entries_[it->second] = {path, std::move(value), std::move(source)};
    return;
  }
  index_[path] = entries_.size();
  entries_.push_back({path, std::move(value), std::move(source)});
}

std::string ResolvedConfig::to_yaml() const {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& e : entries_) {
    std::vector<std::string> parts;
    std::stringstream ss(e.path);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    // Walk with fresh handles: yaml-cpp nodes are references, so assignment would alias.
    std::vector<YAML::Node> chain{root};
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      // "ports[2]": the third map of the list under "ports".
      const std::size_t open = parts[i].find('[');
      if (open == std::string::npos) {
        chain.push_back(chain.back()[parts[i]]);
        continue;
      }
      const std::string name = parts[i].substr(0, open);
      const std::size_t index = std::stoul(parts[i].substr(open + 1));
      if (!chain.back()[name].IsSequence())
        chain.back()[name] = YAML::Node(YAML::NodeType::Sequence);
      YAML::Node list = chain.back()[name];
      while (list.size() <= index) list.push_back(YAML::Node(YAML::NodeType::Map));
      chain.push_back(list[index]);
    }
    YAML::Node leaf(YAML::NodeType::Map);
    leaf["value"] = e.value;
    leaf["source"] = e.source;
    chain.back()[parts.back()] = leaf;
  }
  YAML::Emitter out;
  out << YAML::Comment(
      "Fully resolved configuration written by cimsim: every value, with its source.");
  out << YAML::Newline << root;
  return std::string(out.c_str()) + "\n";
}

// ---------------------------------------------------------------- did you mean

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

// ---------------------------------------------------------------- loading

namespace {

std::string node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Scalar: return fmt::format("'{}'", n.Scalar());
  }
  return "something else";
}

// Keys must be plain text and appear once per mapping; yaml-cpp accepts both silently.
void check_keys(const YAML::Node& n, const std::string& file) {
  // A tag would be read past ('!!float 256' as the integer 256, '!!str 5' as a number): the
  // schema, not the file, says what type a key holds.
  if (n.IsDefined() && !n.IsNull() && !n.Tag().empty() && n.Tag() != "?" && n.Tag() != "!") {
    std::string tag = n.Tag();
    if (tag.rfind("tag:yaml.org,2002:", 0) == 0) tag = "!!" + tag.substr(18);
    config_error(SourceLocation{file, n.Mark().line + 1, n.Mark().column + 1}, "",
                 fmt::format("the YAML tag '{}' is not read by cimsim; write the plain value (each "
                             "key's type and unit are in docs/config.md)",
                             tag));
  }
  if (n.IsSequence()) {
    for (const auto& item : n) check_keys(item, file);
    return;
  }
  if (!n.IsMap()) return;
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node& key = it->first;
    SourceLocation loc{file, key.Mark().line + 1, key.Mark().column + 1};
    if (!key.IsScalar())
      config_error(loc, "", fmt::format("a key must be plain text, got {}", node_kind(key)));
    if (!seen.insert(key.Scalar()).second) {
      config_error(loc, "",
                   fmt::format("key '{}' appears twice in the same section", key.Scalar()));
    }
    check_keys(it->second, file);
  }
}

// The value under a plain-text key of a mapping, if present. yaml-cpp's const operator[] turns
// a missing key into text through a string stream, and most look-ups of a layered architecture
// miss.
std::optional<YAML::Node> lookup(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return std::nullopt;
  for (const auto& entry : map) {
    if (entry.first.Scalar() == key) return entry.second;
  }
  return std::nullopt;
}

// The map that holds the last part of a dotted key path under `root`, and that last part:
// nest() makes the sections on the way, renest() finds them (nothing when one is missing).
std::optional<YAML::Node> section_of(const YAML::Node& root, std::string_view dotted, bool make,
                                     std::string_view& leaf) {
  YAML::Node at;
  at.reset(root);
  leaf = dotted;
  for (std::size_t dot = leaf.find('.'); dot != std::string_view::npos; dot = leaf.find('.')) {
    const std::string_view part = leaf.substr(0, dot);
    std::optional<YAML::Node> next = lookup(at, part);
    if (!next) {
      if (!make) return std::nullopt;
      at[std::string(part)] = YAML::Node(YAML::NodeType::Map);
      next = lookup(at, part);
    }
    at.reset(*next);
    leaf.remove_prefix(dot + 1);
  }
  return at;
}

// Adds `key` to a node's asked keys without building a string when it is there already.
void mark_asked(std::set<std::string, std::less<>>& asked, std::string_view key) {
  if (asked.find(key) == asked.end()) asked.emplace(key);
}

std::string format_number(double v) {
  return fmt::format("{:.10g}", v);
}

}  // namespace

ConfigNode::ConfigNode(std::shared_ptr<const ConfigDocument> doc, YAML::Node node, std::string path,
                       ResolvedConfig* resolved)
    : doc_(std::move(doc)),
      node_(std::move(node)),
      path_(std::move(path)),
      resolved_(resolved),
      asked_(std::make_shared<std::set<std::string, std::less<>>>()) {}

std::string read_text_file(const std::string& path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: error: cannot open file (does it exist?)", path));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UserError(fmt::format("{}: error: cannot read the file", path));
  return text.str();
}

void require_regular_file(const std::string& path) {
  // A directory opens as a stream on Linux and then reads as empty or fails mid-read.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UserError(fmt::format("{}: error: is a directory; expected a file", path));
}

ConfigNode ConfigNode::load_file(const std::string& path, ResolvedConfig* resolved,
                                 bool numbers_need_source, std::string key_path,
                                 std::string display_name) {
  ConfigNode n = load_string(read_text_file(path), display_name.empty() ? path : display_name,
                             resolved, numbers_need_source);
  n.path_ = std::move(key_path);
  return n;
}

ConfigNode ConfigNode::load_card(const std::string& path, ResolvedConfig* resolved,
                                 std::string key_path, std::string display_name) {
  // Keyed by the file's bytes, not its time stamp (a copy that keeps the old time would fool
  // that): reading a small card is cheap, parsing it is what a sweep repeats.
  struct Cached {
    std::string text;
    std::string display_name;
    std::shared_ptr<const ConfigDocument> doc;
  };
  thread_local std::map<std::string, Cached> cache;
  std::string text = read_text_file(path);
  auto it = cache.find(path);
  if (it != cache.end() && it->second.text == text && it->second.display_name == display_name) {
    return ConfigNode(it->second.doc, it->second.doc->root, std::move(key_path), resolved);
  }
  ConfigNode n = load_string(text, display_name.empty() ? path : display_name, resolved,
                             /*numbers_need_source=*/true);
  n.path_ = std::move(key_path);
  cache[path] = Cached{std::move(text), display_name, n.doc_};
  return n;
}

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& file,
                                   ResolvedConfig* resolved, bool numbers_need_source) {
  auto doc = std::make_shared<ConfigDocument>();
  doc->file = file;
  doc->numbers_need_source = numbers_need_source;
  try {
    // A second document ('---' then more keys) would otherwise be dropped without a word.
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    for (std::size_t i = 1; i < documents.size(); ++i) {
      if (documents[i].IsNull()) continue;  // a trailing '---' holds nothing to lose
      throw UserError(fmt::format(
          "{}:{}:{}: error: a second YAML document; cimsim reads one document per file (remove "
          "the '---' above this line, or split the file)",
          file, documents[i].Mark().line + 1, documents[i].Mark().column + 1));
    }
    doc->root = documents.empty() ? YAML::Node() : documents.front();
    if (doc->root.IsNull()) {
      throw UserError(fmt::format(
          "{}: error: the file holds no keys (it is empty, only comments or null); expected a "
          "mapping of keys",
          file));
    }
  } catch (const YAML::ParserException& e) {
    throw UserError(fmt::format("{}:{}:{}: error: YAML syntax: {}", file, e.mark.line + 1,
                                e.mark.column + 1, e.msg));
  }
  check_keys(doc->root, file);
  if (!doc->root.IsMap()) {
    throw UserError(
        fmt::format("{}:{}:{}: error: expected a mapping of keys at the top level, got {}", file,
                    doc->root.Mark().line + 1, doc->root.Mark().column + 1, node_kind(doc->root)));
  }
  YAML::Node root = doc->root;
  return ConfigNode(std::move(doc), root, "", resolved);
}

ConfigNode ConfigNode::with_fallback(const ConfigNode& fallback) const {
  ConfigNode layered(doc_, node_, path_, resolved_);
  layered.index_ = index_;
  layered.asked_ = asked_;  // keys already read here (such as 'preset') stay understood
  layered.key_homes_ = key_homes_;
  // A node already layered keeps its own fallback first: a point over an architecture whose
  // section names a preset reads point, then the architecture's keys, then the preset card.
  layered.fallback_ =
      std::make_shared<ConfigNode>(fallback_ ? fallback_->with_fallback(fallback) : fallback);
  layered.fallback_->path_ = path_;
  // A preset card's keys live at this section's paths: a misplaced key there gets the hint too.
  if (!layered.fallback_->key_homes_) layered.fallback_->key_homes_ = key_homes_;
  return layered;
}

// ---------------------------------------------------------------- lookup

SourceLocation ConfigNode::location_of(const YAML::Node& n, const ConfigDocument* doc) const {
  SourceLocation loc;
  loc.file = doc->file;
  if (n.IsDefined() && n.Mark().line >= 0) {
    loc.line = n.Mark().line + 1;
    loc.column = n.Mark().column + 1;
  }
  return loc;
}

SourceLocation ConfigNode::location() const {
  return location_of(node_, doc_.get());
}

std::vector<ConfigNode> ConfigNode::items(std::string_view key) const {
  auto f = find(key);
  if (!f) missing(key, "a value or a list of values");
  std::vector<ConfigNode> out;
  const std::string path = key_path(key);
  if (f->value.IsNull()) return out;  // `key: ~` lists nothing
  if (f->value.IsSequence()) {
    for (std::size_t i = 0; i < f->value.size(); ++i) {
      out.push_back(ConfigNode(doc_, f->value[i], fmt::format("{}[{}]", path, i), resolved_));
    }
  } else {
    out.push_back(ConfigNode(doc_, f->value, path, resolved_));
  }
  return out;
}

std::string ConfigNode::scalar_string() const {
  if (!node_.IsScalar()) {
    config_error(location(), path_, "expected a plain value (a number, or a number with its unit)");
  }
  return node_.Scalar();
}

ConfigNode ConfigNode::nest(const std::vector<std::pair<std::string, ConfigNode>>& values) {
  if (values.empty()) panic("ConfigNode::nest: nothing to nest");
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& [dotted, value] : values) {
    std::string_view leaf;
    YAML::Node at = *section_of(root, dotted, /*make=*/true, leaf);
    at[std::string(leaf)] = value.node_;
  }
  return ConfigNode(values.front().second.doc_, root, "", values.front().second.resolved_);
}

ConfigNode ConfigNode::renest(const std::vector<std::pair<std::string, ConfigNode>>& values) const {
  if (values.empty()) panic("ConfigNode::renest: nothing to nest");
  for (const auto& [dotted, value] : values) {
    if (value.doc_ != doc_) panic("ConfigNode::renest: a value of another document");
    std::string_view leaf;
    std::optional<YAML::Node> at = section_of(node_, dotted, /*make=*/false, leaf);
    if (!at || !lookup(*at, leaf)) {
      panic(fmt::format("ConfigNode::renest: '{}' was not nested", dotted));
    }
    // Through the map, not a kept handle: assigning to a handle that an earlier assignment
    // pointed at a value would overwrite that value.
    (*at)[std::string(leaf)] = value.node_;
  }
  return ConfigNode(doc_, node_, "", resolved_);
}

SourceLocation ConfigNode::location_of_key(std::string_view key) const {
  auto f = find(key);
  return f ? location_of(f->value, f->doc) : location();
}

std::string ConfigNode::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

const YAML::Node* ConfigNode::own(std::string_view key) const {
  if (!node_.IsMap()) return nullptr;
  // Iterating a yaml-cpp map builds a node pair per entry; a section is asked for most of its
  // keys, so it is walked once.
  if (!index_) {
    auto index = std::make_shared<std::vector<std::pair<std::string, YAML::Node>>>();
    for (const auto& entry : node_) index->emplace_back(entry.first.Scalar(), entry.second);
    index_ = std::move(index);
  }
  for (const auto& [k, v] : *index_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<ConfigNode::Found> ConfigNode::find(std::string_view key) const {
  mark_asked(*asked_, key);
  if (const YAML::Node* v = own(key)) {
    // Every layer below now knows the key (a value here hides theirs).
    for (const ConfigNode* below = fallback_.get(); below; below = below->fallback_.get())
      mark_asked(*below->asked_, key);
    // {value: ..., source: ...} and nothing else is a value with its source.
    if (v->IsMap()) {
      std::optional<YAML::Node> value, source;
      bool other_keys = false;
      for (const auto& entry : *v) {
        const std::string& k = entry.first.Scalar();
        if (k == "value") {
          value = entry.second;
        } else if (k == "source") {
          source = entry.second;
        } else {
          other_keys = true;
        }
      }
      if (value && !other_keys) {
        if (source && !source->IsScalar()) {
          fail_at({*v, doc_.get(), "", false}, key, "a 'source' must be text");
        }
        return Found{*value, doc_.get(), source ? source->Scalar() : "", source.has_value()};
      }
    }
    return Found{*v, doc_.get(), "", false};
  }
  if (fallback_) return fallback_->find(key);
  return std::nullopt;
}

bool ConfigNode::has(std::string_view key) const {
  return find(key).has_value();
}

void ConfigNode::allow(std::string_view key) const {
  mark_asked(*asked_, key);
  if (fallback_) fallback_->allow(key);
}

void ConfigNode::free_text(std::string_view key) const {
  allow(key);
  if (const YAML::Node* v = own(key); v && !v->IsScalar() && !v->IsNull()) {
    fail_at({*v, doc_.get(), "", false}, key,
            fmt::format("expected text (free text, quoted when it holds ':' or '#'), got {}",
                        node_kind(*v)));
  }
}

void ConfigNode::fail_at(const Found& f, std::string_view key, const std::string& what) const {
  config_error(location_of(f.value, f.doc), key_path(key), what);
}

void ConfigNode::fail(std::string_view key, const std::string& what) const {
  auto f = find(key);
  if (f) fail_at(*f, key, what);
  config_error(location(), key_path(key), what);
}

void ConfigNode::require_source(const Found& f, std::string_view key,
                                const std::string& text) const {
  if (f.doc->numbers_need_source && (!f.explicit_source || is_blank(f.source))) {
    fail_at(f, key,
            fmt::format("a card value needs its source{}; write {{value: {}, source: \"...\"}}",
                        f.explicit_source ? " (it is empty)" : "", text));
  }
}

void ConfigNode::missing(std::string_view key, const std::string& expected) const {
  // A missing key is often a misspelled one: blame the misspelling, where the user typed it.
  if (node_.IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      auto present = it->first.as<std::string>();
      if (asked_->count(present)) continue;
      // A key this section reads later is not a misspelling of the missing one
      // (kernel_overhead is not a misspelt gemm_k_overhead).
      if (key_homes_ &&
          std::find(key_homes_->begin(), key_homes_->end(), key_path(present)) != key_homes_->end())
        continue;
      if (closest_match(present, {std::string(key)}) == key) {
        config_error(location_of(it->first, doc_.get()), key_path(present),
                     fmt::format("unknown key '{}'; did you mean '{}'?", present, key));
      }
    }
  }
  config_error(location(), key_path(key),
               expected.empty()
                   ? fmt::format("missing required key '{}'", key)
                   : fmt::format("missing required key '{}'; expected {}", key, expected));
}

void ConfigNode::record(std::string_view key, const std::string& value,
                        const std::string& source) const {
  if (resolved_) resolved_->set(key_path(key), value, source);
}

ConfigNode ConfigNode::child(std::string_view key) const {
  auto c = optional_child(key);
  if (!c) missing(key, "a section of keys");
  return *c;
}

std::optional<ConfigNode> ConfigNode::optional_child(std::string_view key) const {
  mark_asked(*asked_, key);
  std::optional<ConfigNode> own_child;
  if (const YAML::Node* v = own(key)) {
    if (!v->IsMap()) {
      config_error(location_of(*v, doc_.get()), key_path(key),
                   fmt::format("expected a mapping of keys, got {}", node_kind(*v)));
    }
    own_child = ConfigNode(doc_, *v, key_path(key), resolved_);
    own_child->key_homes_ = key_homes_;
  }
  std::optional<ConfigNode> fallback_child;
  if (fallback_) fallback_child = fallback_->optional_child(key);
  if (own_child && fallback_child) return own_child->with_fallback(*fallback_child);
  if (own_child) return own_child;
  if (fallback_child) {
    fallback_child->path_ = key_path(key);
    fallback_child->key_homes_ = key_homes_;
    return fallback_child;
  }
  return std::nullopt;
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  if (fallback_) out = fallback_->keys();
  if (node_.IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      auto k = it->first.as<std::string>();
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
    }
  }
  return out;
}

ConfigNode ConfigNode::with_key_homes(
    std::shared_ptr<const std::vector<std::string>> key_paths) const {
  ConfigNode homed = *this;
  homed.key_homes_ = std::move(key_paths);
  return homed;
}

std::string ConfigNode::elsewhere(std::string_view key) const {
  if (!key_homes_) return "";
  std::vector<std::string> homes;
  for (const std::string& full : *key_homes_) {
    const std::size_t dot = full.rfind('.');
    const std::string_view leaf =
        dot == std::string::npos ? std::string_view(full) : std::string_view(full).substr(dot + 1);
    const std::string_view section =
        dot == std::string::npos ? std::string_view() : std::string_view(full).substr(0, dot);
    if (leaf != key || section == path_) continue;
    homes.push_back(section.empty() ? fmt::format("'{}' at the top level", full)
                                    : fmt::format("'{}'", full));
  }
  if (homes.empty()) return "";
  const std::string last = homes.back();
  homes.pop_back();
  return homes.empty() ? last : fmt::format("{} or {}", fmt::join(homes, ", "), last);
}

void ConfigNode::finish() const {
  if (node_.IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      const std::string& k = it->first.Scalar();
      if (asked_->find(k) != asked_->end()) continue;
      const std::vector<std::string> known(asked_->begin(), asked_->end());
      // A key that another section reads is more likely misplaced than misspelt.
      std::string home = elsewhere(k);
      std::string hint = closest_match(k, known);
      std::string what =
          !home.empty() ? fmt::format("unknown key '{}' here; did you mean {}?", k, home)
          : hint.empty()
              ? fmt::format("unknown key '{}'; expected one of: {}", k, fmt::join(known, ", "))
              : fmt::format("unknown key '{}'; did you mean '{}'?", k, hint);
      // A key built in memory (a sweep point's) has no position; its value from a file has.
      SourceLocation where = location_of(it->first, doc_.get());
      if (where.line == 0) where = location_of(it->second, doc_.get());
      config_error(where, key_path(k), what);
    }
  }
  if (fallback_) fallback_->finish();
}

// ---------------------------------------------------------------- typed getters

template <typename Expected>
std::string ConfigNode::scalar_text(std::string_view key, const Found& f,
                                    const Expected& expected) const {
  if (!f.value.IsScalar()) {
    std::string text;
    if constexpr (std::is_invocable_v<Expected>) {
      text = expected();
    } else {
      text = expected;
    }
    fail_at(f, key, fmt::format("expected {}, got {}", text, node_kind(f.value)));
  }
  return f.value.Scalar();
}

std::string ConfigNode::source_of(const Found& f) const {
  return f.explicit_source ? f.source : location_of(f.value, f.doc).str();
}

std::string ConfigNode::string(std::string_view key, std::optional<std::string> fallback) const {
  auto f = find(key);
  if (!f) {
    if (!fallback) missing(key, "text");
    if (resolved_) record(key, *fallback, "default");
    return *fallback;
  }
  std::string v = scalar_text(key, *f, "text");
  // A required text (a name, a path, a preset) left empty is as good as missing.
  if (!fallback && is_blank(v)) fail_at(*f, key, "an empty text; expected a non-empty one");
  if (resolved_) record(key, v, source_of(*f));
  return v;
}

std::string ConfigNode::choice(std::string_view key, const std::vector<std::string>& options,
                               std::optional<std::string> fallback) const {
  auto f = find(key);
  if (!f) {
    if (!fallback) missing(key, fmt::format("one of: {}", fmt::join(options, ", ")));
    if (resolved_) record(key, *fallback, "default");
    return *fallback;
  }
  std::string v =
      scalar_text(key, *f, [&] { return fmt::format("one of: {}", fmt::join(options, ", ")); });
  if (std::find(options.begin(), options.end(), v) == options.end()) {
    std::string hint = closest_match(v, options);
    fail_at(*f, key,
            hint.empty() ? fmt::format("'{}' is not one of: {}", v, fmt::join(options, ", "))
                         : fmt::format("'{}' is not one of: {}; did you mean '{}'?", v,
                                       fmt::join(options, ", "), hint));
  }
  if (resolved_) record(key, v, source_of(*f));
  return v;
}

std::int64_t ConfigNode::integer(std::string_view key, std::int64_t lo, std::int64_t hi,
                                 std::optional<std::int64_t> fallback) const {
  // Messages are formatted only when needed: a sweep reads millions of values.
  auto expected = [&] {
    return hi == std::numeric_limits<std::int64_t>::max()
               ? fmt::format("an integer of at least {}", lo)
               : fmt::format("an integer from {} to {}", lo, hi);
  };
  auto f = find(key);
  if (!f) {
    if (!fallback) missing(key, expected());
    if (resolved_) record(key, std::to_string(*fallback), "default");
    return *fallback;
  }
  std::string text = scalar_text(key, *f, expected);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail_at(*f, key, fmt::format("expected {}, got '{}'", expected(), text));
  }
  if (v < lo || v > hi)
    fail_at(*f, key, fmt::format("value {} is out of range; expected {}", v, expected()));
  require_source(*f, key, text);
  if (resolved_) record(key, text, source_of(*f));
  return v;
}

double ConfigNode::number(std::string_view key, double lo, double hi,
                          std::optional<double> fallback) const {
  auto expected = [&] {
    return std::isinf(hi)
               ? fmt::format("a number of at least {}", format_number(lo))
               : fmt::format("a number from {} to {}", format_number(lo), format_number(hi));
  };
  auto f = find(key);
  if (!f) {
    if (!fallback) missing(key, expected());
    if (resolved_) record(key, format_number(*fallback), "default");
    return *fallback;
  }
  std::string text = scalar_text(key, *f, expected);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    fail_at(*f, key, fmt::format("expected {}, got '{}'", expected(), text));
  }
  if (v < lo || v > hi)
    fail_at(*f, key, fmt::format("value {} is out of range; expected {}", text, expected()));
  require_source(*f, key, text);
  if (resolved_) record(key, text, source_of(*f));
  return v;
}

std::vector<double> ConfigNode::number_list(std::string_view key, double lo, double hi) const {
  const std::string expected =
      fmt::format("a list of numbers from {} to {}", format_number(lo), format_number(hi));
  auto f = find(key);
  if (!f) missing(key, expected);
  if (!f->value.IsSequence()) fail_at(*f, key, fmt::format("expected {}", expected));
  std::vector<double> out;
  std::string shown;
  for (const auto& item : f->value) {
    const std::string text = item.IsScalar() ? item.Scalar() : std::string("(not a number)");
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < lo ||
        v > hi) {
      fail_at(*f, key, fmt::format("expected {}, got '{}'", expected, text));
    }
    out.push_back(v);
    shown += (shown.empty() ? "" : ", ") + text;
  }
  if (resolved_) record(key, "[" + shown + "]", source_of(*f));
  return out;
}

bool ConfigNode::boolean(std::string_view key, std::optional<bool> fallback) const {
  auto f = find(key);
  if (!f) {
    if (!fallback) missing(key, "true or false");
    if (resolved_) record(key, *fallback ? "true" : "false", "default");
    return *fallback;
  }
  std::string text = scalar_text(key, *f, "true or false");
  if (text != "true" && text != "false")
    fail_at(*f, key, fmt::format("expected true or false, got '{}'", text));
  if (resolved_) record(key, text, source_of(*f));
  return text == "true";
}

double ConfigNode::quantity_si(std::string_view key, Dim d, std::optional<double> fallback_si,
                               double lo, double hi, bool lo_exclusive) const {
  auto f = find(key);
  if (!f) {
    if (!fallback_si)
      missing(key, fmt::format("{} such as '{}'", dimension_name(d), dimension_example(d)));
    if (resolved_) record(key, format_quantity(*fallback_si, d), "default");
    return *fallback_si;
  }
  std::string text = scalar_text(key, *f, [&] {
    return fmt::format("{} such as '{}'", dimension_name(d), dimension_example(d));
  });
  std::string problem;
  auto v = parse_quantity(text, d, &problem);
  if (!v) fail_at(*f, key, fmt::format("'{}': {}", text, problem));
  bool below = lo_exclusive ? *v <= lo : *v < lo;
  if (below || *v > hi) {
    std::string low =
        fmt::format("{} {}", lo_exclusive ? "above" : "at least", format_quantity(lo, d));
    std::string range =
        std::isinf(hi) ? low : fmt::format("{} and at most {}", low, format_quantity(hi, d));
    fail_at(
        *f, key,
        fmt::format("value '{}' is out of range; expected {} {}", text, dimension_name(d), range));
  }
  require_source(*f, key, text);
  if (resolved_) record(key, text, source_of(*f));
  return *v;
}

}  // namespace cimsim
