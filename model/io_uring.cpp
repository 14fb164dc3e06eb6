#include "model/io_uring.h"

#include <algorithm>

namespace kiosim {

std::uint32_t uring_sq_entries(std::uint32_t requested) {
  std::uint32_t n = 1;
  while (n < requested && n < kUringMaxEntries) n <<= 1;
  return n;
}

std::vector<std::pair<std::size_t, std::size_t>> uring_chains(const std::vector<bool>& link) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t first = 0;
  for (std::size_t i = 0; i < link.size(); ++i) {
    if (link[i] && i + 1 < link.size()) continue;  // the submission's end ends a chain
    out.emplace_back(first, i);
    first = i + 1;
  }
  return out;
}

bool MemlockAccount::charge(std::uint64_t pages) {
  if (pages > limit_pages_ || locked_ > limit_pages_ - pages) return false;
  locked_ += pages;
  return true;
}

bool SqThreadClock::submit_at(double now) {
  const bool asleep = !awake_at(now);
  spin_ += asleep ? idle_ : std::max(0.0, now - last_work_);
  if (asleep) ++wakeups_;
  last_work_ = now;
  return asleep;
}

void SqThreadClock::close_at(double now) {
  if (closed_) return;
  closed_ = true;
  spin_ += std::clamp(now - last_work_, 0.0, idle_);
}

}  // namespace kiosim
