// Dirty pages and writeback (mm/page-writeback.c, fs/fs-writeback.c):
//  - write() dirties pages (dirtied); every nr_dirtied_pause pages, inside the
//    write's page walk, it calls balance_dirty_pages (balance_dirty_pages_ratelimited);
//  - the flusher kernel thread (wb_workfn -> wb_writeback) writes dirty pages back,
//    oldest first, while more than dirty_background_ratio of the cache is dirty
//    (background writeback), and any page dirty for longer than dirty_expire
//    (kupdate-style writeback, checked every writeback_interval);
//  - balance_dirty_pages (IO-less, Linux 3.2+) wakes the flusher above the
//    background threshold; up to the freerun ceiling, (thresh + bg_thresh) / 2, the
//    writer runs free; above it, it sleeps pages_dirtied / task_ratelimit, at most
//    200 ms, the rate from the write-bandwidth estimate and the position of the
//    dirty count around the setpoint (sim/kernel/dirty_throttle.h has the arithmetic).
//    Each pause is a voluntary context switch and counts as dirty_throttle_ns;
//  - reclaim that met dirty pages wakes the flusher (wakeup_flusher_threads with
//    WB_REASON_VMSCAN -> wb_start_writeback -> wb_check_start_all): it writes as
//    many pages as were dirty then, oldest first, whatever the thresholds say.
// Simplified: global thresholds of the cache's size, one flusher for the one disk
// (README, "Where kiosim differs from Linux"). Writeback is charged to the process
// that last dirtied the file (as cgroup writeback charges an inode's owner).
// Owns the flusher, its timer and the `flusher` lane. Calls accounting, the page
// cache and the block device.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/kernel/accounting.h"
#include "sim/kernel/block_device.h"
#include "sim/kernel/dirty_throttle.h"
#include "sim/kernel/filemap.h"

namespace kiosim {

class Writeback {
 public:
  Writeback(Accounting& acct, Filemap& filemap, BlockDevice& disk);

  // A write() dirtied k (folio_mark_dirty); every nr_dirtied_pause newly dirtied
  // pages it runs balance_dirty_pages (balance_dirty_pages_ratelimited).
  void dirtied(Thread& t, PageKey k);
  void written(std::uint64_t pages);  // writeback of `pages` ended (WB_WRITTEN)
  void wakeup_for_reclaim();          // wakeup_flusher_threads(WB_REASON_VMSCAN)
  // A store through a shared mapping dirtied k: dirtied now, its writeback charged to
  // t's process; not dirty-throttled (kiosim skips fault_dirty_shared_page's check).
  void dirtied_by_store(Thread& t, PageKey k);
  // Writes back the dirty cached pages of a range (filemap_write_and_wait_range when
  // `wait`, __filemap_fdatawrite_range when not).
  void write_back_range(Thread& t, FileId f, std::uint64_t first, std::uint64_t n, bool wait);

  void flusher_actor();  // forever
  void timer_actor();    // forever: the periodic wake-up (dirty_writeback_interval)

 private:
  std::uint64_t background_pages() const;
  std::uint64_t limit_pages() const;
  void balance_dirty_pages(Thread& t);
  void pause(Thread& t, const dirty::Decision& d, std::uint64_t pages_dirtied);
  std::int64_t jiffies() const;
  bool flusher_has_work();

  Accounting& acct_;
  Filemap& filemap_;
  BlockDevice& disk_;
  std::unique_ptr<WaitQueue> flusher_wake_, timer_wake_;
  std::vector<Process*> file_dirtier_;  // per file: the process whose writes the flusher charges
  std::uint32_t lane_ = 0;
  dirty::Bandwidth bandwidth_;
  std::uint64_t dirtied_total_ = 0, written_total_ = 0;  // WB_DIRTIED, WB_WRITTEN
  bool dirty_exceeded_ = false;                          // wb->dirty_exceeded
  std::uint64_t start_all_pages_ = 0;                    // WB_start_all: pages still to write for reclaim
};

}  // namespace kiosim
