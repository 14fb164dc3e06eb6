// A jbd2-like journal and what survives a crash.
//
// Imitates fs/jbd2/transaction.c (one running transaction that metadata changes
// join; a new one starts when the running one begins to commit), fs/jbd2/commit.c
// (jbd2_journal_commit_transaction: the ordered data of each inode's dirty range and
// the journal blocks behind a descriptor block are submitted together, the data
// waited for, then the commit record goes with REQ_PREFLUSH | REQ_FUA: the device
// cache is flushed before it, and it is on the medium when its write completes; one
// commit at a time, in tid order) and fs/ext4/fsync.c (ext4_sync_file: fsync waits for the transaction
// that last changed the inode, i_sync_tid; fdatasync for the one that last changed
// what is needed to read the data back, i_datasync_tid).
//
// Simplified: metadata is counted in whole 4 KiB blocks: one inode block per file
// in a transaction (size, mtime), and one block-bitmap block plus one
// group-descriptor block per transaction in which some write allocated blocks
// (a write past the end of the file). Delayed allocation (ext4's default,
// fs/ext4/inode.c ext4_da_write_begin / mpage_map_and_submit_extent): a buffered
// write that grows the file only changes the in-memory size and mtime; the blocks
// are allocated, the on-disk size set and (data=ordered) the inode put on the
// transaction's ordered list when writeback of the file begins - all its delayed
// writes at once, their byte range the jinode's dirty range (ext4_jbd2_inode_add_write,
// i_dirty_start / i_dirty_end): the commit writes only the dirty pages in it. `delalloc: false` (ext4 nodelalloc, ext3; always so with
// data=journal, as in ext4) allocates at write() time. No journal space,
// checkpointing or revoke records. A transaction counts as committed when its
// commit record's FUA write has completed (a crash during the flush before it, or
// during the record's write, loses it). Data written to its place on disk is
// durable once a device cache flush has ended after the write completed.
// No time here: the caller (sim/kernel/jbd2.cpp) decides when things happen.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "model/page.h"

namespace kiosim {

// ext4's data= mount option.
enum class JournalMode : std::uint8_t {
  ordered,    // data to its place before the commit record (the default)
  journal,    // data through the journal too: written twice, the first time sequentially
  writeback,  // no ordering between data and metadata
};
std::string_view to_string(JournalMode m);
std::optional<JournalMode> parse_journal_mode(std::string_view s);

struct JournalParams {
  JournalMode mode = JournalMode::ordered;  // journal.mode
  std::uint64_t tags_per_descriptor = 250;  // block tags one descriptor block holds (~16 bytes each)
  bool delalloc = true;                     // journal.delalloc: allocate at writeback (not with data=journal)
};

using Tid = std::uint64_t;       // transaction id; 0 means none
using WriteSeq = std::uint64_t;  // every write() gets the next number, from 1

// One write() as the journal sees it.
struct WriteRecord {
  WriteSeq seq = 0;
  FileId file = 0;
  std::uint64_t offset = 0, bytes = 0;
  std::uint64_t size_after = 0;  // the file's size after the write
  bool extends = false;          // it grew the file (new size, new blocks)
  bool direct = false;           // O_DIRECT: its data never passes through the journal
  Tid tid = 0;                   // the transaction holding its metadata (mtime)
  Tid size_tid = 0;              // the one holding its allocation and on-disk size; 0: delayed, not yet
};

// An inode's range of data that a commit must write first (struct jbd2_inode's
// i_dirty_start and i_dirty_end, in bytes, end exclusive).
struct DirtyRange {
  FileId file = 0;
  std::uint64_t start = 0, end = 0;
  bool operator==(const DirtyRange& o) const { return file == o.file && start == o.start && end == o.end; }
};

// Where a commit is (jbd2_journal_commit_transaction's phases), for the crash report.
enum class CommitPhase : std::uint8_t {
  none,
  writing,        // ordered data and journal blocks submitted, waited for
  preflush,       // the cache flush that the commit record's REQ_PREFLUSH asks for
  commit_record,  // the commit record's REQ_FUA write
};
std::string_view to_string(CommitPhase p);

// What one commit writes: ordered data (to its place) and the journal blocks
// (descriptor, metadata, and in journal mode the data) together, then the commit record.
struct CommitPlan {
  Tid tid = 0;
  std::uint64_t descriptor_blocks = 0, metadata_blocks = 0, data_blocks = 0;
  std::vector<FileId> ordered_files;  // ordered mode: files whose dirty data goes first
  std::vector<DirtyRange> ordered_ranges;  // their dirty ranges, in the same order
  std::vector<PageKey> data_pages;    // journal mode: the data pages journaled
  std::vector<WriteSeq> writes;       // the writes whose metadata this transaction holds
  std::uint64_t journal_blocks() const { return descriptor_blocks + metadata_blocks + data_blocks; }
  // Everything the commit writes to the journal, commit record included.
  std::uint64_t journal_bytes() const { return (journal_blocks() + 1) * kPageSize; }
};

// What a crash at this point leaves of one write.
enum class Fate : std::uint8_t {
  survives,  // its data and the size that covers it are on stable storage
  lost,      // after recovery the file does not hold it (old data, or a shorter file)
  garbage,   // the recovered size covers it but its blocks hold stale data (data=writeback)
};
std::string_view to_string(Fate f);

struct WriteCrash {
  WriteRecord write;
  bool metadata_committed = false;  // its transaction committed (commit record flushed)
  bool data_on_disk = false;        // its data is stable, in place or in a committed journal
  Fate fate = Fate::lost;
};

struct FileCrash {
  FileId file = 0;
  std::uint64_t size_in_memory = 0;   // what programs saw before the crash
  std::uint64_t size_recovered = 0;   // the size after journal recovery
  std::uint64_t survived = 0, lost = 0, garbage = 0;
  bool consistent = true;             // no write is `garbage`
};

struct CrashReport {
  Tid last_committed = 0;
  Tid committing = 0;                  // the transaction whose commit the crash interrupted
  CommitPhase phase = CommitPhase::none;  // and where that commit was
  std::uint64_t running_writes = 0;    // writes in the running transaction (never asked to commit)
  std::vector<WriteCrash> writes;      // in write order
  std::vector<FileCrash> files;        // by file id
};

class Journal {
 public:
  explicit Journal(JournalParams p = {}) : p_(p) {}

