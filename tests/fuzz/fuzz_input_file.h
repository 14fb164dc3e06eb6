// The fuzz targets feed kiosim's file loaders through a file, as a user does: each
// input is written to one private file (in TMPDIR), which the loader then reads.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace kiosim::fuzz {

inline const std::string& input_path(const char* ext) {
  static const std::string path = [ext] {
    const char* t = std::getenv("TMPDIR");
    return std::string(t && *t ? t : "/tmp") + "/kiosim-fuzz-" + std::to_string(::getpid()) + ext;
  }();
  return path;
}

inline const std::string& write_input(const std::uint8_t* data, std::size_t size, const char* ext) {
  const std::string& p = input_path(ext);
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return p;
}

// Removes the file when the fuzzer exits.
struct RemoveAtExit {
  explicit RemoveAtExit(const char* ext) : ext_(ext) {}
  ~RemoveAtExit() { ::unlink(input_path(ext_).c_str()); }
  const char* ext_;
};

}  // namespace kiosim::fuzz
