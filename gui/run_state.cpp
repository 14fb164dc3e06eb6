#include "gui/run_state.h"

#include <algorithm>
#include <array>

namespace kiosim::gui {

namespace {
constexpr std::array<const char*, static_cast<int>(Live::count_)> kLiveNames = {
    "syscalls", "mode_switches", "context_switches", "cpu_copies", "cpu_copy_bytes", "dma_copies", "dma_bytes",
    "page_faults_minor", "page_faults_major", "cow_faults", "tlb_misses", "tlb_invalidations", "tlb_flushes",
    "tlb_shootdowns", "readahead_pages", "activations", "deactivations", "evictions", "writeback_pages", "skbs",
    "linearize_bytes", "interrupts", "journal_commits", "device_flushes"};

// Page-level events may cover several pages; a big trace can name absurd indexes,
// so growth is capped (the view aggregates cells anyway).
constexpr std::int64_t kMaxPagesPerFile = std::int64_t{1} << 24;
}  // namespace

QString liveName(Live c) { return QString::fromLatin1(kLiveNames[static_cast<int>(c)]); }

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

void RunState::apply(const Event& e, const RunTrace& run) {
  ++applied_;
  auto add = [this](Live c, double v = 1) { live_[static_cast<int>(c)] += v; };
  const double pagesOrOne = static_cast<double>(std::max<std::uint64_t>(e.pages, 1));
  switch (e.kind) {
    case Kind::syscall_enter:
      add(Live::syscalls);
      add(Live::mode_switches);
      if (e.lane >= inSyscall_.size()) inSyscall_.resize(e.lane + 1, 0);
      inSyscall_[e.lane] = 1;
      break;
    case Kind::syscall_exit:
      add(Live::mode_switches);
      if (e.lane < inSyscall_.size()) inSyscall_[e.lane] = 0;
      break;
    case Kind::block: add(Live::context_switches); break;
    case Kind::cpu_copy:
      add(Live::cpu_copies);
      add(Live::cpu_copy_bytes, static_cast<double>(e.bytes));
      if (e.to == Place::page_cache) forPages(e, [&](std::int64_t p) { setFlags(e.file, p, flags(e.file, p) | kPresent | kDirty); });
      break;
    case Kind::dma_copy: add(Live::dma_copies); add(Live::dma_bytes, static_cast<double>(e.bytes));
      if (e.to == Place::wire && !skbs_.empty()) skbs_.pop_front();  // the NIC took it
      break;
    case Kind::page_ref_move:
      if (e.from == Place::page_cache && e.page >= 0)
        pinned_.push_back({e.file, e.page, static_cast<std::int64_t>(std::max<std::uint64_t>(e.pages, 1))});
      if (e.to == Place::pipe) pipePages_ += static_cast<std::uint64_t>(pagesOrOne);
      if (e.from == Place::pipe) pipePages_ -= std::min<std::uint64_t>(pipePages_, static_cast<std::uint64_t>(pagesOrOne));
      break;
    case Kind::page_fault_minor: add(Live::page_faults_minor); if (e.userMode) add(Live::mode_switches, 2); break;
    case Kind::page_fault_major: add(Live::page_faults_major); if (e.userMode) add(Live::mode_switches, 2); break;
    case Kind::cow_fault: add(Live::cow_faults); if (e.userMode) add(Live::mode_switches, 2); break;
    case Kind::tlb_miss: add(Live::tlb_misses); break;
    case Kind::tlb_invalidate: add(Live::tlb_invalidations); break;
    case Kind::tlb_flush: add(Live::tlb_flushes); break;
    case Kind::tlb_shootdown: add(Live::tlb_shootdowns); break;
    case Kind::skb_build: add(Live::skbs); skbs_.push_back({e.bytes, e.pages}); break;
    case Kind::linearize: add(Live::linearize_bytes, static_cast<double>(e.bytes)); break;
    case Kind::interrupt:
      add(Live::interrupts);
      if (!pinned_.empty() && run.nameOf(e).contains(QLatin1String("nic"))) pinned_.pop_front();
      break;
    case Kind::readahead: add(Live::readahead_pages, pagesOrOne); break;
    case Kind::writeback:
      add(Live::writeback_pages, pagesOrOne);
      forPages(e, [&](std::int64_t p) { setFlags(e.file, p, flags(e.file, p) & ~kDirty); });
      break;
    case Kind::cache_insert: forPages(e, [&](std::int64_t p) { setFlags(e.file, p, (flags(e.file, p) & kDirty) | kPresent); }); break;
    case Kind::activate:
      add(Live::activations, pagesOrOne);
      forPages(e, [&](std::int64_t p) { setFlags(e.file, p, flags(e.file, p) | kPresent | kActive); });
      break;
    case Kind::deactivate:
      add(Live::deactivations, pagesOrOne);
      forPages(e, [&](std::int64_t p) { setFlags(e.file, p, (flags(e.file, p) & ~kActive) | kPresent); });
      break;
    case Kind::evict: add(Live::evictions, pagesOrOne); forPages(e, [&](std::int64_t p) { setFlags(e.file, p, 0); }); break;
    case Kind::journal_commit: add(Live::journal_commits); break;
    case Kind::device_flush: add(Live::device_flushes); break;
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
