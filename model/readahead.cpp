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

std::uint64_t ReadaheadState::init_size(std::uint64_t request, std::uint64_t max) {
  std::uint64_t size = roundup_pow2(request);
  if (size <= max / 32) return size * 4;
  if (size <= max / 4) return size * 2;
  return max;
}

std::uint64_t ReadaheadState::next_size(std::uint64_t cur, std::uint64_t max) {
  if (cur < max / 16) return 4 * cur;
  if (cur <= max / 2) return 2 * cur;
  return max;
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
    order_ = 0;
    marker_ = ~0ULL;
    return clamp({index, n}, file_pages);
  }
  order_ = 2;
  // A start of file, oversized read or sequential miss: a new initial window.
  start_ = index;
  size_ = std::max(init_size(n, p_.max_pages), n);  // a request larger than the cap is still read whole
  PageRange r = clamp({start_, size_}, file_pages);
  // PG_readahead on the first page past the request, so the next window starts in time.
  marker_ = (index + n < r.end()) ? index + n : ~0ULL;
  return r;
}

// page_cache_async_ra at the expected index: push the window forward and ramp it up.
PageRange ReadaheadState::next_window(std::uint64_t file_pages) {
  start_ += size_;
  size_ = std::max(size_, next_size(size_, p_.max_pages));
  order_ = std::min(order_ + 2, 30u);
  PageRange r = clamp({start_, size_}, file_pages);
  marker_ = r.empty() ? ~0ULL : r.start;
  return r;
}

PageRange ReadaheadState::on_hit(std::uint64_t index, std::uint64_t n, std::uint64_t file_pages) {
  PageRange r;
  bool crossed = p_.max_pages != 0 && marker_ != ~0ULL && index <= marker_ && marker_ < index + n;
  if (crossed) r = next_window(file_pages);
  prev_end_ = index + n;
  return r;
}

// do_sync_mmap_readahead's read-around: start = index - ra_pages/2, size = ra_pages,
// async_size = ra_pages/4 (the marker at start + size - async_size). Off: the page alone.
PageRange ReadaheadState::on_mmap_miss(std::uint64_t index, std::uint64_t file_pages) {
  const std::uint64_t ra = p_.max_pages;
  if (ra == 0) {
    marker_ = ~0ULL;
    order_ = 0;
    return clamp({index, 1}, file_pages);
  }
  start_ = index > ra / 2 ? index - ra / 2 : 0;
  size_ = ra;
  order_ = 2;
  PageRange r = clamp({start_, size_}, file_pages);
  if (r.empty() || index < r.start || index >= r.end()) return {index, 1};
  const std::uint64_t mark = start_ + size_ - ra / 4;
  marker_ = mark < r.end() && mark != index ? mark : ~0ULL;
  return r;
}

PageRange ReadaheadState::on_mmap_hit(std::uint64_t index, std::uint64_t file_pages) {
  if (p_.max_pages == 0 || marker_ == ~0ULL || index != marker_) return {};
  return next_window(file_pages);
}

unsigned ReadaheadState::folio_order(unsigned max_order) const {
  if (size_ < 4) return 0;
  unsigned lg = 0;
  for (std::uint64_t x = size_; x >>= 1;) ++lg;
  return std::min({order_, max_order, lg});
}

}  // namespace kiosim
