// The journal's bookkeeping (model/journal.h), with numbers worked out by hand.
// Block arithmetic used below (4 KiB blocks, 250 tags per descriptor block):
//   metadata blocks = one inode block per file in the transaction
//                   + 2 (block bitmap, group descriptor) if any write grew a file
//   descriptor blocks = ceil((metadata + journaled data blocks) / 250)
//   journal bytes = (descriptor + metadata + data + 1 commit record) * 4096
#include <catch2/catch.hpp>

#include "model/journal.h"

using namespace kiosim;

namespace {
// Allocation at write() time (ext3, ext4 with nodelalloc): the sums below count it there.
JournalParams nodelalloc() { return JournalParams{JournalMode::ordered, 250, false}; }
}  // namespace

TEST_CASE("journal: a transaction collects the metadata of the writes", "[journal]") {
  Journal j(nodelalloc());
  // File 0 is empty, file 1 holds 8 KiB.
  // w1: append 4 KiB to file 0 -> grows it (allocation), T1 starts with it.
  // w2: overwrite 4 KiB of file 1 inside its size -> mtime only.
  // w3: append 4 KiB more to file 0 -> same inode block, allocation already counted.
  WriteSeq w1 = j.note_write(0, 0, 4096, 0);
  WriteSeq w2 = j.note_write(1, 0, 4096, 8192);
  WriteSeq w3 = j.note_write(0, 4096, 4096, 4096);
  CHECK(w1 == 1);
  CHECK(w2 == 2);
  CHECK(w3 == 3);
  CHECK(j.running() == 1);
  CHECK(j.running_writes() == 3);
  j.request_commit(1);
  REQUIRE(j.commit_due());
  CommitPlan p = j.start_commit();
  // metadata: inode(0) + inode(1) + bitmap + group descriptor = 4 blocks
  // descriptor: ceil(4 / 250) = 1; journal: 1 + 4 + 0 = 5 blocks, + commit record = 6
  CHECK(p.tid == 1);
  CHECK(p.metadata_blocks == 4);
  CHECK(p.descriptor_blocks == 1);
  CHECK(p.data_blocks == 0);
  CHECK(p.journal_blocks() == 5);
  CHECK(p.journal_bytes() == 6 * 4096);
  // ordered (the default): both files' data goes to its place before the commit record.
  CHECK(p.ordered_files == std::vector<FileId>{0, 1});
  CHECK(p.writes == std::vector<WriteSeq>{1, 2, 3});
}

TEST_CASE("journal: an overwrite needs no allocation and no fdatasync commit", "[journal]") {
  Journal j(nodelalloc());
  j.note_write(0, 0, 4096, 65536);  // inside the file: mtime changes, size does not
  // fsync must commit T1 (the inode's mtime); fdatasync needs nothing committed.
  CHECK(j.needs_commit(0, false) == 1);
  CHECK(j.needs_commit(0, true) == 0);
  j.request_commit(1);
  CommitPlan p = j.start_commit();
  // 1 inode block, no bitmap: 1 descriptor + 1 metadata + commit record = 3 blocks
  CHECK(p.metadata_blocks == 1);
  CHECK(p.journal_bytes() == 3 * 4096);
}

TEST_CASE("journal: commits run one at a time, in tid order", "[journal]") {
  Journal j(nodelalloc());
  // Thread A appends (T1) and fsyncs: the commit of T1 starts.
  j.note_write(0, 0, 4096, 0);
  Tid a = j.needs_commit(0, false);
  CHECK(a == 1);
  j.request_commit(a);
  REQUIRE(j.commit_due());
  CHECK(j.start_commit().tid == 1);
  CHECK(j.committing() == 1);
  CHECK(j.running() == 0);

  SECTION("a write during the commit joins a new transaction; its fsync waits for the next commit") {
    // Thread B appends to file 1 while T1 commits: T2 starts.
    j.note_write(1, 0, 4096, 0);
    CHECK(j.running() == 2);
    Tid b = j.needs_commit(1, false);
    CHECK(b == 2);
    j.request_commit(b);
    // T1 is still committing: no second commit beside it.
    CHECK_FALSE(j.commit_due());
    CHECK(j.start_commit().tid == 0);
    // T1 ends; now T2 may start.
    j.finish_commit();
    CHECK(j.last_committed() == 1);
    CHECK(j.committed(a));
    CHECK_FALSE(j.committed(b));
    REQUIRE(j.commit_due());
    CHECK(j.start_commit().tid == 2);
    j.finish_commit();
    CHECK(j.committed(b));
  }

  SECTION("a second fsync of a file already in the committing transaction starts nothing") {
    // A's file is in T1, which is committing: a second fsync just waits for T1.
    Tid again = j.needs_commit(0, false);
    CHECK(again == 1);
    j.request_commit(again);
    CHECK_FALSE(j.commit_due());
    j.finish_commit();
    CHECK(j.needs_commit(0, false) == 0);  // committed: a later fsync only flushes
    CHECK_FALSE(j.commit_due());           // and nothing is running
  }
}

