// The text records of a tracefs `trace` file, as kernel/trace/trace_output.c prints
// them ("TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS"), and the events kiosim sets
// beside its own: readahead (mm/readahead.c: page_cache_sync_ra, page_cache_async_ra,
// page_cache_ra_order), faults (mm/filemap.c: filemap_map_pages; arch/x86/mm/fault.c:
// page_fault_user), the page cache (filemap_add_folio, __filemap_remove_folio) and the
// journal's commit (fs/jbd2/commit.c: jbd2_journal_commit_transaction's phases and
// jbd2_run_stats). Fields are read by name from each event's print format
// (include/trace/events/{readahead,filemap,exceptions,jbd2}.h), so a field the kernel
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

struct KernelEvents {
  std::vector<RaEvent> readahead;
  std::vector<MapRange> map_ranges;
  std::uint64_t user_faults = 0;  // exceptions:page_fault_user
  std::vector<CacheChange> cache;
  std::vector<Commit> commits;  // in the order of their first event
  std::map<std::string, std::uint64_t> by_event;  // records of each event name
  std::uint64_t malformed = 0;   // lines that did not parse, and records missing a field
  std::vector<std::string> malformed_examples;
  std::uint64_t lost = 0;        // events the ring buffer overran (per_cpu/cpuN/stats)
};

// The typed events of a parsed trace; a known event without its fields counts as malformed.
KernelEvents kernel_events(const ParsedTrace& t);

// The readahead windows in pages: page_cache_ra_order's sizes; a sync or async call
// that no ra_order followed (the order-0 path of older kernels) by its own size.
std::vector<std::uint64_t> readahead_windows(const KernelEvents& k);

}  // namespace kiosim::host
