// The journal's timing (fs/jbd2/commit.c, fs/jbd2/journal.c kjournald2,
// fs/ext4/fsync.c ext4_sync_file, mm/filemap.c generic_write_sync):
//  - every write() adds its metadata to the running transaction (model/journal.h);
//  - the commit thread (kjournald2) commits when asked (fsync, fdatasync, O_DSYNC,
//    O_SYNC) or when the transaction is journal.commit_interval old, one commit at
//    a time: ordered data to its place (data=ordered), the journal blocks in one
//    sequential write, the commit record, then a device cache flush
//    (disk.flush_latency);
//  - an fsync writes the file's dirty data (except data=journal, whose commit
//    carries it), then sleeps until the transaction holding its inode has
//    committed: a voluntary context switch, TimeCat::journal and fsync_wait_ns.
//    With nothing to commit it still flushes the device cache.
// A commit's disk writes, journal_commits, journal_bytes and device_flushes are
// charged to the process that first asked for it (fsync, O_DSYNC), or for a
// commit of the timer, to the process whose write started the transaction.
#include <algorithm>

#include "sim/kernel/kernel.h"
#include "sim/kernel/kernel_internal.h"

namespace kiosim {

void Kernel::journal_after_write(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes,
                                 std::uint64_t size_before) {
  if (t.setup || bytes == 0) return;
  const Tid before = journal_.running();
  const WriteSeq seq = journal_.note_write(f.file, pos, bytes, size_before, f.direct);
  if (journal_.running() != before) {  // this write started a transaction
    txn_owner_[journal_.running()] = t.proc;
    txn_start_ns_[journal_.running()] = engine_.now_ns();
    journal_timer_wake_->notify_all();
  }
  // Pages whose data is already on the disk: an O_DIRECT write's (its DMA ended),
  // or a cached page the flusher wrote back while this write was copying.
  const std::uint64_t first = first_page(pos), n = pages_spanned(pos, bytes);
  for (std::uint64_t p = first; p < first + n; ++p) {
    PageKey k{f.file, p};
    if (f.direct || (cache_.contains(k) && !cache_.is_dirty(k) && !cache_.under_writeback(k)))
      journal_.data_written(k, seq);
  }
  // Coherence, for the trace: where this write's bytes are now.
  if (trace_.enabled()) {
    TraceEvent e;
    e.t_ns = std::int64_t(engine_.now_ns());
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
    trace(t, e);
  }
  // generic_write_sync: O_SYNC is fsync, O_DSYNC fdatasync, both inside this write().
  if (f.sync || f.dsync) journal_sync(t, f.file, !f.sync);
}

void Kernel::fsync(Thread& t, OpenFile& f, bool datasync) {
  Syscall sc(*this, t, datasync ? "fdatasync" : "fsync");
  if (t.setup) return;
  journal_sync(t, f.file, datasync);
}

// Waits until no page of `f` is under writeback (filemap_fdatawait); t null: a kernel thread.
void Kernel::wait_file_writeback(Thread* t, FileId f) {
  const std::uint64_t pages = pages_spanned(0, files_[f].size);
  auto clean = [&] {
    if (cache_.writeback_pages() == 0) return true;
    for (std::uint64_t p = 0; p < pages; ++p)
      if (cache_.under_writeback({f, p})) return false;
    return true;
  };
  if (t) block(*t, TimeCat::disk, *cache_room_, clean, "writeback (fsync)");
  else
    while (!clean()) cache_room_->wait();
}

// blkdev_issue_flush: the device writes its volatile cache to the medium.
void Kernel::device_flush(Process* p, Thread* t) {
  if (t) flush_cpu(*t);
  const double t0 = engine_.now_ns();
  const std::uint64_t ticket = journal_.flush_begin();
  engine_.disk_flush();
  journal_.flush_end(ticket);
  count(p, &Counters::device_flushes, 1);
  if (t) {
    count(*t, &Counters::context_switches_voluntary, 1);
    t->time[std::size_t(TimeCat::disk)] += engine_.now_ns() - t0;
    cpu(*t, TimeCat::sched, m_.cpu.context_switch_ns);
  }
  if (trace_.enabled()) {
    TraceEvent e = device_event(disk_lane_, EventKind::device_flush, t0);
    e.name = "device cache flush";
    e.to = Place::disk;
    if (t) e.req = t->req;
    trace_.add(e);
  }
}

void Kernel::journal_sync(Thread& t, FileId f, bool datasync) {
  // file_write_and_wait_range: the data to its place. data=journal leaves it to the commit.
  if (m_.journal.mode != JournalMode::journal) {
    write_back_range(t, f, 0, pages_spanned(0, files_[f].size), true);
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
  const double t0 = engine_.now_ns();
  block(t, TimeCat::journal, *commit_done_, [&] { return journal_.committed(tid); },
        "journal commit (jbd2_log_wait_commit)");
  count(t, &Counters::fsync_wait_ns, std::uint64_t(engine_.now_ns() - t0 + 0.5));
}

// disk_actor, as a write of cached pages starts: delayed allocation happens now.
void Kernel::journal_writeback_started(const DiskRequest& r) {
  if (r.journal || r.direct) return;
  const Tid before = journal_.running();
  if (!journal_.allocate(r.file) || journal_.running() == before) return;
  txn_owner_[journal_.running()] = r.proc;  // this transaction starts with the allocation
  txn_start_ns_[journal_.running()] = engine_.now_ns();
  journal_timer_wake_->notify_all();
}

void Kernel::journal_data_written(const DiskRequest& r) {
  if (r.journal || r.direct) return;  // O_DIRECT data is recorded by its write()
  for (std::uint64_t i = 0; i < r.pages.count; ++i) journal_.data_written({r.file, r.pages.start + i}, journal_.last_write());
}

void Kernel::journal_timer_actor() {
  for (;;) {
    while (journal_.running() == 0) journal_timer_wake_->wait();
    const Tid tid = journal_.running();
    const double due = txn_start_ns_[tid] + m_.commit_interval_ns;
    engine_.sleep_ns(due - engine_.now_ns());
    if (journal_.running() == tid) {
      journal_.request_commit(tid);
      commit_wake_->notify_all();
    }
    // Wait until it left the running state; then the next transaction's deadline.
    while (journal_.running() == tid) journal_timer_wake_->wait();
  }
}

void Kernel::journal_actor() {
  for (;;) {
    while (!journal_.commit_due()) commit_wake_->wait();
    CommitPlan plan = journal_.start_commit();
    Process* owner = txn_owner_.count(plan.tid) ? txn_owner_[plan.tid] : nullptr;
    const std::uint64_t req_id = next_req_++;
    const double t0 = engine_.now_ns();
    if (!journal_lane_) journal_lane_ = trace_.add_lane("jbd2", LaneKind::kernel);
    auto wait_all = [](std::vector<std::shared_ptr<DiskRequest>>& reqs) {
      for (auto& r : reqs)
        while (!r->done) r->waiters->wait();
    };
    // 1. data=ordered: the dirty data of the transaction's files goes to its place
    //    first (journal_submit_data_buffers, then journal_finish_inode_data_buffers).
    std::uint64_t ordered_pages = 0;
    for (FileId f : plan.ordered_files) {
      std::vector<PageKey> dirty;
      const std::uint64_t pages = pages_spanned(0, files_[f].size);
      for (std::uint64_t p = 0; p < pages; ++p)
        if (cache_.start_writeback({f, p})) dirty.push_back({f, p});
      ordered_pages += dirty.size();
      if (!dirty.empty()) {
        count(owner, &Counters::writeback_pages, dirty.size());
        auto reqs = submit_writeback(std::move(dirty), owner, req_id);
        wait_all(reqs);
      }
      wait_file_writeback(nullptr, f);
    }
    // 2. the descriptor, metadata (and data=journal's data) blocks, one sequential write;
    // 3. then the commit record, once they are on the disk.
    for (std::uint64_t blocks : {plan.journal_blocks(), std::uint64_t(1)}) {
      auto r = disk_request(0, {0, blocks}, true, req_id, owner);
      r->journal = true;
      r->bytes = blocks * kPageSize;
      submit(r);
      while (!r->done) r->waiters->wait();
    }
    // 4. the device cache flush that makes the commit record durable.
    device_flush(owner, nullptr);
    journal_.finish_commit();
    txn_owner_.erase(plan.tid);
    txn_start_ns_.erase(plan.tid);
    txn_asked_.erase(plan.tid);
    count(owner, &Counters::journal_commits, 1);
    count(owner, &Counters::journal_bytes, plan.journal_bytes());
    if (trace_.enabled()) {
      TraceEvent e = device_event(journal_lane_, EventKind::journal_commit, t0);
      e.from = Place::page_cache;
      e.to = Place::disk;
      e.bytes = plan.journal_bytes();
      e.pages = plan.journal_blocks() + 1;
      e.req = req_id;
      e.name = "commit of transaction " + std::to_string(plan.tid) + ": " + std::to_string(plan.writes.size()) +
               " writes, " + std::to_string(plan.metadata_blocks) + " metadata + " +
               std::to_string(plan.data_blocks) + " data blocks" +
               (ordered_pages ? ", " + std::to_string(ordered_pages) + " ordered data pages first" : "");
      trace_.add(e);
    }
    commit_done_->notify_all();
    journal_timer_wake_->notify_all();
  }
}

}  // namespace kiosim
