// What survives a crash (Journal::crash), worked by hand. The sequence of a commit
// in the simulator is jbd2_journal_commit_transaction's: start_commit, ordered data
// and journal blocks written together (data_written), the commit record's
// REQ_PREFLUSH (flush_begin/flush_end), its REQ_FUA write, finish_commit. A crash is
// a call to crash() somewhere in that sequence.
#include <catch2/catch.hpp>

#include "model/journal.h"

using namespace kiosim;

namespace {
// Allocation at write() time (ext3, ext4 with nodelalloc): the sums below count it there.
JournalParams nodelalloc() { return JournalParams{JournalMode::ordered, 250, false}; }
}  // namespace

namespace {
// One full ordered commit of the running transaction, with file 0's pages
// [first, first + n) written to their place first.
void commit_ordered(Journal& j, std::uint64_t first, std::uint64_t n) {
  j.request_commit(j.running());
  CommitPlan p = j.start_commit();
  REQUIRE(p.tid != 0);
  for (std::uint64_t pg = first; pg < first + n; ++pg) j.data_written({0, pg}, j.last_write());
  j.set_phase(CommitPhase::preflush);
  auto t = j.flush_begin();  // REQ_PREFLUSH: before the commit record
  j.flush_end(t);
  j.set_phase(CommitPhase::commit_record);
  j.finish_commit();  // the record's REQ_FUA write completed
}
}  // namespace

TEST_CASE("crash: just before a commit record, that transaction is lost and the previous one kept", "[crash]") {
  Journal j(nodelalloc());  // ordered
  // T1: w1 appends page 0 of an empty file; committed in full.
  j.note_write(0, 0, 4096, 0);
  commit_ordered(j, 0, 1);
  // T2: w2 appends page 1. Its commit starts, its ordered data reaches the disk,
  // the journal blocks are written ... and the machine stops before the commit record.
  j.note_write(0, 4096, 4096, 4096);
  j.request_commit(2);
  REQUIRE(j.start_commit().tid == 2);
  j.data_written({0, 1}, 2);
  CrashReport r = j.crash();
  CHECK(r.last_committed == 1);
  CHECK(r.committing == 2);
  REQUIRE(r.writes.size() == 2);
  // w1: committed, data stable (the flush of T1's commit) -> survives.
  CHECK(r.writes[0].metadata_committed);
  CHECK(r.writes[0].data_on_disk);
  CHECK(r.writes[0].fate == Fate::survives);
  // w2: data written but never flushed, size never committed -> lost.
  CHECK_FALSE(r.writes[1].metadata_committed);
  CHECK_FALSE(r.writes[1].data_on_disk);
  CHECK(r.writes[1].fate == Fate::lost);
  // The file: 8 KiB in memory, 4 KiB after recovery, consistent (ordered).
  REQUIRE(r.files.size() == 1);
  CHECK(r.files[0].size_in_memory == 8192);
  CHECK(r.files[0].size_recovered == 4096);
  CHECK(r.files[0].survived == 1);
  CHECK(r.files[0].lost == 1);
  CHECK(r.files[0].consistent);
}

TEST_CASE("crash: buffered writes without fsync are lost, with fsync they survive", "[crash]") {
  Journal j(nodelalloc());
  j.note_write(0, 0, 4096, 0);  // w1, then fsync
  commit_ordered(j, 0, 1);
  j.note_write(0, 4096, 4096, 4096);  // w2, no fsync: only in the page cache
  CrashReport r = j.crash();
  CHECK(r.running_writes == 1);
  CHECK(r.writes[0].fate == Fate::survives);
  CHECK(r.writes[1].fate == Fate::lost);
}

