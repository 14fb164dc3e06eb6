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
#include <string>
#include <unordered_map>
#include <vector>

#include "model/address_space.h"
#include "model/nic.h"
#include "model/page_cache.h"
#include "model/pipe.h"
#include "model/readahead.h"
#include "sim/counters.h"
#include "sim/engine.h"
#include "sim/scenario.h"
#include "sim/trace.h"

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
};

// posix_fadvise advice that the model acts on (mm/fadvise.c).
enum class Advice : std::uint8_t { dontneed, willneed };

struct Socket {
  std::uint64_t queued = 0;  // payload bytes in the send buffer, not yet completed by the NIC
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
  std::uint64_t write_socket(Thread& t, Socket& s, std::uint64_t bytes, WriteSource src);
  std::uint64_t write_file(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset,
                           WriteSource src);
  std::unique_ptr<Mapping> mmap(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t length, bool shared,
                                bool writable);
  void munmap(Thread& t, Mapping& m);
  void touch(Thread& t, Mapping& m, std::uint64_t offset, std::uint64_t bytes, bool write);
  std::uint64_t sendfile(Thread& t, Socket& out, OpenFile& in, std::uint64_t bytes);
  std::uint64_t splice_file_to_pipe(Thread& t, OpenFile& in, PipeObj& out, std::uint64_t bytes);
  std::uint64_t splice_pipe_to_socket(Thread& t, PipeObj& in, Socket& out, std::uint64_t bytes);
  void sleep(Thread& t, double ns);
  void fadvise(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t bytes, Advice advice);
  // O_DIRECT needs offsets and sizes in multiples of the disk's logical block.
  static constexpr std::uint64_t kDirectAlign = 512;

  const PageCache& page_cache() const { return cache_; }
  const std::vector<std::unique_ptr<Process>>& processes() const { return procs_; }
  const std::vector<std::unique_ptr<Thread>>& threads() const { return threads_; }
  std::uint64_t file_size(FileId f) const { return files_[f].size; }

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
  // Pages from `unused_from` on (and all, when `readahead`) are read ahead of use.
  void read_into_cache(Thread& t, FileId file, PageRange r, bool wait, bool readahead,
                       std::uint64_t unused_from = ~0ULL);
  void wait_for_pages(Thread& t, FileId file, std::uint64_t first, std::uint64_t n);
  bool insert_page(Thread& t, PageKey k, bool readahead = false);
  void disk_actor();
  void irq_actor();
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
  std::uint64_t write_direct(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes);
  void deliver_locally(Process& receiver, TxSkb& s);  // net.receiver: local

  // faults
  void fault(Thread& t, Mapping& m, std::uint64_t vpage, bool user_mode);

  // network
  void queue_skbs(Thread& t, Socket& s, Segmented seg, Place from);

  // EventSink: model events of the page cache
  void record(const ModelEvent& e) override;

  Machine m_;
  std::vector<FileSpec> files_;
  Engine& engine_;
  Trace& trace_;
  PageCache cache_;
  Nic nic_;
  std::vector<std::unique_ptr<Process>> procs_;
  std::vector<std::unique_ptr<Thread>> threads_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::vector<std::unique_ptr<PipeObj>> pipes_;
  Thread* current_ = nullptr;  // whose syscall the page cache is serving (for its events)
  std::uint64_t next_req_ = 1;
  int running_ = 0;
  double end_ns_ = 0, last_delivery_ns_ = 0;

  std::deque<std::shared_ptr<DiskRequest>> disk_queue_;
  std::unordered_map<PageKey, std::shared_ptr<DiskRequest>, PageKeyHash> inflight_;
  std::deque<TxSkb> tx_queue_;
  std::deque<Completion> completions_;
  bool nic_busy_ = false;
  std::unique_ptr<WaitQueue> disk_wake_, nic_wake_, irq_wake_, idle_, cache_room_;
  std::uint32_t disk_lane_ = 0, nic_lane_ = 0, irq_lane_ = 0;
  std::unique_ptr<WaitQueue> flusher_wake_, timer_wake_;
  std::vector<Process*> file_dirtier_;  // per file: the process whose writes the flusher charges
  std::uint32_t flusher_lane_ = 0;
};

}  // namespace kiosim
