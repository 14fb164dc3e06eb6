// The text records of a tracefs `trace` file, as kernel/trace/trace_output.c prints
// them ("TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS"), and the events kiosim sets
// beside its own: readahead (mm/readahead.c: page_cache_sync_ra, page_cache_async_ra,
// page_cache_ra_order), faults (mm/filemap.c: filemap_map_pages; arch/x86/mm/fault.c:
// page_fault_user), the page cache (filemap_add_folio, __filemap_remove_folio), the
// journal's commit (fs/jbd2/commit.c: jbd2_journal_commit_transaction's phases and
// jbd2_run_stats), and in kernel_events_more.cpp reclaim, dirty throttling, TLB flushes,
// IPIs, transmits, skbs and io_uring. Fields are read by name from each event's print
// format (include/trace/events/{readahead,filemap,exceptions,jbd2,vmscan,writeback,tlb,
// ipi,net,skb,tcp,io_uring}.h), so a field the kernel
// adds does not break the parse; a line that does not parse is skipped and counted.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiosim::host {

struct TraceRecord {
  std::string task;
  pid_t pid = 0;
  unsigned cpu = 0;
  double t_s = 0;  // the trace clock's timestamp, seconds
  std::string event;
  std::map<std::string, std::string> fields;  // "key=value" and "key value" pairs, as printed
};

struct ParsedTrace {
  std::vector<TraceRecord> records;
  std::uint64_t malformed = 0;                 // lines that are neither a comment nor a record
  std::vector<std::string> malformed_examples;  // the first few of them
};

// Every line of `text`; comments ('#') and blank lines are skipped, bad lines counted.
ParsedTrace parse_trace_text(const std::string& text);

// A readahead tracepoint: kind "sync", "async" (the entry to page_cache_{sync,async}_ra,
// with the file_ra_state as it was) or "order" (page_cache_ra_order: the window read).
struct RaEvent {
  std::string kind;
  std::uint64_t ino = 0, index = 0, req_count = 0, size = 0, async_size = 0, ra_pages = 0;
  unsigned order = 0;
  double t_s = 0;
};
// filemap_map_pages: the pages one fault mapped (fault-around), [first, last].
struct MapRange {
  std::uint64_t ino = 0, first = 0, last = 0;
  std::uint64_t pages() const { return last - first + 1; }
};
// A page cache folio added or deleted: its first page and order.
struct CacheChange {
  bool added = true;
  std::uint64_t ino = 0, index = 0;
  unsigned order = 0;
  std::uint64_t pages() const { return std::uint64_t(1) << order; }
};
// One transaction's commit: the phases' timestamps (0: not seen) and jbd2_run_stats (ms).
struct Commit {
  std::uint64_t tid = 0;
  double start_s = 0, locking_s = 0, flushing_s = 0, logging_s = 0, end_s = 0;
  std::optional<std::uint64_t> locked_ms, flushing_ms, logging_ms, blocks, blocks_logged, handle_count;
  bool complete() const { return start_s > 0 && end_s >= start_s; }
};

