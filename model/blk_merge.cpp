#include "model/blk_merge.h"

#include <algorithm>
#include <utility>

namespace kiosim {

bool blk_before(const BlkRange& a, const BlkRange& b) {
  return a.file != b.file ? a.file < b.file : a.start < b.start;
}

BlkMerge blk_try_merge(const BlkRange& rq, const BlkRange& bio, std::uint64_t max_bytes) {
  if (rq.file != bio.file || rq.write != bio.write || rq.kind != bio.kind) return BlkMerge::none;
  if (max_bytes != 0 && rq.bytes + bio.bytes > max_bytes) return BlkMerge::none;
  if (rq.end() == bio.start) return BlkMerge::back;
  if (bio.end() == rq.start) return BlkMerge::front;
  return BlkMerge::none;
}

void blk_merge_bio(BlkRequest& rq, const BlkRange& bio, std::uint64_t id, BlkMerge how) {
  if (how == BlkMerge::back) {
    rq.bios.push_back(id);
  } else if (how == BlkMerge::front) {
    rq.bios.insert(rq.bios.begin(), id);
    rq.range.start = bio.start;
  } else {
    return;
  }
  rq.range.bytes += bio.bytes;
}

void blk_merge_requests(BlkRequest& rq, BlkRequest&& next) {
  rq.range.bytes += next.range.bytes;
  rq.bios.insert(rq.bios.end(), next.bios.begin(), next.bios.end());
  rq.fifo_time = std::min(rq.fifo_time, next.fifo_time);
}

std::vector<BlkRange> blk_split(const BlkRange& bio, std::uint64_t max_bytes) {
  if (max_bytes == 0 || bio.bytes <= max_bytes) return {bio};
  std::vector<BlkRange> out;
  for (std::uint64_t off = 0; off < bio.bytes; off += max_bytes) {
    BlkRange piece = bio;
    piece.start = bio.start + off;
    piece.bytes = std::min(max_bytes, bio.bytes - off);
    out.push_back(piece);
  }
  return out;
}

bool BlkPlug::try_merge(const BlkRange& bio, std::uint64_t id) {
  if (list_.empty()) return false;
  BlkRequest& last = list_.back();
  const BlkMerge how = blk_try_merge(last.range, bio, max_bytes_);
  blk_merge_bio(last, bio, id, how);
  return how != BlkMerge::none;
}

std::vector<BlkRequest> BlkPlug::add(BlkRequest rq) {
  std::vector<BlkRequest> flushed;
  if (list_.size() >= kMaxRequests || (!list_.empty() && list_.back().range.bytes >= kFlushBytes))
    flushed = finish();
  list_.push_back(std::move(rq));
  return flushed;
}

std::vector<BlkRequest> BlkPlug::finish() {
  std::vector<BlkRequest> out;
  out.swap(list_);
  return out;
}

}  // namespace kiosim
