// The kernel's syscall paths (mm/filemap.c read, net/ipv4/tcp.c send, fs/splice.c,
// mm/memory.c faults, ...): each drives the model's mechanisms, asks the engine for
// the time each step takes, and reports counters and trace events exactly as
// MODEL.md section 1 defines them. No SimGrid here: the engine is behind Engine.
//
// Devices run as actors: the disk controller (one request at a time), the NIC
// (one skb at a time on the wire) and the interrupt handler that completes both.
#pragma once
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/address_space.h"
#include "model/dma_engine.h"
#include "model/journal.h"
#include "model/nic.h"
#include "model/page_cache.h"
#include "model/pipe.h"
#include "model/readahead.h"
#include "model/tlb.h"
#include "sim/trace/counters.h"
#include "sim/engine/engine.h"
#include "sim/scenario/scenario.h"
#include "sim/trace/trace.h"

namespace kiosim {

struct Process {
  std::string name;
  Counters counters;
  AddressSpace mm;
};

struct Thread {
  std::string name;
  Process* proc = nullptr;
  std::uint32_t lane = 0;
  std::uint32_t core = 0;             // where it runs (its TLB); `cores:` of its process
  bool setup = false;                 // setup ops: model effects only, no time, no counters
  std::uint64_t req = 0;              // the current syscall's request id
  std::array<double, std::size_t(TimeCat::count_)> pending{};  // CPU work not yet executed
  std::array<double, std::size_t(TimeCat::count_)> time{};     // where its time went
  double start_ns = 0, end_ns = 0;
  bool finished = false;
  std::string waiting_for;            // why it sleeps now, for deadlock reports
};

struct OpenFile {
  FileId file = 0;
  std::uint64_t pos = 0;
  ReadaheadState ra;
  bool direct = false;  // O_DIRECT: DMA to and from the user buffer, no page cache
  bool append = false;  // O_APPEND: every write goes to the end of the file
  bool dsync = false;   // O_DSYNC: every write is followed by fdatasync of its range
  bool sync = false;    // O_SYNC: every write is followed by fsync
};

// posix_fadvise advice that the model acts on (mm/fadvise.c).
enum class Advice : std::uint8_t { dontneed, willneed };

struct Socket {
  std::uint64_t queued = 0;  // payload bytes in the send buffer, not yet completed by the NIC
  std::uint64_t notifications = 0;  // MSG_ZEROCOPY completions not yet read by the program
  std::unique_ptr<WaitQueue> space;
};

struct PipeObj {
  Pipe pipe;
  std::unique_ptr<WaitQueue> changed;
};

struct Mapping {
  std::uint64_t start = 0;        // first virtual page
  std::uint64_t pages = 0;
  FileId file = 0;
  std::uint64_t file_offset = 0;  // byte offset of virtual page `start` in the file
  std::uint64_t cursor = 0;       // file offset the next write() from this mapping starts at
};

// Where a write() takes its bytes from.
struct WriteSource {
  Mapping* mapping = nullptr;  // null: a user buffer
};

class Kernel final : private EventSink {
 public:
  Kernel(const Machine& m, const std::vector<FileSpec>& files, Engine& engine, Trace& trace);
  ~Kernel() override;

  void start_devices();
  void set_seed(std::uint64_t seed) { rng_ = seed; }
  Process& new_process(const std::string& name);
  Thread& new_thread(Process& p, const std::string& name);
  void thread_started(Thread& t);
  void thread_finished(Thread& t);
  // Called by the run's supervisor: returns when every thread ended and the NIC drained.
  void wait_until_done();
  double end_ns() const { return end_ns_; }

