#include "gui/playback_clock.h"

#include <algorithm>
#include <cmath>

namespace kiosim::gui {

const std::vector<SpeedPreset>& speedPresets() {
  static const std::vector<SpeedPreset> presets = {
      {"1 event/s", 1, 0},         {"2 events/s", 2, 0},        {"5 events/s", 5, 0},
      {"10 events/s", 10, 0},      {"50 events/s", 50, 0},      {"500 events/s", 500, 0},
      {"1 µs per second", 0, 1e3}, {"10 µs per second", 0, 1e4}, {"100 µs per second", 0, 1e5},
      {"1 ms per second", 0, 1e6}, {"10 ms per second", 0, 1e7}, {"100 ms per second", 0, 1e8},
      {"real time", 0, 1e9}};
  return presets;
}

PlaybackClock::PlaybackClock(QObject* parent) : QObject(parent) {
  timer_.setInterval(33);  // ~30 frames per second is enough for tokens on edges
  connect(&timer_, &QTimer::timeout, this, &PlaybackClock::tick);
}

void PlaybackClock::setRuns(TracePtr trace, std::vector<int> runs) {
  pause();
  trace_ = std::move(trace);
  runs_ = std::move(runs);
  merged_.clear();
  mergedPos_.assign(runs_.size(), {});
  endNs_ = 0;
  std::size_t n = 0;
  for (int r : runs_) n += trace_->runs[static_cast<std::size_t>(r)].events.size();
  merged_.reserve(n);
  for (std::size_t s = 0; s < runs_.size(); ++s) {
    const RunTrace& run = trace_->runs[static_cast<std::size_t>(runs_[s])];
    endNs_ = std::max(endNs_, run.endNs);
    for (std::size_t i = 0; i < run.events.size(); ++i)
      merged_.push_back({run.events[i].t, static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(i)});
  }
  // Ties keep run order, then event order: a stable, repeatable merge.
  std::stable_sort(merged_.begin(), merged_.end(), [](const Ref& a, const Ref& b) { return a.t < b.t; });
  for (std::size_t s = 0; s < runs_.size(); ++s)
    mergedPos_[s].resize(trace_->runs[static_cast<std::size_t>(runs_[s])].events.size());
  for (std::size_t k = 0; k < merged_.size(); ++k) mergedPos_[merged_[k].slot][merged_[k].index] = static_cast<std::uint32_t>(k);
  pos_ = 0;
  now_ = 0;
  emit changed();
}

std::size_t PlaybackClock::applied(int slot) const {
  if (slot < 0 || slot >= static_cast<int>(mergedPos_.size())) return 0;
  const auto& v = mergedPos_[static_cast<std::size_t>(slot)];
  return static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), static_cast<std::uint32_t>(pos_)) - v.begin());
}

std::pair<int, std::size_t> PlaybackClock::lastEvent() const {
  if (pos_ == 0) return {-1, 0};
  const Ref& r = merged_[pos_ - 1];
  return {static_cast<int>(r.slot), r.index};
}

double PlaybackClock::linger() const {
  const SpeedPreset& p = speedPresets()[static_cast<std::size_t>(speed_)];
  return p.nsPerSecond > 0 ? p.nsPerSecond * 0.4 : 0;
}

void PlaybackClock::play() {
  if (pos_ >= merged_.size() && now_ >= static_cast<double>(endNs_)) toStart();
  if (timer_.isActive()) return;
  eventsDue_ = 0;
  wall_.start();
  timer_.start();
  emit playingChanged(true);
}

void PlaybackClock::pause() {
  if (!timer_.isActive()) return;
  timer_.stop();
  emit playingChanged(false);
}

void PlaybackClock::togglePlay() { playing() ? pause() : play(); }

void PlaybackClock::stepForward() { seekEvent(pos_ + 1); }

void PlaybackClock::stepBack() { seekEvent(pos_ == 0 ? 0 : pos_ - 1); }

void PlaybackClock::toStart() { seekEvent(0); }

void PlaybackClock::toEnd() {
  pos_ = merged_.size();
  now_ = static_cast<double>(endNs_);
  emit changed();
}

void PlaybackClock::seekEvent(std::size_t position) {
  pos_ = std::min(position, merged_.size());
  now_ = pos_ == 0 ? 0.0 : static_cast<double>(merged_[pos_ - 1].t);
  emit changed();
}

void PlaybackClock::seekTime(double ns) {
  now_ = std::clamp(ns, 0.0, static_cast<double>(endNs_));
  auto it = std::upper_bound(merged_.begin(), merged_.end(), now_,
                             [](double t, const Ref& r) { return t < static_cast<double>(r.t); });
  pos_ = static_cast<std::size_t>(it - merged_.begin());
  emit changed();
}

void PlaybackClock::setSpeedIndex(int index) {
  speed_ = std::clamp(index, 0, static_cast<int>(speedPresets().size()) - 1);
  eventsDue_ = 0;
}

std::size_t PlaybackClock::positionAfter(int slot, std::size_t index) const {
  if (slot < 0 || slot >= static_cast<int>(mergedPos_.size())) return 0;
  const auto& v = mergedPos_[static_cast<std::size_t>(slot)];
  return index < v.size() ? v[index] + 1 : merged_.size();
}

std::size_t PlaybackClock::nextWhere(const std::function<bool(const Event&)>& test) const {
  for (std::size_t k = pos_; k < merged_.size(); ++k) {
    const Ref& r = merged_[k];
    const RunTrace& run = trace_->runs[static_cast<std::size_t>(runs_[r.slot])];
    if (test(run.events[r.index])) return k + 1;
  }
  return merged_.size();
}

void PlaybackClock::advance(double seconds) {
  if (slow_) seconds *= 0.1;
  const SpeedPreset& p = speedPresets()[static_cast<std::size_t>(speed_)];
  if (p.eventsPerSecond > 0) {
    eventsDue_ += p.eventsPerSecond * seconds;
    const double whole = std::floor(eventsDue_);
    eventsDue_ -= whole;
    if (whole >= 1) seekEvent(pos_ + static_cast<std::size_t>(whole));
    if (pos_ >= merged_.size()) toEnd();  // let the last transfers finish on screen
  } else {
    seekTime(now_ + p.nsPerSecond * seconds);
  }
  if (pos_ >= merged_.size() && now_ >= static_cast<double>(endNs_)) pause();
}

void PlaybackClock::tick() {
  const double seconds = static_cast<double>(wall_.restart()) / 1000.0;
  advance(seconds);
}

}  // namespace kiosim::gui
