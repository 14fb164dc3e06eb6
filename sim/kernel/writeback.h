// Dirty pages and writeback (mm/page-writeback.c, fs/fs-writeback.c):
//  - write() dirties pages and returns (dirtied);
//  - the flusher kernel thread (wb_workfn -> wb_writeback) writes dirty pages back,
//    oldest first, while more than dirty_background_ratio of the cache is dirty
//    (background writeback), and any page dirty for longer than dirty_expire
//    (kupdate-style writeback, checked every writeback_interval);
//  - a writer that leaves more than dirty_ratio of the cache dirty or under
//    writeback is throttled (balance_dirty_pages): it sleeps until writeback has
//    brought the total back under the limit. The sleep is a voluntary context
//    switch and counts as dirty_throttle_ns.
// Simplified: global thresholds (no per-device bandwidth estimate, no pause
// curve: Linux sleeps in pauses of up to 200 ms sized to the disk's speed; kiosim
// wakes the writer at the first write completion that brings it under the limit),
// one flusher for the one disk. Writeback is charged to the process that last
// dirtied the file (as cgroup writeback charges an inode's owner).
// Owns the flusher, its timer and the `flusher` lane. Calls accounting, the page
// cache and the block device.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/kernel/accounting.h"
#include "sim/kernel/block_device.h"
#include "sim/kernel/filemap.h"

namespace kiosim {

class Writeback {
 public:
  Writeback(Accounting& acct, Filemap& filemap, BlockDevice& disk);

  void dirtied(Thread& t, PageKey k);    // a write() dirtied k (folio_mark_dirty)
  void balance_dirty_pages(Thread& t);  // after a write(): wake the flusher, throttle
  // Writes back the dirty cached pages of a range (filemap_write_and_wait_range when
  // `wait`, __filemap_fdatawrite_range when not).
  void write_back_range(Thread& t, FileId f, std::uint64_t first, std::uint64_t n, bool wait);

  void flusher_actor();  // forever
  void timer_actor();    // forever: the periodic wake-up (dirty_writeback_interval)

 private:
  std::uint64_t background_pages() const;
  std::uint64_t limit_pages() const;
  bool flusher_has_work();

  Accounting& acct_;
  Filemap& filemap_;
  BlockDevice& disk_;
  std::unique_ptr<WaitQueue> flusher_wake_, timer_wake_;
  std::vector<Process*> file_dirtier_;  // per file: the process whose writes the flusher charges
  std::uint32_t lane_ = 0;
};

}  // namespace kiosim
