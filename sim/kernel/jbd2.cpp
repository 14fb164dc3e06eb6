#include "sim/kernel/jbd2.h"

#include <algorithm>
#include <string>
#include <vector>

#include "sim/trace/schema.h"

namespace kiosim {

Jbd2::Jbd2(Accounting& acct, Filemap& filemap, BlockDevice& disk, Writeback& writeback)
    : acct_(acct),
      filemap_(filemap),
      disk_(disk),
      writeback_(writeback),
      journal_(acct.machine().journal),
      commit_wake_(std::make_unique<WaitQueue>(acct.engine())),
      commit_done_(std::make_unique<WaitQueue>(acct.engine())),
      timer_wake_(std::make_unique<WaitQueue>(acct.engine())) {}

void Jbd2::after_write(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes, std::uint64_t size_before) {
  if (t.setup || bytes == 0) return;
  const Tid before = journal_.running();
  const WriteSeq seq = journal_.note_write(f.file, pos, bytes, size_before, f.direct);
  if (journal_.running() != before) {  // this write started a transaction
    txn_owner_[journal_.running()] = t.proc;
    txn_start_ns_[journal_.running()] = acct_.now();
    timer_wake_->notify_all();
  }
  // Pages whose data is already on the disk: an O_DIRECT write's (its DMA ended),
  // or a cached page the flusher wrote back while this write was copying.
  const PageCache& cache = filemap_.cache();
  const std::uint64_t first = first_page(pos), n = pages_spanned(pos, bytes);
  for (std::uint64_t p = first; p < first + n; ++p) {
    PageKey k{f.file, p};
    if (f.direct || (cache.contains(k) && !cache.is_dirty(k) && !cache.under_writeback(k)))
      journal_.data_written(k, seq);
  }
  if (acct_.tracing()) trace_write(t, f, first, n, bytes, seq);
  // generic_write_sync: O_SYNC is fsync, O_DSYNC fdatasync, both inside this write().
  if (f.sync || f.dsync) sync(t, f.file, !f.sync);
}

// Coherence, for the trace: where this write's bytes are now.
void Jbd2::trace_write(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n, std::uint64_t bytes,
                       WriteSeq seq) {
  TraceEvent e;
  e.t_ns = std::int64_t(acct_.now());
  e.kind = EventKind::cache_insert;  // the data lands (or, with O_DIRECT, does not)
  e.file = f.file;
  e.page = std::int64_t(first);
  e.pages = n;
  e.bytes = bytes;
  e.to = f.direct ? Place::disk : Place::page_cache;
  e.name = "write #" + std::to_string(seq) +
           (f.direct ? ": O_DIRECT, on the disk and not in the page cache; a mapping that still holds the old "
                       "page-cache page sees stale data until that page is invalidated"
                     : ": in the page-cache pages every MAP_SHARED mapping of them shows (visible now); durable "
                       "after writeback and the commit of transaction " + std::to_string(journal_.running()));
  acct_.trace(t, e);
}

// filemap_fdatawait.
void Jbd2::wait_file_writeback(Thread* t, FileId f) {
  const PageCache& cache = filemap_.cache();
  const std::uint64_t pages = pages_spanned(0, filemap_.file_size(f));
  auto clean = [&] {
    if (cache.writeback_pages() == 0) return true;
    for (std::uint64_t p = 0; p < pages; ++p)
      if (cache.under_writeback({f, p})) return false;
    return true;
  };
  if (t) acct_.block(*t, TimeCat::disk, filemap_.changed(), clean, "writeback (fsync)");
  else
    while (!clean()) filemap_.changed().wait();
}

// blkdev_issue_flush: the device writes its volatile cache to the medium.
void Jbd2::device_flush(Process* p, Thread* t, const char* name) {
  if (t) acct_.flush_cpu(*t);
  const double t0 = acct_.now();
  const std::uint64_t ticket = journal_.flush_begin();
  acct_.engine().disk_flush();
  journal_.flush_end(ticket);
  Accounting::count(p, &Counters::device_flushes, 1);
  if (t) {  // the thread slept on the flush: a context switch
    acct_.count(*t, &Counters::context_switches_voluntary, 1);
    t->time[std::size_t(TimeCat::disk)] += acct_.now() - t0;
    TraceEvent b;
    b.t_ns = std::int64_t(t0);
    b.dur_ns = std::int64_t(acct_.now() - t0);
    b.kind = EventKind::block;
    b.name = schema::note::device_flush_wait;
    acct_.trace(*t, b);
    acct_.switched_in(*t, TimeCat::disk, acct_.now() - t0);
  }
  if (acct_.tracing()) {
    TraceEvent e = acct_.device_event(disk_.lane(), EventKind::device_flush, t0);
    e.name = name;
    e.to = Place::disk;
    if (t) e.req = t->req;
    acct_.trace_device(e);
  }
}

void Jbd2::sync(Thread& t, FileId f, bool datasync) {
  // file_write_and_wait_range: the data to its place. data=journal leaves it to the commit.
  if (acct_.machine().journal.mode != JournalMode::journal) {
    writeback_.write_back_range(t, f, 0, pages_spanned(0, filemap_.file_size(f)), true);
    wait_file_writeback(&t, f);
  }
  const Tid tid = journal_.needs_commit(f, datasync);
  if (tid == 0) {  // nothing to commit (an overwrite and fdatasync, or committed already)
    device_flush(t.proc, &t);
    return;
  }
  if (txn_asked_.insert(tid).second) txn_owner_[tid] = t.proc;
  journal_.request_commit(tid);
  commit_wake_->notify_all();
  const double t0 = acct_.now();
  acct_.block(t, TimeCat::journal, *commit_done_, [&] { return journal_.committed(tid); },
              "journal commit (jbd2_log_wait_commit)");
  acct_.count(t, &Counters::fsync_wait_ns, std::uint64_t(acct_.now() - t0 + 0.5));
}

void Jbd2::writeback_started(const DiskRequest& r) {
  if (r.journal || r.direct) return;
  const Tid before = journal_.running();
  if (!journal_.allocate(r.file) || journal_.running() == before) return;
  txn_owner_[journal_.running()] = r.proc;  // this transaction starts with the allocation
  txn_start_ns_[journal_.running()] = acct_.now();
  timer_wake_->notify_all();
}

void Jbd2::data_written(const DiskRequest& r) {
  if (!r.write || r.journal || r.direct) return;  // O_DIRECT data is recorded by its write()
  for (std::uint64_t i = 0; i < r.pages.count; ++i)
    journal_.data_written({r.file, r.pages.start + i}, journal_.last_write());
}

void Jbd2::timer_actor() {
  for (;;) {
    while (journal_.running() == 0) timer_wake_->wait();
    const Tid tid = journal_.running();
    const double due = txn_start_ns_[tid] + acct_.machine().commit_interval_ns;
    acct_.engine().sleep_ns(due - acct_.now());
    if (journal_.running() == tid) {
      journal_.request_commit(tid);
      commit_wake_->notify_all();
    }
    // Wait until it left the running state; then the next transaction's deadline.
    while (journal_.running() == tid) timer_wake_->wait();
  }
}

// data=ordered: the dirty pages in each inode's dirty range go to their place
// (journal_submit_data_buffers: only that range, and with delayed allocation only
// blocks already allocated, which is what the range holds). Submitted, not waited for.
std::vector<DiskRequestPtr> Jbd2::submit_ordered_data(const CommitPlan& plan, Process* owner, std::uint64_t req_id,
                                                      std::uint64_t& pages) {
  std::vector<DiskRequestPtr> reqs;
  for (const DirtyRange& r : plan.ordered_ranges) {
    std::vector<PageKey> dirty;
    const std::uint64_t end = std::min(pages_spanned(0, r.end), pages_spanned(0, filemap_.file_size(r.file)));
    for (std::uint64_t p = first_page(r.start); p < end; ++p)
      if (filemap_.cache().start_writeback({r.file, p})) dirty.push_back({r.file, p});
    pages += dirty.size();
    if (dirty.empty()) continue;
    Accounting::count(owner, &Counters::writeback_pages, dirty.size());
    for (auto& req : disk_.submit_page_writes(std::move(dirty), owner, req_id)) reqs.push_back(req);
  }
  return reqs;
}

// journal_finish_inode_data_buffers: wait for the range's writeback, the commit's
// own and the flusher's (filemap_fdatawait_range).
void Jbd2::wait_ordered_data(const CommitPlan& plan) {
  const PageCache& cache = filemap_.cache();
  for (const DirtyRange& r : plan.ordered_ranges) {
    auto clean = [&] {
      for (std::uint64_t p = first_page(r.start); p < pages_spanned(0, r.end); ++p)
        if (cache.under_writeback({r.file, p})) return false;
      return true;
    };
    while (!clean()) filemap_.changed().wait();
  }
}

void Jbd2::trace_commit(const CommitPlan& plan, std::uint64_t ordered_pages, std::uint64_t req_id, double t0) {
  TraceEvent e = acct_.device_event(lane_, EventKind::journal_commit, t0);
  e.from = Place::page_cache;
  e.to = Place::disk;
  e.bytes = plan.journal_bytes();
  e.pages = plan.journal_blocks() + 1;
  e.req = req_id;
  e.name = "commit of transaction " + std::to_string(plan.tid) + ": " + std::to_string(plan.writes.size()) +
           " writes, " + std::to_string(plan.metadata_blocks) + " metadata + " + std::to_string(plan.data_blocks) +
           " data blocks" + (ordered_pages ? ", with " + std::to_string(ordered_pages) + " ordered data pages" : "") +
           "; then the commit record (REQ_PREFLUSH | REQ_FUA)";
  acct_.trace_device(e);
}

// jbd2_journal_commit_transaction: the ordered data and the journal blocks are
// submitted together and waited for; then the commit record goes with
// REQ_PREFLUSH | REQ_FUA (journal_submit_commit_record): the device cache is flushed
// first (everything before the record is stable), and the record is on the medium
// when its write completes - the transaction is committed then.
void Jbd2::commit_actor() {
  for (;;) {
    while (!journal_.commit_due()) commit_wake_->wait();
    CommitPlan plan = journal_.start_commit();
    Process* owner = txn_owner_.count(plan.tid) ? txn_owner_[plan.tid] : nullptr;
    const std::uint64_t req_id = acct_.next_req();
    const double t0 = acct_.now();
    if (!lane_) lane_ = acct_.add_lane("jbd2", LaneKind::kernel);
    std::uint64_t ordered_pages = 0;
    auto data = submit_ordered_data(plan, owner, req_id, ordered_pages);
    // The descriptor, metadata (and data=journal's data) blocks, one sequential write.
    auto blocks = journal_write(plan.journal_blocks(), owner, req_id);
    for (auto& r : data) BlockDevice::wait_kernel(r);
    wait_ordered_data(plan);
    BlockDevice::wait_kernel(blocks);
    journal_.set_phase(CommitPhase::preflush);
    device_flush(owner, nullptr, "cache flush before the commit record (REQ_PREFLUSH)");
    journal_.set_phase(CommitPhase::commit_record);
    BlockDevice::wait_kernel(journal_write(1, owner, req_id, true));
    journal_.finish_commit();
    txn_owner_.erase(plan.tid);
    txn_start_ns_.erase(plan.tid);
    txn_asked_.erase(plan.tid);
    Accounting::count(owner, &Counters::journal_commits, 1);
    Accounting::count(owner, &Counters::journal_bytes, plan.journal_bytes());
    if (acct_.tracing()) trace_commit(plan, ordered_pages, req_id, t0);
    commit_done_->notify_all();
    timer_wake_->notify_all();
  }
}

DiskRequestPtr Jbd2::journal_write(std::uint64_t blocks, Process* owner, std::uint64_t req_id, bool at_head) {
  auto r = disk_.request(0, {0, blocks}, true, req_id, owner);
  r->journal = true;
  r->bytes = blocks * kPageSize;
  disk_.submit(r, at_head);
  return r;
}

}  // namespace kiosim
