#include "sim/scenario/reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <set>

#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

namespace kiosim {

std::string kind_of(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return fmt::format("`{}`", n.Scalar());
    default: return "an undefined value";
  }
}

YAML::Node parse_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, 0, "", "cannot open the file (does it exist, and may you read it?)");
  try {
    return YAML::Load(in);
  } catch (const YAML::ParserException& e) {
    throw InputError(path, e.mark.line + 1, e.mark.column + 1, "", fmt::format("malformed YAML: {}", e.msg));
  }
}

YAML::Node parse_text(const std::string& text, const std::string& path) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(path, e.mark.line + 1, e.mark.column + 1, "", fmt::format("malformed YAML: {}", e.msg));
  }
}

void Reader::fail(const YAML::Node& n, const std::string& path, const std::string& msg) const {
  int line = 0, col = 0;
  if (n.IsDefined() && n.Mark().line >= 0) {
    line = n.Mark().line + 1;
    col = n.Mark().column + 1;
  }
  throw InputError(file_, line, col, path, msg);
}

void Reader::map(const YAML::Node& n, const std::string& path) const {
  if (!n.IsMap()) fail(n, path, fmt::format("expected a map of keys, found {}", kind_of(n)));
}

void Reader::keys(const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed,
                  const std::vector<std::string>& required) const {
  map(n, path);
  std::set<std::string> seen;
  for (const auto& kv : n) {
    std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!seen.insert(k).second) fail(kv.first, join(path, k), "this key is given twice");
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    fail(kv.first, join(path, k),
         fmt::format("unknown key `{}`{}", k, path.empty() ? "" : " in " + path) +
             did_you_mean(k, allowed, expected_one_of(allowed)));
  }
  for (const auto& r : required)
    if (!n[r]) fail(n, path, fmt::format("missing key `{}`", r));
}

std::string Reader::list(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ", ")); }

std::string Reader::scalar(const YAML::Node& n, const std::string& path, std::string_view what) const {
  if (!n.IsScalar()) fail(n, path, fmt::format("expected {}, found {}", what, kind_of(n)));
  return n.Scalar();
}

std::string Reader::str(const YAML::Node& n, const std::string& path) const { return scalar(n, path, "a name or text"); }

std::string Reader::name(const YAML::Node& n, const std::string& path) const {
  std::string s = scalar(n, path, "a name");
  if (s.empty() || s.size() > 200) fail(n, path, "expected a name of 1 to 200 characters");
  return s;
}

std::uint64_t Reader::size(const YAML::Node& n, const std::string& path, double max) const {
  std::string s = scalar(n, path, "a size like 64KiB");
  auto v = parse_size(s);
  if (!v) fail(n, path, fmt::format("expected a size like 64KiB, 4MiB or 1GB, found `{}`", s));
  if (*v < 0) fail(n, path, fmt::format("a size cannot be negative (found `{}`)", s));
  if (*v > max) fail(n, path, fmt::format("`{}` is larger than the limit of {}", s, format_size(max)));
  return std::uint64_t(*v);
}

double Reader::time(const YAML::Node& n, const std::string& path) const {
  std::string s = scalar(n, path, "a time like 80us");
  auto v = parse_time_ns(s);
  if (!v) fail(n, path, fmt::format("expected a time like 80us, 1.5ms or 5s, found `{}`", s));
  if (*v < 0) fail(n, path, fmt::format("a time cannot be negative (found `{}`)", s));
  if (*v > 3600e9) fail(n, path, "a time above one hour of simulated time is refused");
  return *v;
}

std::uint64_t Reader::count(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi) const {
  std::string s = scalar(n, path, "a whole number");
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end || errno || std::floor(d) != d)
    fail(n, path, fmt::format("expected a whole number, found `{}`", s));
  if (d < double(lo) || d > double(hi)) fail(n, path, fmt::format("expected a number from {} to {}, found `{}`", lo, hi, s));
  return std::uint64_t(d);
}

bool Reader::boolean(const YAML::Node& n, const std::string& path) const {
  std::string s = scalar(n, path, "true or false");
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail(n, path, fmt::format("expected true or false, found `{}`", s));
}

}  // namespace kiosim
