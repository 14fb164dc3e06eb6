// cache-replay: a page-access trace through the page cache alone (model/PageCache
// with its policy), with no engine, no readahead and no time. For studying
// policies and for checking the model against other cache simulators.
//
// Trace format, one access per line:
//   FILE PAGE [r|w]    FILE a name (no spaces), PAGE a non-negative integer, r by default
//   PAGE               a plain list of page numbers (all of one unnamed file)
//   # comment          blank lines and text after `#` are ignored
// Fields are separated by spaces, tabs or commas (so `file,7,w` works too).
// A `w` access also dirties the page. Reclaim writes nothing (mm/vmscan.c
// shrink_folio_list): a dirty page that reaches the reclaim end gets PG_reclaim and
// is activated out of the way, and reclaim goes on to the next page. When reclaim
// asks for the flusher (a batch of 32 dirty pages, or nothing it could free), the
// replay's flusher writes every dirty page at once (there is no disk here: each
// counted as a writeback), and the marked ones move to the inactive tail
// (folio_rotate_reclaimable), to be reclaimed next.
// Limits (so no input can make the replay allocate without bound): lines of at
// most 4096 characters, file names of at most 255, at most 1,000,000 distinct
// files, pages below 2^52, a cache of at most kMaxReplayPages pages.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/page_cache.h"

namespace kiosim {

inline constexpr std::uint64_t kMaxReplayPages = 1ULL << 24;  // 16,777,216 pages: a 64 GiB cache

struct ReplayResult {
  std::uint64_t accesses = 0, reads = 0, writes = 0;
  std::uint64_t hits = 0, misses = 0;
  std::uint64_t activations = 0, deactivations = 0, evictions = 0, writebacks = 0;
  std::uint64_t files = 0;  // distinct file names seen
  double hit_ratio() const { return accesses ? double(hits) / double(accesses) : 0.0; }
};

class CacheReplay {
 public:
  CacheReplay(CachePolicy policy, std::uint64_t capacity_pages);

  // One access. Inline: the replay loop calls it tens of millions of times.
  void access(PageKey k, bool write) {
    if (!cache_.access(k) && cache_.take_flusher_wakeup()) flush(k);
    if (write) {
      ++writes_;
      cache_.mark_dirty(k);
    }
  }
  // The id of a file name (new names get the next id); throws std::length_error
  // past the file limit.
  FileId file_id(std::string_view name);

  ReplayResult result() const;
  const PageCache& cache() const { return cache_; }

 private:
  void flush(PageKey missed);
  PageCache cache_;
  std::uint64_t writes_ = 0, writebacks_ = 0;
  std::unordered_map<std::string, FileId> files_;
  std::string last_name_;
  FileId last_id_ = 0;
};

// Replays the trace text `text` (named `name` in errors). Throws InputError with
// name:line for a bad line.
ReplayResult replay_text(std::string_view text, const std::string& name, CachePolicy policy,
                         std::uint64_t capacity_pages);
// Replays a trace file, read in blocks (memory does not grow with its length).
ReplayResult replay_file(const std::string& path, CachePolicy policy, std::uint64_t capacity_pages);

}  // namespace kiosim
