// Merging of adjacent I/O as block/blk-merge.c decides it (blk_try_merge,
// ll_back_merge_fn / ll_front_merge_fn, attempt_merge), the split of a bio at the
// queue's max_sectors_kb (bio_split_to_limits -> bio_split_rw), and a task's plug
// (block/blk-core.c blk_start_plug / blk_finish_plug) with the rules block/blk-mq.c
// applies to it (blk_attempt_plug_merge, blk_add_rq_to_plug). Pure: the caller owns
// the bios (it names them by id) and the time.
//
// kiosim simplifies: the disk holds each file as one extent, files in FileId order,
// so a position is (file, byte offset) and two bios are adjacent when they are in the
// same file and one ends where the other starts. There are no segments
// (max_segments, the virt boundary): only the byte limit stops a merge.
#pragma once
#include <cstdint>
#include <vector>

namespace kiosim {

struct BlkRange {
  std::uint64_t file = 0;
  std::uint64_t start = 0;  // byte offset in the file
  std::uint64_t bytes = 0;
  bool write = false;
  // The caller's class of I/O (readahead, O_DIRECT, journal): only equal ones merge,
  // standing for blk_rq_merge_ok's same-operation and same-flags tests.
  std::uint8_t kind = 0;
  std::uint64_t end() const { return start + bytes; }
};

// Disk order: by file, then offset (the rb-tree order of mq-deadline's sort_list).
bool blk_before(const BlkRange& a, const BlkRange& b);

// A request (struct request): a range and the bios it carries, in disk order.
struct BlkRequest {
  BlkRange range;
  std::vector<std::uint64_t> bios;
  double fifo_time = 0;  // mq-deadline: when it expires (rq->fifo_time)
};

enum class BlkMerge { none, back, front };

// blk_try_merge with the size check of ll_back_merge_fn / ll_front_merge_fn: `bio`
// goes at the back of `rq` (rq ends where it starts), at its front (it ends where rq
// starts), or not at all; the merged request is at most `max_bytes` (0: no limit).
BlkMerge blk_try_merge(const BlkRange& rq, const BlkRange& bio, std::uint64_t max_bytes);
// Performs a merge blk_try_merge allowed: the bio's id joins the request.
void blk_merge_bio(BlkRequest& rq, const BlkRange& bio, std::uint64_t id, BlkMerge how);
// attempt_merge: `next` starts where `rq` ends; rq takes its bios and the earlier expiry.
void blk_merge_requests(BlkRequest& rq, BlkRequest&& next);

// bio_split_to_limits: pieces of at most `max_bytes` (0: the bio whole).
std::vector<BlkRange> blk_split(const BlkRange& bio, std::uint64_t max_bytes);

// The plug of one task: requests held back, in submission order, until the task
// finishes the plug (or sleeps: the caller flushes then, as schedule() does).
class BlkPlug {
 public:
  static constexpr std::size_t kMaxRequests = 32;          // BLK_MAX_REQUEST_COUNT
  static constexpr std::uint64_t kFlushBytes = 128 * 1024;  // BLK_PLUG_FLUSH_SIZE
  explicit BlkPlug(std::uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // blk_attempt_plug_merge: into the last request of the plug (one queue: only that
  // one is tried), at its back or front. True if the bio merged.
  bool try_merge(const BlkRange& bio, std::uint64_t id);
  // blk_add_rq_to_plug: a new request joins the plug. When the plug already holds
  // kMaxRequests, or its last request is kFlushBytes or more, the plug is flushed
  // first: those requests are returned, to go to the scheduler now.
  std::vector<BlkRequest> add(BlkRequest rq);
  // blk_finish_plug -> blk_mq_flush_plug_list: everything, in submission order.
  std::vector<BlkRequest> finish();

  std::uint64_t max_bytes() const { return max_bytes_; }
  std::size_t size() const { return list_.size(); }

 private:
  std::uint64_t max_bytes_;
  std::vector<BlkRequest> list_;
};

}  // namespace kiosim