// mm/vmscan.c: shrink_inactive_list (nr_scanned, nr_reclaimed) and shrink_active_list
// (nr_taken, nr_deactivated), of the file LRU or the anon one (flags RECLAIM_WB_FILE/ANON).
struct ShrinkEvent {
  bool active = false;  // mm_vmscan_lru_shrink_active
  bool file = true;
  std::uint64_t scanned = 0;      // nr_scanned, or nr_taken of the active list
  std::uint64_t reclaimed = 0;    // nr_reclaimed (inactive)
  std::uint64_t deactivated = 0;  // nr_deactivated (active)
  double t_s = 0;
};
// mm/page-writeback.c balance_dirty_pages: one look at the limits; `pause` > 0 ms is a sleep.
struct DirtyPause {
  std::uint64_t limit = 0, setpoint = 0, dirty = 0;  // pages
  std::uint64_t task_ratelimit = 0;                  // KiB/s
  std::uint64_t dirtied = 0;                         // the task's pages since its last pause
  std::int64_t pause_ms = 0, period_ms = 0;
  double t_s = 0;
};
// arch/x86/mm/tlb.c: tlb:tlb_flush (enum tlb_flush_reason; pages -1: TLB_FLUSH_ALL).
struct TlbFlush {
  unsigned reason = 0;  // 0 task switch, 1 remote shootdown, 2 local, 3 local MM, 4 remote IPI send, 5 wrong CPU
  std::int64_t pages = 0;
  unsigned cpu = 0;
  double t_s = 0;
};
// kernel/smp.c: ipi_send_cpu / ipi_send_cpumask, with the function the targets run.
struct IpiSend {
  unsigned targets = 0;
  std::string callback;  // "flush_tlb_func+0x0/0x..." for a TLB shootdown
  bool tlb() const { return callback.rfind("flush_tlb_func", 0) == 0; }
  double t_s = 0;
};
// net/core/dev.c: net_dev_xmit (len: the skb's bytes, headers and GSO payload; rc 0 sent).
struct Xmit {
  std::uint64_t len = 0;
  std::int64_t rc = 0;
  double t_s = 0;
};
// io_uring/io_uring.c: io_uring_submit_req (opcode) and io_uring_complete (result).
struct UringEvent {
  bool complete = false;
  std::string opcode;      // submissions
  std::int64_t result = 0;  // completions: bytes, or -errno
  double t_s = 0;
};
// One record on the timeline the GUI draws as lanes: seconds after the run's body began
// (kiosim's trace_marker; else the first record), what, and its size in `unit`.
struct KernelMark {
  double t_s = 0, dur_s = 0;
  std::string event;
  double value = 0;
  unsigned cpu = 0;
};

struct KernelEvents {
  std::vector<RaEvent> readahead;
  std::vector<MapRange> map_ranges;
  std::uint64_t user_faults = 0;  // exceptions:page_fault_user
  std::vector<CacheChange> cache;
  std::vector<Commit> commits;  // in the order of their first event
  std::vector<ShrinkEvent> shrinks;
  std::vector<DirtyPause> dirty_pauses;
  std::vector<TlbFlush> tlb_flushes;
  std::vector<IpiSend> ipis;
  std::vector<Xmit> xmits;
  std::uint64_t skbs_consumed = 0, skbs_dropped = 0, tcp_retransmits = 0;  // consume_skb, kfree_skb, tcp_retransmit_skb
  std::vector<std::uint64_t> tcp_sendmsg_skb_len;  // tcp_sendmsg_locked: the skb each chunk went to, its length
  std::vector<UringEvent> uring;
  std::vector<KernelMark> timeline;  // every record, bounded (kMaxTimeline); then timeline_dropped
  std::uint64_t timeline_dropped = 0;
  std::optional<double> body_start_s, body_end_s;  // kiosim's markers, on the trace clock
  std::map<std::string, std::uint64_t> by_event;  // records of each event name
  std::uint64_t malformed = 0;   // lines that did not parse, and records missing a field
  std::vector<std::string> malformed_examples;
  std::uint64_t lost = 0;        // events the ring buffer overran (per_cpu/cpuN/stats)
};

// The typed events of a parsed trace; a known event without its fields counts as malformed.
KernelEvents kernel_events(const ParsedTrace& t);

// What kiosim writes to the instance's trace_marker around a body, and how it reads back
// (kernel/trace/trace.c tracing_mark_write: event "tracing_mark_write", the text as written).
inline constexpr const char* kBodyStartMarker = "kiosim_body=start";
inline constexpr const char* kBodyEndMarker = "kiosim_body=end";
inline constexpr std::size_t kMaxTimeline = 20000;

// A field as a number: unsigned in `base`, or signed (a leading '-'); a trailing ',' (the
// io_uring events' "key value," style) is ignored.
std::optional<std::uint64_t> field_number(const TraceRecord& r, const char* key, int base = 10);
std::optional<std::int64_t> field_signed(const TraceRecord& r, const char* key, int base = 10);

// The events of kernel_events_more.cpp (vmscan, writeback, tlb, ipi, net, skb, tcp,
// io_uring): nullopt when `r` is none of them, else whether its fields were there;
// `value` is its size on the timeline.
std::optional<bool> add_more_typed(const TraceRecord& r, KernelEvents& k, double& value);

// The readahead windows in pages: page_cache_ra_order's sizes; a sync or async call
// that no ra_order followed (the order-0 path of older kernels) by its own size.
std::vector<std::uint64_t> readahead_windows(const KernelEvents& k);

}  // namespace kiosim::host
