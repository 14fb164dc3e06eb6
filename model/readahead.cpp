#include "model/readahead.h"

#include <algorithm>

namespace kiosim {

namespace {
std::uint64_t roundup_pow2(std::uint64_t x) {
  std::uint64_t p = 1;
  while (p < x) p <<= 1;
  return p;
}
}  // namespace

std::uint64_t ReadaheadState::next_size(std::uint64_t cur) const {
  return std::min(cur * 2, p_.max_pages);
}

PageRange ReadaheadState::clamp(PageRange r, std::uint64_t file_pages) const {
  if (r.start >= file_pages) return {r.start, 0};
  r.count = std::min(r.count, file_pages - r.start);
  return r;
}

PageRange ReadaheadState::on_miss(std::uint64_t index, std::uint64_t n, std::uint64_t file_pages) {
  const bool continues = index == prev_end_;
  prev_end_ = index + n;
  // Off, or a random read (page_cache_sync_ra: not at the start of the file, not
  // next to the previous read, not larger than the window): read it as is.
  if (p_.max_pages == 0 || (!continues && index != 0 && n <= p_.max_pages)) {
    size_ = 0;
    marker_ = ~0ULL;
    return clamp({index, n}, file_pages);
  }
  std::uint64_t size = continues && size_ > 0 ? next_size(size_) : std::min(roundup_pow2(4 * n), p_.max_pages);
  size = std::max(size, n);  // a request larger than the cap is still read whole
  start_ = index;
  size_ = size;
  PageRange r = clamp({start_, size_}, file_pages);
  // PG_readahead on the first page past the request, so the next window starts in time.
  marker_ = (index + n < r.end()) ? index + n : ~0ULL;
  return r;
}

PageRange ReadaheadState::on_hit(std::uint64_t index, std::uint64_t n, std::uint64_t file_pages) {
  PageRange r;
  bool crossed = p_.max_pages != 0 && marker_ != ~0ULL && index <= marker_ && marker_ < index + n;
  if (crossed) {
    std::uint64_t next_start = start_ + size_;
    size_ = next_size(size_);
    start_ = next_start;
    r = clamp({start_, size_}, file_pages);
    marker_ = r.empty() ? ~0ULL : r.start;
  }
  prev_end_ = index + n;
  return r;
}

}  // namespace kiosim
