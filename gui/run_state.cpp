#include "gui/run_state.h"

#include <algorithm>
#include <array>

namespace kiosim::gui {

namespace {

// For each kind, the rules that count its events (with their counter's index), and
// whether any of them looks at names (most do not: no string work per event then).
struct KindRules {
  std::vector<std::pair<const schema::Rule*, std::size_t>> rules;
  bool needsNames = false;
};
const KindRules& rulesOf(Kind k) {
  static const auto byKind = [] {
    std::array<KindRules, static_cast<std::size_t>(Kind::count_) + 1> v;  // + kOtherKind, which has none
    for (const schema::Rule& r : schema::kRules) {
      KindRules& of = v[static_cast<std::size_t>(r.kind)];
      of.rules.emplace_back(&r, *schema::counter_index(r.counter));
      of.needsNames = of.needsNames || !r.lane.empty() || !r.name_is.empty() || !r.name_is_not.empty();
    }
    return v;
  }();
  return byKind[static_cast<std::size_t>(k)];
}

// Page-level events may cover several pages; a big trace can name absurd indexes,
// so growth is capped (the view aggregates cells anyway).
constexpr std::int64_t kMaxPagesPerFile = std::int64_t{1} << 24;
}  // namespace

std::uint8_t RunState::pageFlags(std::uint32_t file, std::int64_t page) const {
  if (file >= pages_.size() || page < 0 || page >= static_cast<std::int64_t>(pages_[file].size())) return 0;
  return pages_[file][static_cast<std::size_t>(page)];
}

bool RunState::pinned(std::uint32_t file, std::int64_t page) const {
  return std::any_of(pinned_.begin(), pinned_.end(), [&](const PinnedRange& r) {
    return r.file == file && page >= r.page && page < r.page + r.pages;
  });
}

std::int64_t RunState::pinnedPages() const {
  std::int64_t n = 0;
  for (const auto& r : pinned_) n += r.pages;
  return n;
}

std::uint8_t& RunState::flags(std::uint32_t file, std::int64_t page) {
  if (file >= pages_.size()) pages_.resize(file + 1);
  auto& v = pages_[file];
  if (page >= static_cast<std::int64_t>(v.size())) v.resize(static_cast<std::size_t>(page) + 1, 0);
  return v[static_cast<std::size_t>(page)];
}

// Keeps the list totals in step with the flags.
void RunState::setFlags(std::uint32_t file, std::int64_t page, std::uint8_t f) {
  std::uint8_t& old = flags(file, page);
  auto count = [this](std::uint8_t x, int sign) {
    if (x & kPresent) ((x & kActive) ? active_ : inactive_) += sign;
    if (x & kDirty) dirty_ += sign;
  };
  count(old, -1);
  old = f;
  count(f, +1);
}

void RunState::forPages(const Event& e, auto&& fn) {
  if (e.page < 0 || e.page >= kMaxPagesPerFile) return;
  const std::int64_t n = std::clamp<std::int64_t>(static_cast<std::int64_t>(e.pages), 1, kMaxPagesPerFile - e.page);
  for (std::int64_t p = e.page; p < e.page + n; ++p) fn(p);
}

// The counters, generically: each rule of the event's kind that matches adds its amount.
void RunState::count(const Event& e, const RunTrace& run) {
  const KindRules& of = rulesOf(e.kind);
  QByteArray lane, name;
  if (of.needsNames) {
    lane = run.lanes[e.lane].name.toUtf8();
    name = run.nameOf(e).toUtf8();
  }
  const schema::EventView v{e.kind, e.pages, e.bytes, e.userMode, std::string_view(lane.constData(), lane.size()),
                            std::string_view(name.constData(), name.size())};
  for (const auto& [rule, counter] : of.rules)
    if (schema::matches(*rule, v)) live_[counter] += static_cast<double>(schema::amount(*rule, v));
}

void RunState::apply(const Event& e, const RunTrace& run) {
  ++applied_;
  if (e.observed) return;  // the kernel's, beside the prediction: not the simulated run's state
  count(e, run);
  const double pagesOrOne = static_cast<double>(std::max<std::uint64_t>(e.pages, 1));
  // Where the pages, skbs and pipe buffers are.
  switch (e.kind) {
    case Kind::syscall_enter:
      if (e.lane >= inSyscall_.size()) inSyscall_.resize(e.lane + 1, 0);
      inSyscall_[e.lane] = 1;
      break;
    case Kind::syscall_exit:
      if (e.lane < inSyscall_.size()) inSyscall_[e.lane] = 0;
      break;
    case Kind::cpu_copy:
      if (e.to == Place::page_cache) forPages(e, [&](std::int64_t p) { setFlags(e.file, p, flags(e.file, p) | kPresent | kDirty); });
      break;
    case Kind::dma_copy:
      if (e.to == Place::wire && !skbs_.empty()) skbs_.pop_front();  // the NIC took it
      break;
    case Kind::page_ref_move:
      if (e.from == Place::page_cache && e.page >= 0)
        pinned_.push_back({e.file, e.page, static_cast<std::int64_t>(std::max<std::uint64_t>(e.pages, 1))});
      if (e.to == Place::pipe) pipePages_ += static_cast<std::uint64_t>(pagesOrOne);
      if (e.from == Place::pipe) pipePages_ -= std::min<std::uint64_t>(pipePages_, static_cast<std::uint64_t>(pagesOrOne));
      break;
    case Kind::skb_build: skbs_.push_back({e.bytes, e.pages}); break;
    case Kind::interrupt:
      if (!pinned_.empty() && run.nameOf(e).contains(QLatin1String("nic"))) pinned_.pop_front();
      break;
    case Kind::writeback: forPages(e, [&](std::int64_t p) { setFlags(e.file, p, flags(e.file, p) & ~kDirty); }); break;
    case Kind::cache_insert: forPages(e, [&](std::int64_t p) { setFlags(e.file, p, (flags(e.file, p) & kDirty) | kPresent); }); break;
    case Kind::activate: forPages(e, [&](std::int64_t p) { setFlags(e.file, p, flags(e.file, p) | kPresent | kActive); }); break;
    case Kind::deactivate:
    case Kind::reclaim_rotate:  // folio_rotate_reclaimable: to the inactive tail
      forPages(e, [&](std::int64_t p) { setFlags(e.file, p, (flags(e.file, p) & ~kActive) | kPresent); });
      break;
    case Kind::evict: forPages(e, [&](std::int64_t p) { setFlags(e.file, p, 0); }); break;
    default: break;
  }
}

RunStateCache::RunStateCache(const RunTrace* run)
    : run_(run), every_(std::max<std::size_t>(1024, run->events.size() / 64 + 1)) {
  snapshots_.push_back(RunState{});
}

const RunState& RunStateCache::at(std::size_t applied) {
  applied = std::min(applied, run_->events.size());
  if (applied < current_.applied()) {
    const std::size_t i = std::min(applied / every_, snapshots_.size() - 1);
    current_ = snapshots_[i];
  }
  while (current_.applied() < applied) {
    current_.apply(run_->events[current_.applied()], *run_);
    if (current_.applied() % every_ == 0 && current_.applied() / every_ == snapshots_.size()) snapshots_.push_back(current_);
  }
  return current_;
}

}  // namespace kiosim::gui
