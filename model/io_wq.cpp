#include "model/io_wq.h"

#include <algorithm>

namespace kiosim {

std::uint32_t iowq_default_bound(std::uint32_t sq_entries, std::uint32_t cpus) {
  return std::max<std::uint32_t>(1, std::uint32_t(std::min<std::uint64_t>(sq_entries, 4ULL * cpus)));
}

bool IoWqBound::enqueue(std::size_t work) {
  if (running_ < max_) {
    ++running_;
    workers_ = std::max(workers_, running_);
    return true;
  }
  list_.push_back(work);
  return false;
}

std::optional<std::size_t> IoWqBound::done() {
  if (running_ == 0) return std::nullopt;
  if (list_.empty()) {
    --running_;
    return std::nullopt;
  }
  const std::size_t next = list_.front();  // the worker goes on with the list's head
  list_.pop_front();
  return next;
}

}  // namespace kiosim
