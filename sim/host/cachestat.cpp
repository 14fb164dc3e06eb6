#include "sim/host/cachestat.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#ifndef __NR_cachestat
#define __NR_cachestat 451  // the same number on every architecture (include/uapi/asm-generic/unistd.h)
#endif

namespace kiosim::host {

namespace {
// include/uapi/linux/mman.h
struct cachestat_range_abi {
  std::uint64_t off, len;  // len 0: to the end of the file
};
struct cachestat_abi {
  std::uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};
}  // namespace

std::optional<CacheStat> cachestat_of(int fd) {
  cachestat_range_abi range{0, 0};
  cachestat_abi cs{};
  if (::syscall(__NR_cachestat, fd, &range, &cs, 0) != 0) return std::nullopt;
  return CacheStat{cs.nr_cache, cs.nr_dirty, cs.nr_writeback, cs.nr_evicted, cs.nr_recently_evicted};
}

std::optional<std::uint64_t> resident_pages(int fd, std::uint64_t bytes) {
  if (bytes == 0) return 0;
  void* m = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return std::nullopt;
  long page = ::sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> v((bytes + std::uint64_t(page) - 1) / std::uint64_t(page));
  std::optional<std::uint64_t> out;
  if (::mincore(m, bytes, v.data()) == 0) {
    std::uint64_t n = 0;
    for (unsigned char c : v) n += c & 1;
    out = n;
  }
  ::munmap(m, bytes);
  return out;
}

FilesCache files_cache(const std::vector<std::pair<std::string, std::uint64_t>>& files,
                       const CachestatFn& cachestat) {
  FilesCache out;
  CacheStat sum;
  for (const auto& [path, bytes] : files) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      out.why_not = "cannot open " + path + ": " + std::strerror(errno);
      continue;
    }
    if (auto r = resident_pages(fd, bytes)) out.resident += *r;
    if (auto cs = cachestat(fd)) {
      sum.nr_cache += cs->nr_cache;
      sum.nr_dirty += cs->nr_dirty;
      sum.nr_writeback += cs->nr_writeback;
      sum.nr_evicted += cs->nr_evicted;
      sum.nr_recently_evicted += cs->nr_recently_evicted;
    } else if (out.why_not.empty()) {
      out.why_not = errno == ENOSYS ? "no cachestat(2) on this kernel (Linux 6.5+)"
                                    : std::string("cachestat(2) refused: ") + std::strerror(errno);
    }
    ::close(fd);
  }
  if (out.why_not.empty()) out.stat = sum;
  return out;
}

}  // namespace kiosim::host