TEST_CASE("journal: data=journal journals the data, ordered does not", "[journal]") {
  // The same writes in both modes: 8 KiB appended to an empty file (2 pages),
  // then 4 KiB rewritten in its first page (already journaled in this transaction).
  auto plan = [](JournalMode m) {
    Journal j(JournalParams{m, 250, false});
    j.note_write(0, 0, 8192, 0);
    j.note_write(0, 0, 4096, 8192);
    j.request_commit(1);
    return j.start_commit();
  };
  CommitPlan ordered = plan(JournalMode::ordered);
  CommitPlan journal = plan(JournalMode::journal);
  CommitPlan writeback = plan(JournalMode::writeback);
  // ordered: 1 descriptor + 3 metadata (inode, bitmap, gdt) + commit = 5 blocks = 20480 bytes;
  // the 8 KiB of data goes once, to its place, before the commit record.
  CHECK(ordered.data_blocks == 0);
  CHECK(ordered.journal_bytes() == 20480);
  CHECK(ordered.ordered_files == std::vector<FileId>{0});
  // journal: + 2 data pages in the journal: 1 + 3 + 2 + 1 = 7 blocks = 28672 bytes;
  // the data is written again, to its place, after the commit (written twice).
  CHECK(journal.data_blocks == 2);
  CHECK(journal.data_pages == std::vector<PageKey>{{0, 0}, {0, 1}});
  CHECK(journal.journal_bytes() == 28672);
  CHECK(journal.journal_bytes() - ordered.journal_bytes() == 8192);
  CHECK(journal.ordered_files.empty());
  // writeback: the journal holds metadata only, and nothing is ordered.
  CHECK(writeback.journal_bytes() == 20480);
  CHECK(writeback.ordered_files.empty());
}

TEST_CASE("journal: O_DIRECT data never goes through the journal", "[journal]") {
  Journal j(JournalParams{JournalMode::journal, 250, false});
  j.note_write(0, 0, 8192, 0, /*direct=*/true);
  j.request_commit(1);
  CommitPlan p = j.start_commit();
  CHECK(p.data_blocks == 0);
  CHECK(p.metadata_blocks == 3);
}

TEST_CASE("journal: descriptor blocks hold 250 tags each", "[journal]") {
  Journal j(JournalParams{JournalMode::journal, 250, false});
  // 1 MiB appended: 256 data pages + 3 metadata = 259 tags -> 2 descriptor blocks.
  j.note_write(0, 0, 1 << 20, 0);
  j.request_commit(1);
  CommitPlan p = j.start_commit();
  CHECK(p.data_blocks == 256);
  CHECK(p.descriptor_blocks == 2);
  CHECK(p.journal_bytes() == (2 + 3 + 256 + 1) * 4096);
}

TEST_CASE("journal: data is stable only after a cache flush that began after it was written", "[journal]") {
  Journal j(nodelalloc());
  j.note_write(0, 0, 4096, 0);            // w1
  std::uint64_t early = j.flush_begin();  // a flush that began before the data was written
  j.data_written({0, 0}, 1);
  j.flush_end(early);
  CHECK(j.stable_upto({0, 0}) == 0);  // still in the device's cache
  std::uint64_t late = j.flush_begin();
  j.flush_end(late);
  CHECK(j.stable_upto({0, 0}) == 1);
}

