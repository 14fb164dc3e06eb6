// Plugging, merging and splitting (block/blk-merge.c, blk-core.c's plug, blk-mq.c's
// plug rules) and the two I/O schedulers (block/mq-deadline.c and `none`), by hand.
#include <catch2/catch.hpp>

#include <algorithm>

#include "model/blk_merge.h"
#include "model/io_scheduler.h"
#include "model/mq_deadline.h"

using namespace kiosim;

namespace {
constexpr std::uint64_t KiB = 1024;

BlkRange page(std::uint64_t file, std::uint64_t index, bool write = false) {
  return BlkRange{file, index * 4 * KiB, 4 * KiB, write, 0};
}

// Bios of `n` pages from `first`, through one plug; the requests it flushes.
std::vector<BlkRequest> plug_pages(std::uint64_t first, std::uint64_t n, std::uint64_t step, std::uint64_t max) {
  BlkPlug plug(max);
  std::vector<BlkRequest> out;
  for (std::uint64_t i = 0; i < n; ++i) {
    const BlkRange bio = page(1, first + i * step);
    if (plug.try_merge(bio, i)) continue;
    for (auto& r : plug.add(BlkRequest{bio, {i}})) out.push_back(std::move(r));
  }
  for (auto& r : plug.finish()) out.push_back(std::move(r));
  return out;
}

std::string order_of(IoScheduler& s, double now) {
  std::string out;
  while (auto rq = s.dispatch(now)) out += rq->range.write ? 'W' : 'R';
  return out;
}
}  // namespace

TEST_CASE("plug: 32 sequential 4 KiB readahead pages become one 128 KiB request", "[blk-mq]") {
  auto rqs = plug_pages(0, 32, 1, 0);
  REQUIRE(rqs.size() == 1);  // 31 of the 32 bios merged at the back of the first
  CHECK(rqs[0].range.start == 0);
  CHECK(rqs[0].range.bytes == 128 * KiB);
  CHECK(rqs[0].bios.size() == 32);
  CHECK(rqs[0].bios.front() == 0);
  CHECK(rqs[0].bios.back() == 31);
}

TEST_CASE("plug: with max_request 64 KiB the same 32 pages are 2 requests", "[blk-mq]") {
  // 16 pages fill 64 KiB; the 17th would make 68 KiB > 64 KiB: a new request.
  // 32 bios, 2 requests: 30 merges.
  auto rqs = plug_pages(0, 32, 1, 64 * KiB);
  REQUIRE(rqs.size() == 2);
  CHECK(rqs[0].range.bytes == 64 * KiB);
  CHECK(rqs[1].range.start == 64 * KiB);
  CHECK(rqs[1].range.bytes == 64 * KiB);
}

TEST_CASE("plug: random pages are not merged, and the plug flushes at 32 requests", "[blk-mq]") {
  // Every other page: none adjacent, 40 requests of one bio. The 33rd finds 32
  // requests in the plug (BLK_MAX_REQUEST_COUNT) and flushes them first.
  BlkPlug plug(0);
  std::size_t flushed_at = 0, flushed = 0;
  for (std::uint64_t i = 0; i < 40; ++i) {
    const BlkRange bio = page(1, 2 * i);
    CHECK_FALSE(plug.try_merge(bio, i));
    auto out = plug.add(BlkRequest{bio, {i}});
    if (!out.empty()) flushed_at = i, flushed = out.size();
  }
  CHECK(flushed_at == 32);
  CHECK(flushed == 32);
  CHECK(plug.finish().size() == 8);
}

TEST_CASE("plug: a request of 128 KiB or more is sent on when the next one comes", "[blk-mq]") {
  // BLK_PLUG_FLUSH_SIZE: [0,128K) is full size, so page 100 (not adjacent) flushes it.
  BlkPlug plug(128 * KiB);
  for (std::uint64_t i = 0; i < 32; ++i)
    if (!plug.try_merge(page(1, i), i)) CHECK(plug.add(BlkRequest{page(1, i), {i}}).empty());
  auto out = plug.add(BlkRequest{page(1, 100), {32}});
  REQUIRE(out.size() == 1);
  CHECK(out[0].range.bytes == 128 * KiB);
  CHECK(plug.size() == 1);
}

