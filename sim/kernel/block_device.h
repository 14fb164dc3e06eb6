// The block device: one disk that serves one request at a time, in order (a single
// hardware queue with no scheduler: block/blk-mq.c with the `none` elevator), and
// the disk controller's DMA (memory <-> disk). It owns the request queue, the `disk`
// lane and the disk actor; a finished request goes to the interrupt handler.
// Calls accounting and interrupts; what a write start and a completion mean for the
// page cache and the journal is told to it through two hooks.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "model/page.h"
#include "sim/kernel/accounting.h"
#include "sim/kernel/interrupts.h"
#include "sim/trace/schema.h"

namespace kiosim {

struct DiskRequest {
  FileId file = 0;
  PageRange pages;
  bool write = false;
  bool readahead = false;
  bool direct = false;        // O_DIRECT: to or from a user buffer; no page-cache state changes
  bool journal = false;       // a journal block write (kjournald2): no page-cache state changes
  std::uint64_t bytes = 0;    // bytes moved; 0 means whole pages
  std::uint64_t req = 0;
  Process* proc = nullptr;
  bool done = false;
  std::unique_ptr<WaitQueue> waiters;
};
using DiskRequestPtr = std::shared_ptr<DiskRequest>;

class BlockDevice {
 public:
  struct Hooks {
    std::function<void(const DiskRequest&)> write_starting;  // the disk takes a write
    std::function<void(const DiskRequest&)> completed;       // its interrupt, before the waiters wake
  };
  BlockDevice(Accounting& acct, Interrupts& irq);
  void set_hooks(Hooks h) { hooks_ = std::move(h); }
  void start_lane() { lane_ = acct_.add_lane(std::string(schema::note::disk_lane), LaneKind::device); }
  std::uint32_t lane() const { return lane_; }

  // A request of `pages` of `file` on behalf of `proc` (its waiters ready), and
  // handing one to the disk.
  DiskRequestPtr request(FileId file, PageRange pages, bool write, std::uint64_t req, Process* proc);
  // `at_head`: ahead of the queued requests, as the block layer dispatches the data
  // part of a REQ_PREFLUSH | REQ_FUA write once its flush is done (block/blk-flush.c).
  void submit(const DiskRequestPtr& r, bool at_head = false);
  // Writes of `pages`, one request per contiguous run of at most writeback_chunk bytes;
  // `counted` (writeback_pages): traced as `writeback_start` too.
  std::vector<DiskRequestPtr> submit_page_writes(std::vector<PageKey> pages, Process* p, std::uint64_t req,
                                                 bool counted = true);
  // Sleeps `t` until `r` is done (a context switch, its time under `disk`).
  void wait(Thread& t, const DiskRequestPtr& r, const char* why);
  static void wait_kernel(const DiskRequestPtr& r);  // a kernel thread waits, uncounted

  void actor();  // the disk controller, forever

 private:
  void trace_transfer(const DiskRequest& r, std::uint64_t bytes, double t0);

  Accounting& acct_;
  Interrupts& irq_;
  Hooks hooks_;
  std::deque<DiskRequestPtr> queue_;
  std::unique_ptr<WaitQueue> wake_;
  std::uint32_t lane_ = 0;
};

}  // namespace kiosim
