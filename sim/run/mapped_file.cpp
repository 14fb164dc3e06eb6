#include "sim/run/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sim/scenario/scenario.h"

namespace kiosim {

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, 0, 0, "", fmt::format("cannot open the trace: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int e = errno;
    ::close(fd);
    throw InputError(path, 0, 0, "", e ? fmt::format("cannot read the trace: {}", std::strerror(e))
                                       : std::string("the trace is not a regular file"));
  }
  size_ = std::size_t(st.st_size);
  if (size_ > 0) {
    addr_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (addr_ == MAP_FAILED) {
      const int e = errno;
      addr_ = nullptr;
      ::close(fd);
      throw InputError(path, 0, 0, "", fmt::format("cannot map the trace: {}", std::strerror(e)));
    }
    ::madvise(addr_, size_, MADV_SEQUENTIAL);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (addr_) ::munmap(addr_, size_);
}

}  // namespace kiosim