  // The syscalls. Each returns bytes moved (or a handle). Errors are found at load time.
  std::unique_ptr<OpenFile> open(Thread& t, FileId f, std::uint64_t offset, std::uint32_t flags = 0);
  // Sockets and pipes belong to the kernel: the NIC may still send from a socket
  // after the program that opened it has ended.
  Socket& socket(Thread& t);
  PipeObj& pipe(Thread& t);
  void close(Thread& t);
  std::uint64_t read(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset);
  std::uint64_t uring_read(Thread& t, OpenFile& f, std::uint64_t bytes, std::uint32_t depth);
  std::uint64_t write_socket(Thread& t, Socket& s, std::uint64_t bytes, WriteSource src);
  std::uint64_t write_file(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset,
                           WriteSource src);
  std::unique_ptr<Mapping> mmap(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t length, bool shared,
                                bool writable);
  void munmap(Thread& t, Mapping& m);
  // mmap(MAP_PRIVATE | MAP_ANONYMOUS): zero-filled memory, a frame per page on first touch.
  std::unique_ptr<Mapping> mmap_anon(Thread& t, std::uint64_t length, bool writable);
  // fork(): a child process with a copy-on-write copy of the address space, and one
  // thread that runs `body` (which must end with thread_finished) as a new actor.
  Thread& fork(Thread& t, const std::string& child_name, std::function<void(Thread&)> body);
  void touch(Thread& t, Mapping& m, std::uint64_t offset, std::uint64_t bytes, bool write);
  std::uint64_t sendfile(Thread& t, Socket& out, OpenFile& in, std::uint64_t bytes);
  // send(): a copy like write(), or with MSG_ZEROCOPY the buffer's pages are pinned and
  // sent by DMA; a completion notification follows, which the next send reads.
  std::uint64_t send(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer, bool zerocopy);
  // The program is about to overwrite `buffer`: if MSG_ZEROCOPY still pins it, wait for
  // the completion or overwrite it under the NIC (net.zerocopy_reuse).
  void reuse_buffer(Thread& t, const std::string& buffer);
  std::uint64_t splice_file_to_pipe(Thread& t, OpenFile& in, PipeObj& out, std::uint64_t bytes);
  std::uint64_t splice_pipe_to_socket(Thread& t, PipeObj& in, Socket& out, std::uint64_t bytes);
  void sleep(Thread& t, double ns);
  void fadvise(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t bytes, Advice advice);
  // fsync / fdatasync (fs/ext4/fsync.c): data to its place, then wait for the journal commit
  // of the transaction holding the inode (kernel_journal.cpp).
  void fsync(Thread& t, OpenFile& f, bool datasync);
  // O_DIRECT needs offsets and sizes in multiples of the disk's logical block.
  static constexpr std::uint64_t kDirectAlign = 512;

  const PageCache& page_cache() const { return cache_; }
  const std::vector<std::unique_ptr<Process>>& processes() const { return procs_; }
  const std::vector<std::unique_ptr<Thread>>& threads() const { return threads_; }
  std::uint64_t file_size(FileId f) const { return files_[f].size; }
  const Journal& journal() const { return journal_; }

 private:
  struct DiskRequest;
  struct TxSkb;
  struct Completion;
  class Syscall;

  // accounting
  void cpu(Thread& t, TimeCat c, double ns);
  void flush_cpu(Thread& t);
  void cpu_copy(Thread& t, std::uint64_t bytes, Place from, Place to, std::uint32_t copies = 1);
  void block(Thread& t, TimeCat c, WaitQueue& q, const std::function<bool()>& ready, const char* why);
  void count(Thread& t, std::uint64_t Counters::*field, std::uint64_t n);
  void count(Process* p, std::uint64_t Counters::*field, std::uint64_t n);
  void trace(Thread& t, TraceEvent e);
  std::uint32_t lane_of(const Thread& t) const { return t.lane; }

  // page cache and disk
  void fill_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n);
  void request_pages(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n, bool wait_for_miss);
  // Pages from `unused_from` on (and all, when `readahead`) are read ahead of use.
  void read_into_cache(Thread& t, FileId file, PageRange r, bool wait, bool readahead,
                       std::uint64_t unused_from = ~0ULL);
  void wait_for_pages(Thread& t, FileId file, std::uint64_t first, std::uint64_t n);
  bool insert_page(Thread& t, PageKey k, bool readahead = false);
  // A disk request of `pages` of `file` on behalf of `proc` (its waiters ready), and
  // handing one to the disk controller.
  std::shared_ptr<DiskRequest> disk_request(FileId file, PageRange pages, bool write, std::uint64_t req, Process* proc);
  void submit(const std::shared_ptr<DiskRequest>& r);
  void disk_actor();
  void irq_actor();
  void complete(Completion& c);
  void zerocopy_skb_done(const TxSkb& s);
  void nic_actor();