TEST_CASE("plug: a front merge, and what never merges", "[blk-mq]") {
  BlkRequest rq{page(1, 5), {0}};
  CHECK(blk_try_merge(rq.range, page(1, 4), 0) == BlkMerge::front);
  blk_merge_bio(rq, page(1, 4), 1, BlkMerge::front);
  CHECK(rq.range.start == 16 * KiB);
  CHECK(rq.range.bytes == 8 * KiB);
  CHECK(rq.bios == std::vector<std::uint64_t>{1, 0});
  CHECK(blk_try_merge(rq.range, page(2, 6), 0) == BlkMerge::none);        // another file
  CHECK(blk_try_merge(rq.range, page(1, 6, true), 0) == BlkMerge::none);  // a write after reads
  BlkRange ra = page(1, 6);
  ra.kind = 1;
  CHECK(blk_try_merge(rq.range, ra, 0) == BlkMerge::none);                // another kind of I/O
  CHECK(blk_try_merge(rq.range, page(1, 6), 8 * KiB) == BlkMerge::none);  // 12 KiB > the limit
}

TEST_CASE("split: a 1 MiB bio with max_sectors_kb 128 is 8 pieces", "[blk-mq]") {
  auto pieces = blk_split(BlkRange{1, 0, 1024 * KiB, false, 0}, 128 * KiB);
  REQUIRE(pieces.size() == 8);
  CHECK(pieces[7].start == 896 * KiB);
  CHECK(pieces[7].bytes == 128 * KiB);
  // 100 KiB at 64 KiB: 64 + 36.
  auto odd = blk_split(BlkRange{1, 4 * KiB, 100 * KiB, false, 0}, 64 * KiB);
  REQUIRE(odd.size() == 2);
  CHECK(odd[1].start == 68 * KiB);
  CHECK(odd[1].bytes == 36 * KiB);
  CHECK(blk_split(BlkRange{1, 0, 1024 * KiB, false, 0}, 0).size() == 1);
}

TEST_CASE("none: submission order, no merges", "[blk-mq]") {
  auto none = make_io_scheduler(IoSchedulerKind::none, 0);
  CHECK(none->insert(BlkRequest{page(1, 9), {0}}, 0, false) == 0);
  CHECK(none->bio_merge(page(1, 10), 1) == 0);  // adjacent, yet `none` has no merging
  CHECK(none->insert(BlkRequest{page(1, 10), {1}}, 0, false) == 0);
  CHECK(none->insert(BlkRequest{page(1, 1), {2}}, 0, false) == 0);
  std::vector<std::uint64_t> starts;
  while (auto rq = none->dispatch(0)) starts.push_back(rq->range.start / (4 * KiB));
  CHECK(starts == std::vector<std::uint64_t>{9, 10, 1});
}

TEST_CASE("mq-deadline: position order within a batch, merges in the scheduler", "[blk-mq]") {
  MqDeadline dd(0, {});
  CHECK(dd.insert(BlkRequest{page(1, 9), {0}}, 0, false) == 0);
  CHECK(dd.insert(BlkRequest{page(1, 1), {1}}, 0, false) == 0);
  // Page 10 goes behind page 9 (elv_attempt_insert_merge): 1 merge.
  CHECK(dd.insert(BlkRequest{page(1, 10), {2}}, 0, false) == 1);
  // A bio of page 2: at the back of page 1 (the hash of ends); page 0: at its front.
  CHECK(dd.bio_merge(page(1, 2), 3) == 1);
  CHECK(dd.bio_merge(page(1, 0), 4) == 1);
  // Page 8 at the front of [9,11): 1 merge. Then bio 3..7 at the back of [0,3) ...
  CHECK(dd.bio_merge(page(1, 8), 5) == 1);
  for (std::uint64_t p = 3; p < 7; ++p) CHECK(dd.bio_merge(page(1, p), 3 + p) == 1);
  // ... and page 7 fills the gap: a back merge, then [0,8) meets [8,11) (attempt_back_merge).
  CHECK(dd.bio_merge(page(1, 7), 10) == 2);
  auto one = dd.dispatch(0);
  REQUIRE(one);
  CHECK(one->range.start == 0);
  CHECK(one->range.bytes == 11 * 4 * KiB);
  CHECK(one->bios == std::vector<std::uint64_t>{4, 1, 3, 6, 7, 8, 9, 10, 5, 0, 2});
  CHECK(dd.empty());
}

