#include "gui/frame.h"

#include <algorithm>

namespace kiosim::gui {

namespace {

// Enough to cover any visible moment of a 1 GiB trace; beyond this the eye cannot tell.
constexpr int kMaxScan = 50000;

TokenKind tokenKind(Kind k) {
  return k == Kind::cpu_copy ? TokenKind::cpu_copy : k == Kind::dma_copy ? TokenKind::dma : TokenKind::page_ref;
}

// Events of `list` (indexes into run.events, time order) that have happened and
// began within `window` before `now`; calls fn(event) for each, newest first.
template <typename Fn>
void forVisible(const RunTrace& run, const std::vector<std::uint32_t>& list, std::size_t applied, double now,
                double window, Fn&& fn) {
  auto end = std::lower_bound(list.begin(), list.end(), static_cast<std::uint32_t>(applied));
  int scanned = 0;
  for (auto it = end; it != list.begin() && scanned < kMaxScan; ++scanned) {
    --it;
    const Event& e = run.events[*it];
    if (static_cast<double>(e.t) < now - window) break;
    fn(e);
  }
}

}  // namespace

int Frame::tokenCount(TokenKind k) const {
  int n = 0;
  for (const auto& t : tokens)
    if (t.kind == k) n += t.count;
  return n;
}

const Token* Frame::token(Place from, Place to) const {
  for (const auto& t : tokens)
    if (t.from == from && t.to == to) return &t;
  return nullptr;
}

int Frame::markCount(Kind k) const {
  for (const auto& m : marks)
    if (m.kind == k) return m.count;
  return 0;
}

Frame computeFrame(const RunTrace& run, const RunIndex& index, const RunState& state, double now, double linger,
                   long long last) {
  Frame f;
  const std::size_t applied = state.applied();
  const double moveWindow = std::max(static_cast<double>(index.maxMoveDur()), linger);
  auto visible = [&](const Event& e) {
    return e.dur > 0 ? now < static_cast<double>(e.end()) : now - static_cast<double>(e.t) <= linger;
  };
  std::vector<std::uint32_t> faultLanes;  // user lanes inside a fault taken in user mode
  forVisible(run, index.moves(), applied, now, moveWindow, [&](const Event& e) {
    if (!visible(e)) return;
    const TokenKind k = tokenKind(e.kind);
    auto it = std::find_if(f.tokens.begin(), f.tokens.end(),
                           [&](const Token& t) { return t.from == e.from && t.to == e.to && t.kind == k; });
    if (it == f.tokens.end()) it = f.tokens.insert(f.tokens.end(), Token{e.from, e.to, k, {}, 0, 0});
    ++it->count;
    it->bytes += e.bytes;
    const double frac = e.dur > 0 ? std::clamp((now - static_cast<double>(e.t)) / static_cast<double>(e.dur), 0.08, 0.92) : 0.5;
    if (it->fractions.size() < 3) it->fractions.push_back(frac);
    if (e.kind == Kind::dma_copy && e.to == Place::wire) ++f.nicBusy;
    if (e.kind == Kind::dma_copy && (e.from == Place::disk || e.to == Place::disk)) f.diskBusy = true;
  });
  const double markWindow = std::max(static_cast<double>(index.maxMarkDur()), linger);
  forVisible(run, index.marks(), applied, now, markWindow, [&](const Event& e) {
    if (!visible(e)) return;
    if (e.userMode && e.dur > 0) faultLanes.push_back(e.lane);
    auto it = std::find_if(f.marks.begin(), f.marks.end(), [&](const Mark& m) { return m.kind == e.kind; });
    if (it == f.marks.end()) it = f.marks.insert(f.marks.end(), Mark{e.kind, 0});
    ++it->count;
  });
  for (std::uint32_t l = 0; l < run.lanes.size(); ++l) {
    if (run.lanes[l].kind != LaneKind::user) continue;
    // The state says whether a syscall is open; a fault taken in user mode also enters the kernel.
    const bool kernel = state.inSyscall(l) || std::find(faultLanes.begin(), faultLanes.end(), l) != faultLanes.end();
    f.threads.push_back({run.lanes[l].name, kernel});
  }
  if (last >= 0 && static_cast<std::size_t>(last) < run.events.size())
    f.lastEvent = describeEvent(run, run.events[static_cast<std::size_t>(last)]);
  return f;
}

QString formatNs(double ns) {
  if (ns < 1e3) return QStringLiteral("%1 ns").arg(ns, 0, 'f', 0);
  if (ns < 1e6) return QStringLiteral("%1 µs").arg(ns / 1e3, 0, 'f', 2);
  if (ns < 1e9) return QStringLiteral("%1 ms").arg(ns / 1e6, 0, 'f', 3);
  return QStringLiteral("%1 s").arg(ns / 1e9, 0, 'f', 3);
}

QString formatBytes(double bytes) {
  if (bytes < 1024) return QStringLiteral("%1 B").arg(bytes, 0, 'f', 0);
  if (bytes < 1024.0 * 1024) return QStringLiteral("%1 KiB").arg(bytes / 1024, 0, 'g', 4);
  if (bytes < 1024.0 * 1024 * 1024) return QStringLiteral("%1 MiB").arg(bytes / 1024 / 1024, 0, 'g', 4);
  return QStringLiteral("%1 GiB").arg(bytes / 1024 / 1024 / 1024, 0, 'g', 4);
}

QString describeEvent(const RunTrace& run, const Event& e) {
  QString s = QStringLiteral("%1  %2  %3").arg(formatNs(static_cast<double>(e.t)), run.lanes[e.lane].name, kindName(e.kind));
  const QString& name = run.nameOf(e);
  if (!name.isEmpty()) s += QStringLiteral(" `%1`").arg(name);
  if (e.from != Place::none || e.to != Place::none)
    s += QStringLiteral(" %1 → %2").arg(placeName(e.from), placeName(e.to));
  if (e.bytes) s += QStringLiteral(", %1").arg(formatBytes(static_cast<double>(e.bytes)));
  if (e.pages) s += QStringLiteral(", %1 page%2").arg(e.pages).arg(e.pages == 1 ? "" : "s");
  if (e.page >= 0) s += QStringLiteral(" (file %1, page %2)").arg(e.file).arg(e.page);
  if (e.dur) s += QStringLiteral(", lasts %1").arg(formatNs(static_cast<double>(e.dur)));
  if (e.userMode) s += QStringLiteral(", taken in user mode");
  if (e.req) s += QStringLiteral(" [req %1]").arg(e.req);
  return s;
}

}  // namespace kiosim::gui
