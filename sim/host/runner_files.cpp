// The scenario's files on the host, before a real run's body: made with open(2),
// pwrite(2) and fsync(2); cold (fdatasync(2) + posix_fadvise(POSIX_FADV_DONTNEED), no
// root needed) or warm (one untimed pread(2) pass) as the run asks, with what is resident
// counted by mincore(2) of an untouched mmap(2); and their page-cache state (cachestat.h).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "sim/host/runner.h"
#include "sim/host/syscall_error.h"
#include "sim/host/syscall_ops.h"

namespace kiosim::host {

std::uint64_t Runner::bytes_needed(const Scenario& s) {
  std::uint64_t b = 0;
  for (const auto& f : s.files) b += f.size;
  return b;
}


double Runner::create_files() {
  double t0 = now_ns();
  std::vector<char> chunk(1 << 20);
  for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = char('a' + i % 26);
  for (const auto& f : s_.files) {
    const std::string& p = paths_.at(f.name);
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create " + p);
    std::uint64_t done = 0;
    while (done < f.size) {
      std::size_t n = std::size_t(std::min<std::uint64_t>(chunk.size(), f.size - done));
      ssize_t w = ::pwrite(fd, chunk.data(), n, off_t(done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        fail("cannot write " + p + " (is the file system full?)");
      }
      done += std::uint64_t(w);
    }
    if (::fsync(fd) != 0) fail("fsync " + p);
    ::close(fd);
  }
  return now_ns() - t0;
}

// Cold: fdatasync then POSIX_FADV_DONTNEED (no root needed). Warm: one untimed read pass.
double Runner::prepare_cache(Sample& out) {
  double t0 = now_ns();
  std::vector<char> buf(1 << 20);
  for (const auto& f : s_.files) {
    const std::string& p = paths_.at(f.name);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + p);
    bool warm = opt_.cache == CacheState::warm || (opt_.cache == CacheState::scenario && f.cached);
    if (warm) {
      for (std::uint64_t off = 0; off < f.size;) {
        ssize_t r = ::pread(fd, buf.data(), buf.size(), off_t(off));
        if (r <= 0) break;
        off += std::uint64_t(r);
      }
    } else {
      ::fdatasync(fd);
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    }
    // How much of it is resident now (mincore of an untouched mapping).
    if (f.size) {
      void* m = ::mmap(nullptr, f.size, PROT_READ, MAP_SHARED, fd, 0);
      if (m != MAP_FAILED) {
        std::size_t pages = (f.size + 4095) / 4096;
        std::vector<unsigned char> v(pages);
        if (::mincore(m, f.size, v.data()) == 0)
          for (unsigned char c : v) out.resident_pages_before += c & 1;
        out.file_pages += pages;
        ::munmap(m, f.size);
      }
    }
    ::close(fd);
  }
  return now_ns() - t0;
}

FilesCache Runner::files_cache_now() const {
  std::vector<std::pair<std::string, std::uint64_t>> files;
  for (const auto& f : s_.files) files.emplace_back(paths_.at(f.name), f.size);
  return files_cache(files);
}

}  // namespace kiosim::host
