#include "sim/kernel/kswapd.h"

#include "sim/trace/schema.h"

namespace kiosim {

Kswapd::Kswapd(Accounting& acct, Filemap& filemap)
    : acct_(acct),
      filemap_(filemap),
      wm_(zone_watermarks(filemap.cache().capacity(), acct.machine().min_free_bytes / 1024,
                          acct.machine().watermark_scale_factor)),
      wake_(std::make_unique<WaitQueue>(acct.engine())) {}

std::uint64_t Kswapd::free_pages() const {
  const PageCache& c = filemap_.cache();
  return c.size() >= c.capacity() ? 0 : c.capacity() - c.size();
}

std::uint32_t Kswapd::lane() {
  if (!lane_ && acct_.tracing()) lane_ = acct_.add_lane(std::string(schema::note::kswapd_lane), LaneKind::kernel);
  return lane_;
}

// __alloc_pages_slowpath -> wake_all_kswapds when the allocation fails the low
// watermark (free - 1 < low: the page about to be taken counts).
void Kswapd::allocating(Thread& t) {
  if (t.setup || wm_.gap == 0 || stuck_) return;
  if (free_pages() > wm_.low_free()) return;
  charge_ = t.proc;
  if (balance()) return;
  stuck_ = true;
  wake_->notify_all();
}

// balance_pgdat: shrink_node until pgdat_balanced (zone_watermark_ok at WMARK_HIGH).
bool Kswapd::balance() {
  filemap_.set_background_reclaim(lane(), charge_);
  bool balanced = true;
  while (free_pages() < wm_.high_free()) {
    if (!filemap_.cache().reclaim_one()) {
      balanced = false;
      break;
    }
  }
  filemap_.set_background_reclaim(0, nullptr);
  filemap_.wake_flusher_if_asked();
  return balanced;
}

void Kswapd::actor() {
  for (;;) {
    while (!stuck_) wake_->wait();
    const std::uint64_t seen = filemap_.cache().reclaim_progress();
    while (filemap_.cache().reclaim_progress() == seen) filemap_.changed().wait();
    if (balance()) stuck_ = false;
  }
}

}  // namespace kiosim
