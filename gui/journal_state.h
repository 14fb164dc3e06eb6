// The ext4 journal (jbd2) as a run's trace tells it, replayed event by event:
//  - the running transaction fills with the buffers of each write() (a thread's
//    `cache_insert` carrying the write's bytes: jbd2_journal_get_write_access);
//  - `journal_commit` (t: kjournald2 starts, dur: until the commit record is on the
//    medium) turns the running transaction into the committing one and opens a new
//    running one (jbd2_journal_commit_transaction, fs/jbd2/commit.c);
//  - the commit's steps are the disk events carrying its `req`: `writeback_start` /
//    `writeback` of its ordered data (data=ordered, journal_submit_data_buffers),
//    the `writeback` named journal of its blocks, the `device_flush` before the
//    commit record (REQ_PREFLUSH), and the second journal `writeback`, the record
//    itself (journal_submit_commit_record, REQ_FUA);
//  - fsync callers sleep in a `block` named journal commit (jbd2_log_wait_commit)
//    until the commit holding their inode ends (the first to end while they sleep);
//  - a crash point (the run's `crash.at_ns`) loses the running and committing
//    transactions; the committed ones are replayed by recovery.
// `mismatches` counts commits whose write count, replayed from the writes, differs
// from the one the commit names ("commit of transaction N: W writes"): the picture is
// checked against the simulator, commit by commit.
#pragma once
#include <QString>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

enum class CommitStep : std::uint8_t { ordered_data, journal_blocks, flush, commit_record, committed };

struct JournalWrite {
  std::uint32_t lane = 0, file = 0;
  std::int64_t page = -1;
  std::uint64_t bytes = 0;
};

struct Transaction {
  int number = 0;                      // 1, 2, ... in the order of commits
  std::vector<JournalWrite> writes;
  std::int64_t start = 0, end = 0;     // the commit's [start, end)
  std::uint64_t req = 0, bytes = 0, blocks = 0;
  std::uint64_t orderedSubmitted = 0, orderedWritten = 0;  // data pages
  int journalWrites = 0;               // 1: the blocks, 2: the commit record too
  bool flushed = false;
  std::int64_t namedWrites = -1;       // the commit's own count, -1 if it names none
  CommitStep step() const;             // how far the commit has gone (by its events)
};

struct FsyncWaiter {
  std::uint32_t lane = 0;
  std::int64_t start = 0, end = 0;
  int commit = 0;                      // the commit that wakes it (its number), 0 not yet known
};

class JournalState {
 public:
  JournalState() = default;
  explicit JournalState(const RunTrace& run) : crashNs_(run.crashNs) {}
  void apply(const Event& e, std::size_t index, const RunTrace& run);
  std::size_t applied() const { return applied_; }
  std::int64_t now() const { return now_; }

  const std::vector<JournalWrite>& running() const { return running_; }
  // The commit in progress (null when none), and the last committed (newest last).
  const Transaction* committing() const { return committing_ ? &*committing_ : nullptr; }
  const std::deque<Transaction>& committed() const { return committed_; }
  const std::vector<FsyncWaiter>& asleep() const { return asleep_; }  // in fsync now
  bool crashed() const { return crashNs_ >= 0 && now_ >= crashNs_; }
  std::int64_t crashNs() const { return crashNs_; }

  std::uint64_t commits() const { return commits_; }
  std::uint64_t journalBytes() const { return journalBytes_; }
  std::uint64_t wokenCallers() const { return woken_; }
  std::uint64_t mismatches() const { return mismatches_; }
  // Ends what has ended by time t (commits, sleeps), as an event at t would.
  void advanceTo(std::int64_t t);

  static constexpr std::size_t kCommittedKept = 8;

 private:
  struct Pending {  // a commit's disk events recorded at its start, before it
    std::uint64_t orderedSubmitted = 0, orderedWritten = 0;
    int journalWrites = 0;
  };
  void finishCommit();

  std::int64_t crashNs_ = -1, now_ = 0;
  std::size_t applied_ = 0;
  std::vector<JournalWrite> running_;
  std::optional<Transaction> committing_;
  std::deque<Transaction> committed_;
  std::vector<FsyncWaiter> asleep_;
  std::unordered_map<std::uint64_t, Pending> pending_;
  std::int64_t pendingAt_ = -1;
  std::uint64_t commits_ = 0, journalBytes_ = 0, woken_ = 0, mismatches_ = 0;
};

// The trace's note on the sleep of an fsync caller (sim/kernel/jbd2.cpp).
inline const QString& fsyncWaitNote() {
  static const QString s = QStringLiteral("journal commit (jbd2_log_wait_commit)");
  return s;
}

}  // namespace kiosim::gui