  // A write() changed `file` (start_this_handle + ext4_mark_inode_dirty): its
  // inode, and on growth its block allocation, join the running transaction,
  // which starts with this write if none is running. In journal mode a buffered
  // write's data pages join it too. Returns the write's number.
  WriteSeq note_write(FileId file, std::uint64_t offset, std::uint64_t bytes, std::uint64_t size_before,
                      bool direct = false);

  // Writeback of `file` begins (ext4_writepages): its delayed writes get their
  // blocks and on-disk size in the running transaction. True if there were any.
  bool allocate(FileId file);

  Tid running() const { return running_; }        // 0 when no transaction is running
  Tid committing() const { return committing_; }  // 0 when no commit is in flight
  Tid last_committed() const { return committed_; }
  bool committed(Tid t) const { return t <= committed_; }
  WriteSeq last_write() const { return seq_; }
  // Writes in the running transaction.
  std::uint64_t running_writes() const;

  // The transaction an fsync (datasync: fdatasync) of `file` must see committed;
  // 0 when it already is (the fsync then needs no commit, only a cache flush).
  Tid needs_commit(FileId file, bool datasync) const;

  // Asks for `t` to be committed (an fsync, O_DSYNC, the commit timer).
  void request_commit(Tid t) { requested_ = std::max(requested_, t); }
  // Should the commit thread start a commit now? Only when none is in flight and
  // the running transaction was asked for: a second fsync while a commit runs
  // waits for the next commit instead of starting one beside it.
  bool commit_due() const { return committing_ == 0 && running_ != 0 && requested_ >= running_; }
  // The running transaction becomes the committing one (jbd2_journal_commit_transaction's
  // T_LOCKED -> T_COMMIT): what the commit must write. Later writes start a new one.
  CommitPlan start_commit();
  // The commit moves on to `p` (Jbd2's commit thread tells it).
  void set_phase(CommitPhase p) { phase_ = committing_ ? p : CommitPhase::none; }
  CommitPhase phase() const { return phase_; }
  // The commit record's FUA write completed: committed.
  void finish_commit();

  // The data of `page` reached its place on the disk (a write DMA ended), holding
  // every write up to `upto`. It is in the device's volatile cache until a flush.
  void data_written(PageKey page, WriteSeq upto);
  // A device cache flush: what was written before flush_begin() is stable at flush_end().
  std::uint64_t flush_begin() const { return gen_; }
  void flush_end(std::uint64_t ticket);
  // The newest write whose data in `page` is stable in place (0: none).
  WriteSeq stable_upto(PageKey page) const;

  // What a crash now leaves (journal recovery replays committed transactions).
  CrashReport crash() const;

  const std::vector<WriteRecord>& writes() const { return writes_; }
  const JournalParams& params() const { return p_; }

 private:
  struct Transaction {
    std::set<FileId> inodes;           // one metadata block each
    bool allocates = false;            // + block bitmap + group descriptor
    std::map<FileId, DirtyRange> ordered;  // files with buffered data (ordered mode), their ranges
    std::vector<PageKey> data_pages;   // journal mode, in the order first written
    std::set<std::pair<FileId, std::uint64_t>> data_seen;
    std::vector<WriteSeq> writes;
  };
  struct Written {
    std::uint64_t gen;
    PageKey page;
    WriteSeq upto;
  };

  JournalParams p_;
  WriteSeq seq_ = 0;
  Tid last_tid_ = 0, running_ = 0, committing_ = 0, committed_ = 0, requested_ = 0;
  std::map<Tid, Transaction> txns_;               // running and committing
  std::vector<WriteRecord> writes_;               // every write, by seq - 1
  std::map<FileId, Tid> sync_tid_, datasync_tid_;  // i_sync_tid, i_datasync_tid
  std::map<FileId, std::uint64_t> initial_size_;  // the size before the first write
  std::map<FileId, std::vector<WriteSeq>> delayed_;  // writes waiting for their allocation
  Tid open_transaction();                          // the running one, started if needed
  CommitPhase phase_ = CommitPhase::none;
  std::uint64_t gen_ = 0;                         // data writes completed so far
  std::vector<Written> volatile_;                 // written, not yet flushed
  std::map<std::pair<FileId, std::uint64_t>, WriteSeq> stable_;
};

}  // namespace kiosim