TEST_CASE("journal: delayed allocation moves the size to the transaction of writeback", "[journal]") {
  Journal j;  // ordered, delalloc (ext4's defaults)
  // w1 appends 8 KiB to an empty file: only the inode's mtime and in-memory size change.
  j.note_write(0, 0, 8192, 0);
  CHECK(j.writes()[0].tid == 1);
  CHECK(j.writes()[0].size_tid == 0);  // no blocks yet
  CHECK(j.needs_commit(0, true) == 0);  // fdatasync: nothing committed would help before writeback
  CHECK(j.needs_commit(0, false) == 1);
  // The commit of T1 (the timer): 1 inode block, no allocation, no ordered data:
  // 1 descriptor + 1 metadata + 1 commit record = 3 blocks.
  j.request_commit(1);
  CommitPlan p1 = j.start_commit();
  CHECK(p1.metadata_blocks == 1);
  CHECK(p1.ordered_files.empty());
  CHECK(p1.journal_bytes() == 3 * 4096);
  j.finish_commit();
  // Writeback begins (fsync or the flusher): the blocks and the on-disk size join T2,
  // and the file goes on T2's ordered list.
  CHECK(j.allocate(0));
  CHECK_FALSE(j.allocate(0));  // nothing delayed any more
  CHECK(j.writes()[0].size_tid == 2);
  CHECK(j.needs_commit(0, true) == 2);
  j.request_commit(2);
  CommitPlan p2 = j.start_commit();
  // inode + bitmap + group descriptor = 3; + descriptor + commit record = 5 blocks.
  CHECK(p2.metadata_blocks == 3);
  CHECK(p2.ordered_files == std::vector<FileId>{0});
  CHECK(p2.journal_bytes() == 5 * 4096);
}

TEST_CASE("crash: with delayed allocation an unsynced append is lost whole, never garbage", "[crash]") {
  Journal j(JournalParams{JournalMode::writeback, 250, true});
  j.note_write(0, 0, 4096, 0);  // T1: mtime only
  j.request_commit(1);
  j.start_commit();
  auto t = j.flush_begin();
  j.flush_end(t);
  j.finish_commit();  // T1 committed: the inode's mtime, not its size
  CrashReport r = j.crash();
  CHECK(r.writes[0].metadata_committed);
  CHECK(r.writes[0].fate == Fate::lost);  // size 0 after recovery: nothing stale shows
  CHECK(r.files[0].size_recovered == 0);
  CHECK(r.files[0].consistent);
}

TEST_CASE("journal: a commit's ordered data is the jinode's dirty range (ext4_jbd2_inode_add_write)", "[journal]") {
  // Delayed allocation: w1 appends [0, 16 KiB) to an empty file, w2 [16, 32 KiB).
  // Writeback of the file begins after w1 only (ext4_writepages -> allocate): w1's
  // blocks join T1 with the range [0, 16384). w2 comes after: delayed, unallocated,
  // so not in the range - journal_submit_data_buffers writes only allocated blocks.
  Journal j;  // ordered, delalloc
  j.note_write(0, 0, 16384, 0);
  REQUIRE(j.allocate(0));
  j.note_write(0, 16384, 16384, 16384);
  j.request_commit(j.running());
  CommitPlan p = j.start_commit();
  CHECK(p.ordered_files == std::vector<FileId>{0});
  REQUIRE(p.ordered_ranges.size() == 1);
  CHECK(p.ordered_ranges[0] == DirtyRange{0, 0, 16384});
  // Without delayed allocation every write joins the range when it is made:
  // [4096, 8192) and [20480, 24576) of a 64 KiB file -> [4096, 24576).
  Journal n(JournalParams{JournalMode::ordered, 250, false});
  n.note_write(3, 4096, 4096, 65536);
  n.note_write(3, 20480, 4096, 65536);
  n.request_commit(n.running());
  CommitPlan q = n.start_commit();
  REQUIRE(q.ordered_ranges.size() == 1);
  CHECK(q.ordered_ranges[0] == DirtyRange{3, 4096, 24576});
}
