#include "sim/host/cachestat.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

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

}  // namespace kiosim::host
