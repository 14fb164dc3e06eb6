// Page-cache residency of a file as the host's kernel counts it: cachestat(2)
// (mm/filemap.c, Linux 6.5+, called by its syscall number since libc may not wrap it)
// and mincore(2) of an untouched mapping (mm/mincore.c). Unprivileged.
#pragma once
#include <cstdint>
#include <optional>

namespace kiosim::host {

struct CacheStat {
  std::uint64_t nr_cache = 0, nr_dirty = 0, nr_writeback = 0, nr_evicted = 0, nr_recently_evicted = 0;
};

// The whole file's figures, or nothing when the kernel has no cachestat (ENOSYS) or refuses it.
std::optional<CacheStat> cachestat_of(int fd);
// Pages of the file's first `bytes` that mincore says are resident, or nothing if mmap fails.
std::optional<std::uint64_t> resident_pages(int fd, std::uint64_t bytes);

}  // namespace kiosim::host
