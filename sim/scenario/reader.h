// Reading YAML values as scenario files write them, each checked: a problem throws
// InputError with the file, line, column, key path and what was expected. Every
// step of loading (scenario_loader.cpp, machine_loader.cpp, program_loader.cpp,
// runs.cpp, expect.cpp) reads through one Reader.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.h"

namespace kiosim {

// How a node reads in a message: "a map", "a list", "nothing" or "`text`".
std::string kind_of(const YAML::Node& n);

// Parses a file; InputError if it cannot be read or is not YAML.
YAML::Node parse_file(const std::string& path);
// Parses text as if it were the file `path` (its messages name `path`).
YAML::Node parse_text(const std::string& text, const std::string& path);

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& path, const std::string& msg) const;
  void map(const YAML::Node& n, const std::string& path) const;
  // Every key of `n` must be one of `allowed`; `required` ones must be present.
  void keys(const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed,
            const std::vector<std::string>& required = {}) const;

  std::string scalar(const YAML::Node& n, const std::string& path, std::string_view what) const;
  std::string str(const YAML::Node& n, const std::string& path) const;
  std::string name(const YAML::Node& n, const std::string& path) const;  // 1 to 200 characters
  std::uint64_t size(const YAML::Node& n, const std::string& path, double max = kMaxBytesMoved) const;
  double time(const YAML::Node& n, const std::string& path) const;  // ns, at most one hour
  std::uint64_t count(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi) const;
  bool boolean(const YAML::Node& n, const std::string& path) const;

  const std::string& file() const { return file_; }

  static std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }
  static std::string list(const std::vector<std::string>& v);  // "a, b, c"

 private:
  std::string file_;
};

}  // namespace kiosim
