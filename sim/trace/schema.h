// The one table of trace event kinds and counters: each kind's name, meaning and
// unit, each counter's name, meaning and unit, and how a trace's events determine
// the counter (or that only the final value can say). The trace writer, `expect:`
// validation, docs/TRACE.md (tests/unit/test_trace_schema.cpp checks it) and the
// GUI (which plays traces and computes live counters from these rules) all read it.
// Standard library and model/events.h only, so the GUI can include it without
// SimGrid, yaml or Qt.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/events.h"

namespace kiosim::schema {

// ---- event kinds ----------------------------------------------------------------

struct KindInfo {
  EventKind kind;
  std::string_view name;     // as the trace's "kind" writes it
  std::string_view meaning;
  std::string_view unit;     // what the event's `bytes` and `pages` carry; "" for neither
  bool traced = true;        // false: model-internal, reported to the kernel and never put in a trace
};

using K = EventKind;

// In the order of enum EventKind (checked below).
inline constexpr std::array kKinds = {
    KindInfo{K::cache_hit, "cache_hit", "a page-cache lookup found the page", "", false},
    KindInfo{K::cache_miss, "cache_miss", "a page-cache lookup did not find the page", "", false},
    KindInfo{K::cache_insert, "cache_insert",
             "a page enters the page cache; on a thread's lane after a write(), where that write's bytes now are",
             "pages: pages (from `page`); bytes: the write's bytes"},
    KindInfo{K::activate, "activate", "a page moves to the head of the active list", "pages: 1"},
    KindInfo{K::deactivate, "deactivate", "a page moves from the active tail to the inactive list", "pages: 1"},
    KindInfo{K::rotate, "rotate",
             "reclaim passes over a page it cannot take now (pinned, or referenced through a PTE): back to the head",
             "pages: 1"},
    KindInfo{K::evict, "evict", "a page leaves the page cache (reclaim; `name` fadvise DONTNEED: dropped on request)",
             "pages: pages dropped"},
    KindInfo{K::reclaim_marked, "reclaim_marked",
             "reclaim met a dirty page or one under writeback: it writes nothing, sets PG_reclaim and activates the "
             "page out of the way; the flusher writes it (shrink_folio_list)",
             "pages: 1"},
    KindInfo{K::reclaim_rotate, "reclaim_rotate",
             "the writeback of a page reclaim marked has ended: to the inactive tail, reclaimed next "
             "(folio_rotate_reclaimable; on the disk lane)",
             "pages: 1"},
    KindInfo{K::page_get, "page_get", "a page reference taken (pipe, skb, DMA)", "", false},
    KindInfo{K::page_put, "page_put", "a page reference dropped", "", false},
    KindInfo{K::syscall_enter, "syscall_enter", "a thread enters a system call (`name`): a mode switch", ""},
    KindInfo{K::syscall_exit, "syscall_exit", "the system call returns to user mode: a mode switch (fork: `child`)", ""},
    KindInfo{K::cpu_copy, "cpu_copy", "the CPU copies bytes from one place to another", "bytes: copied; pages: spanned"},
    KindInfo{K::dma_copy, "dma_copy", "a device's DMA moves bytes (disk read, O_DIRECT, NIC to the wire)",
             "bytes: moved; pages: pages, or fragments gathered"},
    KindInfo{K::page_ref_move, "page_ref_move", "pages pass by reference (splice, sendfile, MSG_ZEROCOPY): no data moved",
             "bytes: covered; pages: pages"},
    KindInfo{K::page_fault_minor, "page_fault_minor", "a page fault served from memory (`user_mode`: taken in user mode)",
             "pages: pages mapped"},
    KindInfo{K::page_fault_major, "page_fault_major", "a page fault that waits for the disk", "pages: pages mapped"},
    KindInfo{K::cow_fault, "cow_fault", "a write fault that copies the page (copy-on-write; `frame`, `old_frame`)", "pages: 1"},
    KindInfo{K::tlb_miss, "tlb_miss", "user-space touches that missed in the TLB (one event per touch of `span` pages from `page`)",
             "pages: misses"},
    KindInfo{K::tlb_invalidate, "tlb_invalidate", "translations invalidated one by one (`page` the first of a run of pages)",
             "pages: pages invalidated"},
    KindInfo{K::tlb_flush, "tlb_flush", "a full flush of an address space's TLB entries", ""},
    KindInfo{K::tlb_shootdown, "tlb_shootdown", "one batch of TLB-shootdown IPIs to the address space's other cores (`cpus`)",
             "pages: IPIs (target cores)"},
    KindInfo{K::skb_build, "skb_build", "an skb is built and queued on the socket", "bytes: payload; pages: fragments"},
    KindInfo{K::linearize, "linearize",
             "fragments copied into a linear part: over the NIC's fragment limit (skb_linearize), or `name` software "
             "GSO: an skb cut into MSS packets without TSO, copied without scatter-gather (skb_segment)",
             "bytes: copied; pages: software GSO's packets"},
    KindInfo{K::nic_tx, "nic_tx", "an skb lost on the wire, resent after the duplicate ACKs", "bytes: the skb's payload"},
    KindInfo{K::interrupt, "interrupt",
             "a device interrupt (`name` disk; nic tx, nic tx xN: the NAPI polls it scheduled reaped N TX completions, "
             "at most nic.napi_budget a poll)",
             "pages: TX completions its NAPI polls reaped (0 for one)"},
    KindInfo{K::readahead, "readahead", "pages read ahead (`name` sync, async, fadvise WILLNEED, mmap fault)",
             "pages: pages read ahead"},
    KindInfo{K::writeback_start, "writeback_start",
             "dirty pages put under writeback and queued at the disk (flusher, fsync, journal "
             "ordering; on the disk lane)",
             "pages: pages"},
    KindInfo{K::writeback, "writeback",
             "dirty pages written to the disk (on the disk lane; the flusher's lane repeats its batches; `name` journal: "
             "the journal's own blocks)",
             "bytes: written; pages: pages"},
    KindInfo{K::journal_commit, "journal_commit", "the journal commits a transaction", "bytes: journal bytes; pages: blocks"},
    KindInfo{K::device_flush, "device_flush", "the disk writes its volatile cache to the medium", ""},
    KindInfo{K::block, "block", "a thread sleeps (`dur` how long, `name` why): one voluntary context switch", ""},
    KindInfo{K::syscall_error, "syscall_error",
             "a system call or an io_uring request failed (`name`: the errno and why, e.g. ENOMEM past mm.memlock)", ""},
    KindInfo{K::tcp_window, "tcp_window",
             "a receiver's advertised window went to zero or opened again (`name`; tcp_select_window; on the "
             "`clients` lane)",
             "bytes: the window advertised; pages: the connection"},
};

constexpr bool kinds_in_enum_order() {
  if (kKinds.size() != std::size_t(EventKind::count_)) return false;
  for (std::size_t i = 0; i < kKinds.size(); ++i)
    if (kKinds[i].kind != EventKind(i)) return false;
  return true;
}
static_assert(kinds_in_enum_order(), "kKinds: one row per EventKind, in the enum's order");

constexpr const KindInfo& kind_info(EventKind k) { return kKinds[std::size_t(k)]; }

constexpr std::optional<EventKind> kind_named(std::string_view name) {
  for (const KindInfo& k : kKinds)
    if (k.name == name) return k.kind;
  return std::nullopt;
}

// ---- notes the rules below match (the `name` the kernel gives an event) ------------

namespace note {
inline constexpr std::string_view disk_lane = "disk";
inline constexpr std::string_view journal_blocks = "journal";
inline constexpr std::string_view cow = "cow";
inline constexpr std::string_view wp_page_reuse = "wp_page_reuse";
inline constexpr std::string_view fadvise_dontneed = "fadvise DONTNEED";
inline constexpr std::string_view ring_full = "NIC TX ring full";
inline constexpr std::string_view zerocopy_send = "MSG_ZEROCOPY: user pages pinned";
inline constexpr std::string_view zerocopy_wait = "buffer pinned by MSG_ZEROCOPY";
inline constexpr std::string_view direct_einval = "EINVAL: O_DIRECT needs 512-byte aligned offset and size";
inline constexpr std::string_view device_flush_wait = "device cache flush (fsync: nothing to commit)";
inline constexpr std::string_view pinned_write_wait = "write during send: wait for the references to go (what-if)";
inline constexpr std::string_view kswapd_lane = "kswapd";
inline constexpr std::string_view reclaim_throttle =
    "reclaim_throttle: nothing to reclaim, the pages are dirty or under writeback (VMSCAN_THROTTLE_NOPROGRESS)";
inline constexpr std::string_view inflight_overwrite =
    "write to a page an skb or pipe still holds: the new bytes go out";
inline constexpr std::string_view ack = "ACK: tcp_clean_rtx_queue frees the skb, its pages and its buffer space";
inline constexpr std::string_view software_gso = "software GSO (skb_segment)";
inline constexpr std::string_view zerocopy_overwrite =
    "buffer overwritten while MSG_ZEROCOPY still sends it: the wire carries the new bytes";
inline constexpr std::string_view memlock_enomem =
    "ENOMEM: io_uring_register's buffers would pin more than RLIMIT_MEMLOCK (mm.memlock)";
inline constexpr std::string_view fixed_efault = "EFAULT: a fixed-buffer SQE names a buffer that is not registered";
inline constexpr std::string_view send_eagain = "EAGAIN: the socket's send buffer is full (non-blocking)";
inline constexpr std::string_view zero_window = "zero window: the receive queue is full (TCPToZeroWindowAdv)";
inline constexpr std::string_view window_reopen = "window reopened: a read made room (TCPFromZeroWindowAdv)";
}  // namespace note

// ---- counters -------------------------------------------------------------------

enum class Source : std::uint8_t {
  events,      // the rules below, summed over the run's events, give the final value
  final_only,  // no event carries it: known from the trace header once the run is over
};

struct CounterInfo {
  std::string_view name;     // as Counters::to_json() writes it
  std::string_view meaning;
  std::string_view unit;
  Source source = Source::events;
};

using S = Source;

// In the order Counters::to_json() writes them (tests/unit/test_trace_schema.cpp checks it).
inline constexpr std::array kCounters = {
    CounterInfo{"syscalls", "system calls made", "calls"},
    CounterInfo{"mode_switches", "crossings between user and kernel mode (two per system call or user-mode fault)",
                "switches"},
    CounterInfo{"context_switches", "voluntary plus involuntary context switches", "switches"},
    CounterInfo{"context_switches_voluntary", "a thread slept (disk, socket buffer, pipe, throttle, journal)", "switches"},
    CounterInfo{"context_switches_involuntary", "preemptions: kiosim never preempts a thread", "switches"},
    CounterInfo{"cpu_copies", "copies made by the CPU", "copies"},
    CounterInfo{"cpu_copy_bytes", "bytes the CPU copied", "bytes"},
    CounterInfo{"dma_copies", "transfers made by a device's DMA (disk, NIC)", "transfers"},
    CounterInfo{"dma_bytes", "bytes moved by DMA", "bytes"},
    CounterInfo{"payload_bytes", "bytes the program delivered: sent, else written to files, else read", "bytes",
                S::final_only},
    CounterInfo{"cpu_copies_per_byte", "cpu_copy_bytes / payload_bytes", "ratio", S::final_only},
    CounterInfo{"dma_copies_per_byte", "dma_bytes / payload_bytes", "ratio", S::final_only},
    CounterInfo{"memory_bus_bytes", "bytes over the memory bus: a CPU copy reads and writes, a DMA does one", "bytes"},
    CounterInfo{"page_faults_minor", "page faults served from memory (CoW faults included)", "faults"},
    CounterInfo{"page_faults_major", "page faults that waited for the disk", "faults"},
    CounterInfo{"cow_faults", "faults that copied a page (copy-on-write)", "faults"},
    CounterInfo{"pages_mapped", "page-table entries set by faults (fault-around included)", "pages"},
    CounterInfo{"tlb_hits", "user-space page accesses found in the TLB", "accesses", S::final_only},
    CounterInfo{"tlb_misses", "user-space page accesses that walked the page table", "accesses"},
    CounterInfo{"tlb_invalidations", "TLB entries invalidated one by one", "entries"},
    CounterInfo{"tlb_flushes", "full TLB flushes of an address space", "flushes"},
    CounterInfo{"tlb_shootdowns", "TLB-shootdown IPIs sent to other cores", "IPIs"},
    CounterInfo{"page_cache_hits", "page-cache lookups that found the page", "lookups", S::final_only},
    CounterInfo{"page_cache_misses", "page-cache lookups that did not", "lookups", S::final_only},
    CounterInfo{"readahead_pages", "pages read beyond what was asked for", "pages"},
    CounterInfo{"activations", "pages promoted to the active list", "pages"},
    CounterInfo{"deactivations", "pages demoted to the inactive list", "pages"},
    CounterInfo{"evictions", "pages reclaimed from the page cache", "pages"},
    CounterInfo{"writeback_pages", "dirty pages put under writeback (flusher, fsync, journal ordering), counted when submitted", "pages"},
    CounterInfo{"reclaim_marked",
                "pages reclaim met dirty or under writeback and marked PG_reclaim instead of writing them (NR_VMSCAN_IMMEDIATE)",
                "pages"},
    CounterInfo{"kswapd_evictions", "evictions kswapd made in the background, between the watermarks (PGSTEAL_KSWAPD)",
                "pages"},
    CounterInfo{"dirty_throttle_ns", "time writers slept in balance_dirty_pages", "ns", S::final_only},
    CounterInfo{"reclaim_throttled", "times a thread's reclaim found nothing it could free and was throttled (reclaim_throttle)",
                "throttles"},
    CounterInfo{"reclaim_throttle_ns", "time threads slept throttled in reclaim", "ns", S::final_only},
    CounterInfo{"disk_requests", "requests the disk served", "requests"},
    CounterInfo{"disk_reads_merged", "read bios and requests merged into a queued read (/proc/diskstats reads merged)",
                "merges", S::final_only},
    CounterInfo{"disk_writes_merged", "write bios and requests merged into a queued write (/proc/diskstats writes merged)",
                "merges", S::final_only},
    CounterInfo{"skbs", "socket buffers built", "skbs"},
    CounterInfo{"sg_frags", "page fragments attached to skbs", "fragments"},
    CounterInfo{"sg_overflows", "skbs that needed more fragments than the NIC gathers", "skbs", S::final_only},
    CounterInfo{"linearize_bytes", "bytes copied into linear buffers for the NIC (skb_linearize; software GSO without SG)",
                "bytes"},
    CounterInfo{"interrupts", "device interrupts handled", "interrupts"},
    CounterInfo{"completion_delay_ns", "time TX completions waited for the NAPI poll that reaped them (interrupt moderation included)", "ns", S::final_only},
    CounterInfo{"ring_full_waits", "times a sender waited for the NIC's TX ring", "waits"},
    CounterInfo{"retransmits", "skbs lost on the wire and resent", "skbs"},
    CounterInfo{"zerocopy_sends", "MSG_ZEROCOPY sends that pinned user pages", "sends"},
    CounterInfo{"zerocopy_completions", "MSG_ZEROCOPY sends whose pages the NIC released", "sends", S::final_only},
    CounterInfo{"zerocopy_waits", "reuses of a buffer that waited for its MSG_ZEROCOPY completion", "waits"},
    CounterInfo{"zerocopy_overwrites", "reuses of a buffer still in flight: the wire carries the new bytes", "writes"},
    CounterInfo{"inflight_overwrites", "page writes that landed while an skb or pipe still held the page", "pages"},
    CounterInfo{"acks", "ACKs that freed sent skbs, their pages and send-buffer space (tcp_clean_rtx_queue)", "ACKs"},
    CounterInfo{"napi_polls", "NAPI polls that reaped TX completions, at most nic.napi_budget each", "polls",
                S::final_only},
    CounterInfo{"gso_segments", "MSS-sized packets cut from GSO skbs in software (no TSO: skb_segment)", "packets"},
    CounterInfo{"recv_eagain", "recv calls on an empty receive queue that returned EAGAIN (non-blocking)", "calls",
                S::final_only},
    CounterInfo{"epoll_wakeups", "threads asleep in epoll_wait that an arrival woke (ep_poll_callback)", "wake-ups",
                S::final_only},
    CounterInfo{"fd_polls",
                "descriptors polled one by one (f_op->poll): select and poll, all they watch per scan; epoll, the ready "
                "ones",
                "polls", S::final_only},
    CounterInfo{"rcv_unread_bytes", "bytes the clients sent that the server never read (receive queues and zero "
                                    "windows at the end)",
                "bytes", S::final_only},
    CounterInfo{"stalled_connections", "connections with bytes left unread at the end", "connections", S::final_only},
    CounterInfo{"thread_stack_bytes",
                "address space reserved for thread stacks: 8 MiB (RLIMIT_STACK) for each thread after a process's first",
                "bytes", S::final_only},
    CounterInfo{"zero_windows", "times a receiver advertised a zero window: a connection's receive queue full "
                "(TCPToZeroWindowAdv)", "windows"},
    CounterInfo{"window_reopens", "times a zero window opened again: a read's window update (TCPFromZeroWindowAdv)",
                "windows"},
    CounterInfo{"rcv_queue_max_bytes", "the most bytes one connection's receive queue held (at most clients.rcvbuf)",
                "bytes", S::final_only},
    CounterInfo{"send_eagain", "non-blocking writes and sends that found the send buffer full: EAGAIN, nothing copied",
                "calls"},
    CounterInfo{"work_queued", "work handed to a thread pool (queue_work: uv_queue_work)", "items", S::final_only},
    CounterInfo{"work_queue_max", "the most work items waiting in a thread pool's queue", "items", S::final_only},
    CounterInfo{"journal_commits", "journal transactions committed", "commits"},
    CounterInfo{"journal_bytes", "bytes written to the journal", "bytes"},
    CounterInfo{"device_flushes", "disk cache flushes", "flushes"},
    CounterInfo{"fsync_wait_ns", "time fsync callers waited for the journal commit", "ns", S::final_only},
    CounterInfo{"uring_sqes", "io_uring SQEs the kernel took (io_submit_sqes)", "SQEs", S::final_only},
    CounterInfo{"uring_cqes", "io_uring CQEs posted, reaped from the CQ ring without a system call", "CQEs", S::final_only},
    CounterInfo{"uring_failed", "CQEs with an error (EINVAL, EFAULT)", "CQEs", S::final_only},
    CounterInfo{"uring_canceled", "linked SQEs cancelled because an earlier one in their chain failed (-ECANCELED)",
                "CQEs", S::final_only},
    CounterInfo{"uring_pinned_pages", "pages of registered buffers pinned (io_sqe_buffer_register)", "pages", S::final_only},
    CounterInfo{"memlock_refusals", "buffer registrations refused past RLIMIT_MEMLOCK (ENOMEM)", "calls"},
    CounterInfo{"sqpoll_wakeups", "io_uring_enter calls that woke a sleeping SQPOLL thread (IORING_SQ_NEED_WAKEUP)",
                "calls", S::final_only},
    CounterInfo{"sqpoll_cpu_ns", "time SQPOLL threads spun on their core (part of cpu_time_ns)", "ns", S::final_only},
    CounterInfo{"uring_zc_notifs",
                "SEND_ZC notification CQEs (IORING_CQE_F_NOTIF): the NIC is done with the pages, the buffer may be "
                "reused (also in uring_cqes)",
                "CQEs", S::final_only},
    CounterInfo{"uring_iowq_punts",
                "SQEs io_uring handed to io-wq because they would block (io_queue_iowq -> io_wq_enqueue)", "SQEs",
                S::final_only},
    CounterInfo{"uring_iowq_workers", "io-wq bounded workers created (io_wq_create_worker; at most the bound a ring)",
                "workers", S::final_only},
    CounterInfo{"uring_poll_arms",
                "recv SQEs that found the receive queue empty and waited on the socket by poll "
                "(io_arm_poll_handler), not on a thread",
                "SQEs", S::final_only},
    CounterInfo{"sim_time_ns", "simulated time until the run ended", "ns", S::final_only},
    CounterInfo{"cpu_time_ns", "time threads and interrupts ran on a core", "ns", S::final_only},
    CounterInfo{"syscalls_by_name", "system calls by name", "calls", S::final_only},
    CounterInfo{"time_breakdown_ns", "where the threads' time went, by category", "ns", S::final_only},
};

constexpr std::optional<std::size_t> counter_index(std::string_view name) {
  for (std::size_t i = 0; i < kCounters.size(); ++i)
    if (kCounters[i].name == name) return i;
  return std::nullopt;
}

// ---- how the events determine the counters -------------------------------------

enum class Per : std::uint8_t { event, pages, bytes };

// `counter` += times x (1, `pages` or `bytes`) for every event of `kind` that passes
// the filters. Read off sim/kernel: where each counter is incremented and what is
// traced next to it.
struct Rule {
  std::string_view counter;
  EventKind kind;
  Per per = Per::event;
  std::uint32_t times = 1;
  bool user_mode_only = false;       // only faults taken in user mode
  std::string_view lane = {};        // only events on the lane of this name
  std::string_view name_is = {};     // only events with this `name`
  std::string_view name_is_not = {};  // not events with this `name`
};

inline constexpr std::array kRules = {
    Rule{.counter = "syscalls", .kind = K::syscall_enter},
    Rule{.counter = "mode_switches", .kind = K::syscall_enter, .times = 2},
    Rule{.counter = "mode_switches", .kind = K::page_fault_minor, .times = 2, .user_mode_only = true},
    Rule{.counter = "mode_switches", .kind = K::page_fault_major, .times = 2, .user_mode_only = true},
    Rule{.counter = "mode_switches", .kind = K::cow_fault, .times = 2, .user_mode_only = true},
    Rule{.counter = "context_switches", .kind = K::block},
    Rule{.counter = "context_switches_voluntary", .kind = K::block},
    Rule{.counter = "cpu_copies", .kind = K::cpu_copy},
    Rule{.counter = "cpu_copy_bytes", .kind = K::cpu_copy, .per = Per::bytes},
    Rule{.counter = "dma_copies", .kind = K::dma_copy, .name_is_not = note::direct_einval},
    Rule{.counter = "dma_copies", .kind = K::writeback, .lane = note::disk_lane},
    Rule{.counter = "dma_bytes", .kind = K::dma_copy, .per = Per::bytes},
    Rule{.counter = "dma_bytes", .kind = K::writeback, .per = Per::bytes, .lane = note::disk_lane},
    Rule{.counter = "memory_bus_bytes", .kind = K::cpu_copy, .per = Per::bytes, .times = 2},
    Rule{.counter = "memory_bus_bytes", .kind = K::dma_copy, .per = Per::bytes},
    Rule{.counter = "memory_bus_bytes", .kind = K::writeback, .per = Per::bytes, .lane = note::disk_lane},
    Rule{.counter = "page_faults_minor", .kind = K::page_fault_minor},
    Rule{.counter = "page_faults_minor", .kind = K::cow_fault},
    Rule{.counter = "page_faults_major", .kind = K::page_fault_major},
    Rule{.counter = "cow_faults", .kind = K::cow_fault},
    Rule{.counter = "cow_faults", .kind = K::page_fault_minor, .name_is = note::cow},
    Rule{.counter = "cow_faults", .kind = K::page_fault_major, .name_is = note::cow},
    Rule{.counter = "pages_mapped", .kind = K::page_fault_minor, .per = Per::pages, .name_is_not = note::wp_page_reuse},
    Rule{.counter = "pages_mapped", .kind = K::page_fault_major, .per = Per::pages},
    Rule{.counter = "tlb_misses", .kind = K::tlb_miss, .per = Per::pages},
    Rule{.counter = "tlb_invalidations", .kind = K::tlb_invalidate, .per = Per::pages},
    Rule{.counter = "tlb_flushes", .kind = K::tlb_flush},
    Rule{.counter = "tlb_shootdowns", .kind = K::tlb_shootdown, .per = Per::pages},
    Rule{.counter = "readahead_pages", .kind = K::readahead, .per = Per::pages},
    Rule{.counter = "activations", .kind = K::activate},
    Rule{.counter = "deactivations", .kind = K::deactivate},
    Rule{.counter = "evictions", .kind = K::evict, .name_is_not = note::fadvise_dontneed},
    Rule{.counter = "writeback_pages", .kind = K::writeback_start, .per = Per::pages},
    Rule{.counter = "reclaim_marked", .kind = K::reclaim_marked},
    Rule{.counter = "kswapd_evictions", .kind = K::evict, .lane = note::kswapd_lane},
    Rule{.counter = "reclaim_throttled", .kind = K::block, .name_is = note::reclaim_throttle},
    Rule{.counter = "disk_requests", .kind = K::dma_copy, .lane = note::disk_lane},
    Rule{.counter = "disk_requests", .kind = K::writeback, .lane = note::disk_lane},
    Rule{.counter = "skbs", .kind = K::skb_build},
    Rule{.counter = "sg_frags", .kind = K::skb_build, .per = Per::pages},
    Rule{.counter = "linearize_bytes", .kind = K::linearize, .per = Per::bytes},
    Rule{.counter = "interrupts", .kind = K::interrupt},
    Rule{.counter = "ring_full_waits", .kind = K::block, .name_is = note::ring_full},
    Rule{.counter = "retransmits", .kind = K::nic_tx},
    Rule{.counter = "zerocopy_sends", .kind = K::page_ref_move, .name_is = note::zerocopy_send},
    Rule{.counter = "zerocopy_waits", .kind = K::block, .name_is = note::zerocopy_wait},
    Rule{.counter = "zerocopy_overwrites", .kind = K::page_ref_move, .name_is = note::zerocopy_overwrite},
    Rule{.counter = "inflight_overwrites", .kind = K::page_ref_move, .per = Per::pages, .name_is = note::inflight_overwrite},
    Rule{.counter = "acks", .kind = K::page_ref_move, .name_is = note::ack},
    Rule{.counter = "gso_segments", .kind = K::linearize, .per = Per::pages, .name_is = note::software_gso},
    Rule{.counter = "journal_commits", .kind = K::journal_commit},
    Rule{.counter = "journal_bytes", .kind = K::journal_commit, .per = Per::bytes},
    Rule{.counter = "device_flushes", .kind = K::device_flush},
    Rule{.counter = "memlock_refusals", .kind = K::syscall_error, .name_is = note::memlock_enomem},
    Rule{.counter = "send_eagain", .kind = K::syscall_error, .name_is = note::send_eagain},
    Rule{.counter = "zero_windows", .kind = K::tcp_window, .name_is = note::zero_window},
    Rule{.counter = "window_reopens", .kind = K::tcp_window, .name_is = note::window_reopen},
};

// Every rule names a counter the events determine and a kind that reaches a trace.
constexpr bool rules_are_sound() {
  for (const Rule& r : kRules) {
    auto i = counter_index(r.counter);
    if (!i || kCounters[*i].source != Source::events || !kind_info(r.kind).traced) return false;
  }
  return true;
}
static_assert(rules_are_sound(), "kRules: each rule names an events counter and a traced kind");

// What the rules look at in one event.
struct EventView {
  EventKind kind;
  std::uint64_t pages = 0, bytes = 0;
  bool user_mode = false;
  std::string_view lane, name;  // the lane's name, the event's `name`
};

constexpr bool matches(const Rule& r, const EventView& e) {
  return r.kind == e.kind && (!r.user_mode_only || e.user_mode) && (r.lane.empty() || r.lane == e.lane) &&
         (r.name_is.empty() || r.name_is == e.name) && (r.name_is_not.empty() || r.name_is_not != e.name);
}

constexpr std::uint64_t amount(const Rule& r, const EventView& e) {
  const std::uint64_t per = r.per == Per::event ? 1 : r.per == Per::pages ? e.pages : e.bytes;
  return r.times * per;
}

// The rules of one counter, said in words (docs/TRACE.md, the GUI's tooltips).
inline std::string how_determined(std::string_view counter) {
  auto i = counter_index(counter);
  if (!i) return "not a counter";
  if (kCounters[*i].source == Source::final_only) return "final only";
  std::string out;
  for (const Rule& r : kRules) {
    if (r.counter != counter) continue;
    if (!out.empty()) out += "; ";
    out += "+";
    if (r.times != 1 || r.per == Per::event) out += std::to_string(r.times);
    if (r.times != 1 && r.per != Per::event) out += " x ";
    if (r.per != Per::event) out += r.per == Per::pages ? "pages" : "bytes";
    out += " per `" + std::string(kind_info(r.kind).name) + "`";
    if (r.user_mode_only) out += " with `user_mode`";
    if (!r.lane.empty()) out += " on lane `" + std::string(r.lane) + "`";
    if (!r.name_is.empty()) out += " named `" + std::string(r.name_is) + "`";
    if (!r.name_is_not.empty()) out += " not named `" + std::string(r.name_is_not) + "`";
  }
  return out.empty() ? "no event: always 0" : out;
}

}  // namespace kiosim::schema

namespace kiosim {
constexpr std::string_view to_string(EventKind k) { return schema::kind_info(k).name; }
}  // namespace kiosim