  // dirty pages and writeback (kernel_writeback.cpp)
  void flusher_actor();
  void writeback_timer_actor();
  bool flusher_has_work();
  void dirtied(Thread& t, PageKey k);        // a write() dirtied k (folio_mark_dirty)
  void balance_dirty_pages(Thread& t);      // after a write(): wake the flusher, throttle
  std::uint64_t dirty_background_pages() const;
  std::uint64_t dirty_limit_pages() const;
  // Submits writes of `pages` (already under writeback), one request per contiguous run.
  std::vector<std::shared_ptr<DiskRequest>> submit_writeback(std::vector<PageKey> pages, Process* p,
                                                             std::uint64_t req);
  void write_back_range(Thread& t, FileId f, std::uint64_t first, std::uint64_t n, bool wait);
  std::uint64_t read_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes);
  bool refuse_misaligned(Thread& t, std::uint64_t pos, std::uint64_t bytes);  // O_DIRECT's EINVAL
  std::uint64_t write_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes);
  void deliver_locally(Process& receiver, TxSkb& s);  // net.receiver: local
  void wake_local_receiver(Process& receiver);
  // A trace event on a device's or kernel thread's lane, from t0, lasting `dur` (< 0: until now).
  TraceEvent device_event(std::uint32_t lane, EventKind kind, double t0, double dur = -1) const;
  std::uint64_t sndbuf_wake_level() const;
  Segmented segment_write(std::uint64_t bytes) const;

  // the journal (kernel_journal.cpp)
  void journal_actor();        // kjournald2: one commit at a time
  void journal_timer_actor();  // commits the running transaction after journal.commit_interval
  // write_file's hook, after the data is in place: metadata joins the running
  // transaction; O_DSYNC / O_SYNC then sync the file.
  void journal_after_write(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes,
                           std::uint64_t size_before);
  void journal_sync(Thread& t, FileId f, bool datasync);
  void journal_data_written(const DiskRequest& r);  // irq: a data write reached the disk
  void journal_writeback_started(const DiskRequest& r);  // disk: delayed allocation
  void wait_file_writeback(Thread* t, FileId f);     // pages of f under writeback
  void device_flush(Process* p, Thread* t);         // a cache flush, waited for

  // faults and the TLB (kernel_mm.cpp)
  void fault(Thread& t, Mapping& m, std::uint64_t vpage, bool user_mode, bool write = false);
  void write_protect_fault(Thread& t, std::uint64_t vpage, bool user_mode);
  void write_to_pinned_page(Thread& t, PageKey k);  // mm.write_during_send
  void tlb_access(Thread& t, std::uint64_t vpage);
  void ran_on_core(Thread& t);
  // Drops stale translations after a PTE changed or went: one page each below the
  // threshold, else a full flush; plus a shootdown IPI to each other core of the mm.
  void tlb_flush_pages(Thread& t, const std::vector<std::uint64_t>& vpages);
  void tlb_flush_mm(Thread& t);

  // network
  void queue_skbs(Thread& t, Socket& s, Segmented seg, Place from, std::uint64_t zerocopy = 0);

  // EventSink: model events of the page cache
  void record(const ModelEvent& e) override;

  Machine m_;
  std::vector<FileSpec> files_;
  Engine& engine_;
  Trace& trace_;
  PageCache cache_;
  Nic nic_;
  std::vector<std::unique_ptr<Process>> procs_;
  std::vector<Tlb> tlbs_;      // one per core
  FrameTable frames_;          // private frames (anonymous pages, CoW copies)
  std::uint32_t next_asid_ = 1;
  std::vector<std::unique_ptr<Thread>> threads_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::vector<std::unique_ptr<PipeObj>> pipes_;
  Thread* current_ = nullptr;  // whose syscall the page cache is serving (for its events)
  std::uint64_t next_req_ = 1;
  int running_ = 0;
  double end_ns_ = 0, last_delivery_ns_ = 0;
  std::uint64_t recv_fill_ = 0;  // bytes the local receiver's read() in progress has copied

  std::deque<std::shared_ptr<DiskRequest>> disk_queue_;
  std::unordered_map<PageKey, std::shared_ptr<DiskRequest>, PageKeyHash> inflight_;
  std::deque<TxSkb> tx_queue_;
  DmaEngine nic_dma_;                      // the NIC's TX descriptor ring
  struct ZeroCopySend {
    std::uint64_t skbs_left = 0;
    std::string buffer;
    Process* proc = nullptr;
  };
  std::map<std::uint64_t, ZeroCopySend> zerocopy_;   // by send id, until its last skb completes
  std::map<std::string, int> pinned_buffers_;        // user buffers MSG_ZEROCOPY holds
  std::unique_ptr<WaitQueue> zerocopy_done_;
  std::uint64_t next_zerocopy_ = 1;
  std::unique_ptr<WaitQueue> ring_space_;
  std::deque<std::pair<double, TxSkb>> resend_;  // lost skbs and when to resend them
  std::uint64_t rng_ = 1;
  double next_random();
  std::deque<Completion> completions_;
  bool nic_busy_ = false;
  std::unique_ptr<WaitQueue> disk_wake_, nic_wake_, irq_wake_, idle_, cache_room_;
  std::uint32_t disk_lane_ = 0, nic_lane_ = 0, irq_lane_ = 0;
  std::unique_ptr<WaitQueue> flusher_wake_, timer_wake_;
  std::vector<Process*> file_dirtier_;  // per file: the process whose writes the flusher charges
  std::uint32_t flusher_lane_ = 0;
  Journal journal_;
  std::unique_ptr<WaitQueue> commit_wake_, commit_done_, journal_timer_wake_;
  std::map<Tid, Process*> txn_owner_;  // who pays for a commit: the first to ask, else the first writer
  std::map<Tid, double> txn_start_ns_;
  std::set<Tid> txn_asked_;  // transactions some thread asked to commit (it pays)
  std::uint32_t journal_lane_ = 0;
};

}  // namespace kiosim
