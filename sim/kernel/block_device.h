// The block device: a multi-queue disk (block/blk-mq.c) and the disk controller's DMA
// (memory <-> disk). disk.hw_queues hardware queues, each with disk.queue_depth tags:
// that many requests of a queue are in flight at once, each paying the request
// latency while all share the bandwidth (an NVMe drive). One queue of depth 1 is the
// serial disk.
// A caller's DiskRequest is carried by bios (struct bio): submit() makes it one bio
// (submit_bio), a Plug takes it in many (one per folio, as read_pages' read_folio
// calls and writeback's pages submit them). blk_mq_submit_bio cuts a bio over
// disk.max_request (max_sectors_kb) into pieces (__bio_split_to_limits), tries to
// merge each into the plug's last request, then into a request the scheduler holds
// (disk.scheduler), and otherwise makes it a request of its own. The scheduler
// (model/io_scheduler.h) hands requests to the disk actors, one per tag: `none` one
// FIFO per hardware queue (a request goes to the submitting core's queue,
// blk_mq_map_queue: core i to queue i mod hw_queues), mq-deadline one queue for all
// (it is single-queue). A DiskRequest's waiters wake when its last bio is done.
// Merges are counted as /proc/diskstats counts them (reads merged, writes merged).
// It owns the schedulers, the `disk` lane and the disk actors; a finished request
// goes to the interrupt handler. Calls accounting and interrupts; what a write start
// and a completion mean for the page cache and the journal is told to it through
// two hooks.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "model/blk_merge.h"
#include "model/io_scheduler.h"

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
  std::uint64_t parts_left = 0;  // its bios (split pieces included) not yet done
  bool started = false;          // a write's first bio reached the disk
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

  // A task's plug (blk_start_plug .. blk_finish_plug, block/blk-core.c): the bios
  // added to it merge with the request before them and wait in it; finish() (or the
  // end of its scope) hands its requests to the scheduler. Without an owner the caller
  // must not sleep between add and finish; with one it is the owner's current->plug,
  // which Accounting::block flushes when the owner sleeps (sched_submit_work), and a
  // plug the owner starts inside it is the outer one (blk_start_plug nests).
  class Plug final : public HeldPlug {
   public:
    // `writes`: page writes, whose requests writeback_chunk caps too.
    Plug(BlockDevice& d, bool writes, Thread* owner = nullptr);
    ~Plug();
    Plug(const Plug&) = delete;
    Plug& operator=(const Plug&) = delete;
    void add(const DiskRequestPtr& r, PageRange bio);  // one bio of r: pages of it
    void submit(const DiskRequestPtr& r);              // r whole, as submit() cuts it
    void finish();
    void flush() override { finish(); }

   private:
    Plug& active() { return outer_ ? *outer_ : *this; }
    BlockDevice& d_;
    BlkPlug plug_;
    Thread* owner_;
    Plug* outer_ = nullptr;  // the owner's plug when this one started inside it
  };

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
  std::uint32_t hw_queues() const { return hw_queues_; }

 private:
  BlkRange range_of(const DiskRequest& r, PageRange pages, std::uint64_t bytes) const;
  std::uint64_t new_bio(const DiskRequestPtr& r);
  std::size_t slot(std::uint32_t hctx) const { return scheds_.size() == 1 ? 0 : hctx % scheds_.size(); }
  // The bio `id` of `r`: merged where it can be, else a request of its own (into
  // `plug` if there is one, else straight to the scheduler).
  void submit_bio(const DiskRequestPtr& r, const BlkRange& piece, std::uint64_t id, BlkPlug* plug, bool at_head);
  void submit_whole(const DiskRequestPtr& r, BlkPlug* plug, bool at_head);  // submit(), maybe into a plug
  void insert(BlkRequest rq, bool at_head);  // blk_mq_insert_request(s)
  void count_merges(const DiskRequest& r, unsigned n);
  void trace_transfer(const DiskRequest& r, const BlkRange& range, double t0);
  void complete_bio(std::uint64_t id);  // the interrupt handler's part (bio_endio)

  Accounting& acct_;
  Interrupts& irq_;
  Hooks hooks_;
  std::uint32_t hw_queues_ = 1;
  std::vector<std::unique_ptr<IoScheduler>> scheds_;  // `none`: one per hardware queue; mq-deadline: one
  std::vector<std::unique_ptr<WaitQueue>> wakes_;     // one per scheduler: its idle tags
  std::unordered_map<std::uint64_t, DiskRequestPtr> bios_;  // in flight, by id
  std::uint64_t next_bio_ = 0;
  std::uint32_t lane_ = 0;
};

}  // namespace kiosim
