// The block device: a multi-queue disk (block/blk-mq.c with the `none` elevator) and
// the disk controller's DMA (memory <-> disk). disk.hw_queues hardware queues, each
// with disk.queue_depth tags: that many requests of a queue are in flight at once,
// each paying the request latency while all share the bandwidth (an NVMe drive).
// A request goes to the queue of the submitting core (blk_mq_map_queue: core i to
// queue i mod hw_queues) and is served in order within it. One queue of depth 1 is
// the serial disk. A request larger than disk.max_request (max_sectors_kb) is split
// first, as blk_mq_submit_bio's __bio_split_to_limits does; its waiters wake when
// every part is done. It owns the request queues, the `disk` lane and the disk
// actors (one per tag); a finished request goes to the interrupt handler.
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
  std::uint32_t core = 0;     // the submitting core: which hardware queue takes it
  bool done = false;
  // A part of a split request (bio_split): the request its completion counts to, and
  // in the whole request the parts still to finish.
  std::shared_ptr<DiskRequest> parent;
  std::uint64_t parts_left = 0;
  bool started = false;       // a write's first part reached the disk
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

  // One tag of hardware queue `hctx`, forever: takes that queue's next request and
  // serves it, alongside the queue's other tags (blk_mq_dispatch_rq_list).
  void actor(std::uint32_t hctx);
  std::uint32_t hw_queues() const { return std::uint32_t(queues_.size()); }

 private:
  void trace_transfer(const DiskRequest& r, std::uint64_t bytes, double t0);
  void enqueue(const DiskRequestPtr& r, bool at_head);
  void complete(const DiskRequestPtr& r);  // the interrupt handler's part

  Accounting& acct_;
  Interrupts& irq_;
  Hooks hooks_;
  std::vector<std::deque<DiskRequestPtr>> queues_;      // one per hardware queue
  std::vector<std::unique_ptr<WaitQueue>> wakes_;
  std::uint32_t lane_ = 0;
};

}  // namespace kiosim