TEST_CASE("crash: data=writeback can commit a size whose data never arrived", "[crash]") {
  Journal j(JournalParams{JournalMode::writeback, 250, false});
  // w1 appends 4 KiB; the commit (timer) writes only metadata: no ordered data.
  j.note_write(0, 0, 4096, 0);
  j.request_commit(1);
  CommitPlan p = j.start_commit();
  CHECK(p.ordered_files.empty());
  auto t = j.flush_begin();
  j.flush_end(t);
  j.finish_commit();
  CrashReport r = j.crash();
  // The recovered inode says 4096 bytes, but page 0 never reached the disk:
  // the file shows stale blocks where w1 should be.
  CHECK(r.writes[0].metadata_committed);
  CHECK_FALSE(r.writes[0].data_on_disk);
  CHECK(r.writes[0].fate == Fate::garbage);
  CHECK(r.files[0].size_recovered == 4096);
  CHECK_FALSE(r.files[0].consistent);
}

TEST_CASE("crash: data=journal replays the data from the journal", "[crash]") {
  Journal j(JournalParams{JournalMode::journal, 250, false});
  j.note_write(0, 0, 8192, 0);
  j.request_commit(1);
  j.start_commit();
  auto t = j.flush_begin();
  j.flush_end(t);
  j.finish_commit();
  // Nothing was written to its place yet (the checkpoint comes later), but
  // recovery copies the journaled pages there.
  CHECK(j.stable_upto({0, 0}) == 0);
  CrashReport r = j.crash();
  CHECK(r.writes[0].data_on_disk);
  CHECK(r.writes[0].fate == Fate::survives);
  CHECK(r.files[0].size_recovered == 8192);
}

TEST_CASE("crash: an overwrite written and flushed survives without a commit", "[crash]") {
  Journal j(nodelalloc());
  // A 64 KiB file; w1 rewrites page 3 in place (fdatasync: data + flush, no commit).
  j.note_write(0, 3 * 4096, 4096, 65536);
  CHECK(j.needs_commit(0, true) == 0);
  j.data_written({0, 3}, 1);
  auto t = j.flush_begin();
  j.flush_end(t);
  CrashReport r = j.crash();
  CHECK_FALSE(r.writes[0].metadata_committed);  // only its mtime is lost
  CHECK(r.writes[0].fate == Fate::survives);
  CHECK(r.files[0].size_recovered == 65536);
}

TEST_CASE("crash: jbd2_journal_commit_transaction's order - the flush before the commit record, committed after it",
          "[crash]") {
  Journal j(nodelalloc());  // ordered
  // T1: w1 appends page 0 of an empty file; its commit starts, the ordered data and
  // the journal blocks are written (together).
  j.note_write(0, 0, 4096, 0);
  j.request_commit(1);
  REQUIRE(j.start_commit().tid == 1);
  CHECK(j.phase() == CommitPhase::writing);
  j.data_written({0, 0}, 1);
  // The crash comes during the commit record's REQ_PREFLUSH: the data is still in the
  // device's volatile cache, the size uncommitted -> lost, in phase `preflush`.
  j.set_phase(CommitPhase::preflush);
  const auto ticket = j.flush_begin();
  CrashReport during_flush = j.crash();
  CHECK(during_flush.committing == 1);
  CHECK(during_flush.phase == CommitPhase::preflush);
  CHECK_FALSE(during_flush.writes[0].data_on_disk);
  CHECK(during_flush.writes[0].fate == Fate::lost);
  // The flush ended and the commit record is being written (REQ_FUA): the data is
  // stable now, but without the record the size is not -> still lost, data on disk.
  j.flush_end(ticket);
  j.set_phase(CommitPhase::commit_record);
  CrashReport during_record = j.crash();
  CHECK(during_record.phase == CommitPhase::commit_record);
  CHECK(during_record.writes[0].data_on_disk);
  CHECK_FALSE(during_record.writes[0].metadata_committed);
  CHECK(during_record.writes[0].fate == Fate::lost);
  // The record's FUA write completed: committed, no flush after it.
  j.finish_commit();
  CrashReport after = j.crash();
  CHECK(after.last_committed == 1);
  CHECK(after.committing == 0);
  CHECK(after.phase == CommitPhase::none);
  CHECK(after.writes[0].fate == Fate::survives);
  CHECK(after.files[0].size_recovered == 4096);
}
