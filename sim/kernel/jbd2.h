// The journal's timing (fs/jbd2/commit.c, fs/jbd2/journal.c kjournald2,
// fs/ext4/fsync.c ext4_sync_file, mm/filemap.c generic_write_sync):
//  - every write() adds its metadata to the running transaction (model/journal.h);
//  - the commit thread (kjournald2) commits when asked (fsync, fdatasync, O_DSYNC,
//    O_SYNC) or when the transaction is journal.commit_interval old, one commit at
//    a time: the ordered data of each inode's dirty range (data=ordered) and the
//    journal blocks in one sequential write, submitted together and waited for;
//    then the commit record with REQ_PREFLUSH | REQ_FUA: a device cache flush
//    (disk.flush_latency) and the record's write, durable when it completes;
//  - an fsync writes the file's dirty data (except data=journal, whose commit
//    carries it), then sleeps until the transaction holding its inode has
//    committed: a voluntary context switch, TimeCat::journal and fsync_wait_ns.
//    With nothing to commit it still flushes the device cache.
// A commit's disk writes, journal_commits, journal_bytes and device_flushes are
// charged to the process that first asked for it (fsync, O_DSYNC), or for a
// commit of the timer, to the process whose write started the transaction.
// Owns the journal, the jbd2 thread, its timer and the `jbd2` lane. Calls
// accounting, the page cache, the block device and writeback.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "model/journal.h"
#include "sim/kernel/accounting.h"
#include "sim/kernel/block_device.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/writeback.h"

namespace kiosim {

class Jbd2 {
 public:
  Jbd2(Accounting& acct, Filemap& filemap, BlockDevice& disk, Writeback& writeback);
  const Journal& journal() const { return journal_; }

  // write()'s hook, after the data is in place: metadata joins the running
  // transaction; O_DSYNC / O_SYNC then sync the file.
  void after_write(Thread& t, OpenFile& f, std::uint64_t pos, std::uint64_t bytes, std::uint64_t size_before);
  // fsync / fdatasync: data to its place, then wait for the commit holding the inode.
  void sync(Thread& t, FileId f, bool datasync);
  void writeback_started(const DiskRequest& r);  // the disk takes a write: delayed allocation
  void data_written(const DiskRequest& r);       // the interrupt of a data write

  void commit_actor();  // kjournald2: one commit at a time, forever
  void timer_actor();   // commits the running transaction after journal.commit_interval

 private:
  void trace_write(Thread& t, OpenFile& f, std::uint64_t first, std::uint64_t n, std::uint64_t bytes, WriteSeq seq);
  void wait_file_writeback(Thread* t, FileId f);  // pages of f under writeback; t null: a kernel thread
  // A cache flush, waited for (blkdev_issue_flush, or a commit record's REQ_PREFLUSH).
  void device_flush(Process* p, Thread* t, const char* name = "device cache flush");
  std::vector<DiskRequestPtr> submit_ordered_data(const CommitPlan& plan, Process* owner, std::uint64_t req_id,
                                                  std::uint64_t& pages);
  void wait_ordered_data(const CommitPlan& plan);
  // Journal blocks (or, `at_head`, the commit record after its flush), submitted.
  DiskRequestPtr journal_write(std::uint64_t blocks, Process* owner, std::uint64_t req_id, bool at_head = false);
  void trace_commit(const CommitPlan& plan, std::uint64_t ordered_pages, std::uint64_t req_id, double t0);

  Accounting& acct_;
  Filemap& filemap_;
  BlockDevice& disk_;
  Writeback& writeback_;
  Journal journal_;
  std::unique_ptr<WaitQueue> commit_wake_, commit_done_, timer_wake_;
  std::map<Tid, Process*> txn_owner_;  // who pays for a commit: the first to ask, else the first writer
  std::map<Tid, double> txn_start_ns_;
  std::set<Tid> txn_asked_;  // transactions some thread asked to commit (it pays)
  std::uint32_t lane_ = 0;
};

}  // namespace kiosim
