// Page-cache residency of a file as the host's kernel counts it: cachestat(2)
// (mm/filemap.c, Linux 6.5+, called by its syscall number since libc may not wrap it)
// and mincore(2) of an untouched mapping (mm/mincore.c). Unprivileged.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kiosim::host {

struct CacheStat {
  std::uint64_t nr_cache = 0, nr_dirty = 0, nr_writeback = 0, nr_evicted = 0, nr_recently_evicted = 0;
};

// The whole file's figures, or nothing when the kernel has no cachestat (ENOSYS) or refuses it.
std::optional<CacheStat> cachestat_of(int fd);
// Pages of the file's first `bytes` that mincore says are resident, or nothing if mmap fails.
std::optional<std::uint64_t> resident_pages(int fd, std::uint64_t bytes);

// A run's files at one moment: cachestat summed over them, and mincore's resident pages.
struct FilesCache {
  std::optional<CacheStat> stat;  // nothing when cachestat failed on any file: why_not says why
  std::string why_not;
  std::uint64_t resident = 0;     // mincore (whole files)
};
// The seam for tests: a cachestat that fails (and sets errno) stands for a kernel without it.
using CachestatFn = std::function<std::optional<CacheStat>(int fd)>;
// `files` are paths and sizes; each is opened read-only, probed and closed (no read, no fault).
FilesCache files_cache(const std::vector<std::pair<std::string, std::uint64_t>>& files,
                       const CachestatFn& cachestat = cachestat_of);

}  // namespace kiosim::host
