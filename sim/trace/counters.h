// The counter set of MODEL.md section 1: one per process and one in total.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kiosim {

// Where a thread's time went (sim_time breakdown).
enum class TimeCat : std::uint8_t {
  syscall,   // entry/exit and kernel bookkeeping (lookups, skb building, VMA work)
  copy,      // CPU copies
  fault,     // page-fault handling and mapping pages
  tlb,       // page walks, invalidations, shootdowns
  disk,      // waiting for disk DMA
  wire,      // waiting for socket-buffer space (the NIC and the wire)
  pipe,      // waiting for a pipe
  journal,   // waiting for a journal commit
  throttle,  // dirty throttling and reclaim throttling
  sched,     // context switches
  irq,       // interrupt handling (kernel lanes)
  user,      // user-space work (touching memory)
  sleep,     // the program asked to sleep
  count_
};
std::string_view to_string(TimeCat c);
bool is_cpu(TimeCat c);  // time spent running on a core

struct Counters {
  std::uint64_t syscalls = 0;
  std::map<std::string, std::uint64_t> syscalls_by_name;
  std::uint64_t mode_switches = 0;
  std::uint64_t context_switches_voluntary = 0, context_switches_involuntary = 0;
  std::uint64_t cpu_copies = 0, cpu_copy_bytes = 0;
  std::uint64_t dma_copies = 0, dma_bytes = 0;
  std::uint64_t payload_bytes = 0;  // bytes delivered by the program (see counters.cpp)
  std::uint64_t sent_bytes = 0, file_write_bytes = 0, read_bytes = 0;
  std::uint64_t memory_bus_bytes = 0;
  std::uint64_t page_faults_minor = 0, page_faults_major = 0, cow_faults = 0, pages_mapped = 0;
  std::uint64_t tlb_hits = 0, tlb_misses = 0, tlb_invalidations = 0, tlb_flushes = 0, tlb_shootdowns = 0;
  std::uint64_t page_cache_hits = 0, page_cache_misses = 0, readahead_pages = 0;
  std::uint64_t activations = 0, deactivations = 0, evictions = 0, writeback_pages = 0;
  std::uint64_t reclaim_marked = 0, kswapd_evictions = 0;  // PG_reclaim set; evictions kswapd made
  std::uint64_t dirty_throttle_ns = 0;
  std::uint64_t reclaim_throttled = 0, reclaim_throttle_ns = 0;  // reclaim_throttle: times, time
  std::uint64_t disk_requests = 0;
  std::uint64_t disk_reads_merged = 0, disk_writes_merged = 0;  // /proc/diskstats fields 2 and 6
  std::uint64_t skbs = 0, sg_frags = 0, sg_overflows = 0, linearize_bytes = 0, interrupts = 0;
  std::uint64_t completion_delay_ns = 0;  // TX completions waiting for the NAPI poll that reaps them
  std::uint64_t ring_full_waits = 0, retransmits = 0;
  std::uint64_t zerocopy_sends = 0, zerocopy_completions = 0, zerocopy_waits = 0, zerocopy_overwrites = 0;
  std::uint64_t inflight_overwrites = 0;  // writes to pages an skb or pipe still holds
  std::uint64_t acks = 0, napi_polls = 0, gso_segments = 0;
  // the receive side of many connections (sim/kernel/sock_rx.h)
  std::uint64_t recv_eagain = 0, epoll_wakeups = 0, fd_polls = 0, rcv_unread_bytes = 0, stalled_connections = 0;
  std::uint64_t thread_stack_bytes = 0;  // pthread stacks reserved (threads after the first x 8 MiB)
  // the backpressure cascade: zero windows advertised and reopened, the fullest receive
  // queue (a maximum), non-blocking sends refused by a full send buffer
  std::uint64_t zero_windows = 0, window_reopens = 0, rcv_queue_max_bytes = 0, send_eagain = 0;
  std::uint64_t work_queued = 0, work_queue_max = 0;  // a thread pool (sim/kernel/threadpool.h); the max is a maximum
  std::uint64_t journal_commits = 0, journal_bytes = 0, device_flushes = 0, fsync_wait_ns = 0;
  std::uint64_t uring_sqes = 0, uring_cqes = 0, uring_failed = 0, uring_canceled = 0, uring_pinned_pages = 0;
  std::uint64_t memlock_refusals = 0, sqpoll_wakeups = 0, sqpoll_cpu_ns = 0, uring_zc_notifs = 0;
  std::uint64_t uring_iowq_punts = 0, uring_iowq_workers = 0, uring_poll_arms = 0;
  std::uint64_t sim_time_ns = 0, cpu_time_ns = 0;
  std::array<std::uint64_t, std::size_t(TimeCat::count_)> time_ns{};

  void add(const Counters& o);  // sums everything but sim_time_ns, rcv_queue_max_bytes, work_queue_max (maxima)
  nlohmann::ordered_json to_json() const;
};

// Every name to_json() writes at the top level (sim/trace/schema.h's counters, in
// the same order), for validating `expect:` keys.
const std::vector<std::string>& counter_names();

}  // namespace kiosim
