// What the kernel hands to programs: processes and threads (task_struct), open files
// (struct file), mappings (vm_area_struct), sockets and pipes. Plain data: the
// subsystems in this folder act on them.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "model/address_space.h"
#include "model/nic.h"
#include "model/pipe.h"
#include "model/readahead.h"
#include "sim/engine/engine.h"
#include "sim/trace/counters.h"

namespace kiosim {

struct Process {
  std::string name;
  Counters counters;
  AddressSpace mm;
};

// A block plug a thread holds open (current->plug): schedule() flushes it before the
// thread sleeps (sched_submit_work -> blk_flush_plug), so nothing it holds waits for it.
class HeldPlug {
 public:
  virtual void flush() = 0;

 protected:
  ~HeldPlug() = default;
};

struct Thread {
  std::string name;
  Process* proc = nullptr;
  std::uint32_t lane = 0;
  std::uint32_t core = 0;             // where it runs (its TLB); `cores:` of its process
  bool setup = false;                 // setup ops: model effects only, no time, no counters
  std::uint64_t req = 0;              // the current syscall's request id
  std::uint32_t in_kernel = 0;        // Syscall nesting: > 1 while io_uring runs an SQE's path
  HeldPlug* plug = nullptr;           // current->plug (block_device.h's Plug with an owner)
  std::array<double, std::size_t(TimeCat::count_)> pending{};  // CPU work not yet executed
  std::array<double, std::size_t(TimeCat::count_)> time{};     // where its time went
  double start_ns = 0, end_ns = 0;
  bool finished = false;
  std::string waiting_for;            // why it sleeps now, for deadlock reports
  // balance_dirty_pages' per-task state (task_struct nr_dirtied, nr_dirtied_pause,
  // dirty_paused_when, in jiffies).
  std::uint64_t nr_dirtied = 0, nr_dirtied_pause = 32;
  std::int64_t dirty_paused_when = 0;
};

struct OpenFile {
  FileId file = 0;
  std::uint64_t pos = 0;
  ReadaheadState ra;
  std::uint64_t prev_pos = 0;  // file_ra_state.prev_pos: where the last read ended (0: none yet)
  bool direct = false;  // O_DIRECT: DMA to and from the user buffer, no page cache
  bool append = false;  // O_APPEND: every write goes to the end of the file
  bool dsync = false;   // O_DSYNC: every write is followed by fdatasync of its range
  bool sync = false;    // O_SYNC: every write is followed by fsync
};

// posix_fadvise advice that the model acts on (mm/fadvise.c).
enum class Advice : std::uint8_t { dontneed, willneed };

struct Socket {
  std::uint64_t queued = 0;  // payload bytes in the send buffer (sk_wmem_queued), until their ACK
  PageFrag frag;             // where write()'s next bytes go (sk_page_frag)
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
  ReadaheadState ra;              // the file's readahead state as faults see it (vm_file->f_ra)
};

// Where a write() takes its bytes from.
struct WriteSource {
  Mapping* mapping = nullptr;  // null: a user buffer
};

}  // namespace kiosim
