// A trace file mapped read-only (mmap): the replay parses it in place, with no
// copy and no read() per block; the kernel reads ahead (MADV_SEQUENTIAL).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace kiosim {

class MappedFile {
 public:
  // Throws InputError (the path, "cannot open the trace: ...") when it cannot.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace kiosim