TEST_CASE("mq-deadline: reads go first only writes_starved batches while writes wait", "[blk-mq]") {
  // 40 reads and 40 writes queued at t = 0, none adjacent (every other page),
  // fifo_batch 16, writes_starved 2. dd->last_dir starts at WRITE, so the first batch
  // is 16 writes; then reads, twice (starved 0 -> 1, 1 -> 2): 32 reads; then the
  // starved writes (2 >= 2): 16; then reads (starved 0 -> 1): the last 8; then the
  // last 8 writes.
  MqDeadline dd(0, {});
  for (std::uint64_t i = 0; i < 40; ++i) dd.insert(BlkRequest{page(1, 2 * i), {i}}, 0, false);
  for (std::uint64_t i = 0; i < 40; ++i) dd.insert(BlkRequest{page(2, 2 * i, true), {40 + i}}, 0, false);
  CHECK(order_of(dd, 0) == std::string(16, 'W') + std::string(32, 'R') + std::string(16, 'W') +
                               std::string(8, 'R') + std::string(8, 'W'));
  // With writes_starved 1 a write batch follows every read batch: 16 W, 16 R (starved
  // 0 -> 1), 16 W (1 >= 1), 16 R, the last 8 W, then the last 8 R.
  MqDeadline fair(0, MqDeadlineParams{.writes_starved = 1});
  for (std::uint64_t i = 0; i < 40; ++i) fair.insert(BlkRequest{page(1, 2 * i), {i}}, 0, false);
  for (std::uint64_t i = 0; i < 40; ++i) fair.insert(BlkRequest{page(2, 2 * i, true), {40 + i}}, 0, false);
  CHECK(order_of(fair, 0) == std::string(16, 'W') + std::string(16, 'R') + std::string(16, 'W') +
                                 std::string(16, 'R') + std::string(8, 'W') + std::string(8, 'R'));
}

TEST_CASE("mq-deadline: an expired read goes before the position order", "[blk-mq]") {
  // A at page 250 queued at t = 0; B (page 0) and C (page 10) just now. Read batches
  // start where the last one was (position 0): B first, unless the oldest read's
  // deadline (0 + 500 ms) has passed: at 600 ms it has, so A, then B and C.
  auto run = [](double now) {
    MqDeadline dd(0, {});
    dd.insert(BlkRequest{page(1, 250), {0}}, 0, false);
    dd.insert(BlkRequest{page(1, 0), {1}}, now, false);
    dd.insert(BlkRequest{page(1, 10), {2}}, now, false);
    std::vector<std::uint64_t> ids;
    while (auto rq = dd.dispatch(now)) ids.push_back(rq->bios.front());
    return ids;
  };
  CHECK(run(600e6) == std::vector<std::uint64_t>{0, 1, 2});
  CHECK(run(400e6) == std::vector<std::uint64_t>{1, 2, 0});  // at 400 ms nothing expired: position order
}

TEST_CASE("mq-deadline: an at-head request goes before everything", "[blk-mq]") {
  MqDeadline dd(0, {});
  dd.insert(BlkRequest{page(1, 0), {0}}, 0, false);
  dd.insert(BlkRequest{page(0, 0, true), {1}}, 0, true);
  auto first = dd.dispatch(0);
  REQUIRE(first);
  CHECK(first->bios.front() == 1);
  CHECK(parse_io_scheduler("mq-deadline") == IoSchedulerKind::mq_deadline);
  CHECK_FALSE(parse_io_scheduler("deadline"));
}
