#include "sim/kernel/dirty_throttle.h"

#include <algorithm>

namespace kiosim::dirty {

namespace {

int ilog2(std::uint64_t v) {
  int r = -1;
  while (v) {
    v >>= 1;
    ++r;
  }
  return std::max(r, 0);
}

constexpr std::uint64_t kPauseRound = 128;   // roundup_pow_of_two(1 + HZ / 8)
constexpr std::uint64_t kHzRound = 1024;     // roundup_pow_of_two(HZ)
constexpr std::int64_t kBwPeriod = 4096;     // roundup_pow_of_two(3 * HZ): 4.1 s of smoothing
constexpr int kBwPeriodShift = 12;

}  // namespace

std::uint64_t poll_interval(std::uint64_t dirty, std::uint64_t thresh) {
  return thresh > dirty ? std::uint64_t(1) << (ilog2(thresh - dirty) >> 1) : 1;
}

std::int64_t pos_ratio_polynom(std::uint64_t setpoint, std::uint64_t dirty, std::uint64_t limit) {
  const std::int64_t one = std::int64_t(1) << kShift;
  const std::int64_t x = (std::int64_t(setpoint) - std::int64_t(dirty)) * one / std::int64_t((limit - setpoint) | 1);
  std::int64_t p = x * x / one;  // x^2 >= 0
  p = p * x;                     // the cube keeps the sign of x
  p = p >= 0 ? p / one : -((-p + one - 1) / one);  // rounds down, as the kernel's >> does
  return std::clamp<std::int64_t>(p + one, 0, 2 * one);
}

std::uint64_t position_ratio(std::uint64_t dirty, std::uint64_t thresh, std::uint64_t bg_thresh,
                             std::uint64_t write_bw) {
  const std::uint64_t limit = thresh;  // hard_dirty_limit
  if (dirty >= limit) return 0;
  const std::uint64_t setpoint = (freerun_ceiling(thresh, bg_thresh) + limit) / 2;
  std::uint64_t pos = std::uint64_t(pos_ratio_polynom(setpoint, dirty, limit));
  // The device's control line: 1 at the setpoint, falling by 1 over 8 x write_bw
  // pages, never below 1/4.
  const std::uint64_t span = 8 * write_bw;
  const std::uint64_t x_intercept = setpoint + span;
  if (dirty < x_intercept - span / 4) pos = pos * (x_intercept - dirty) / ((x_intercept - setpoint) | 1);
  else pos /= 4;
  // (The reserve area below wb_thresh / 2 cannot apply: throttling starts above the
  // freerun ceiling, which is at least thresh / 2.)
  return pos;
}

std::int64_t max_pause(std::uint64_t write_bw, std::uint64_t dirty) {
  const std::int64_t t = std::int64_t(dirty / (1 + write_bw / kPauseRound)) + 1;
  return std::min(t, kMaxPause);
}

std::int64_t min_pause(std::uint64_t write_bw, std::uint64_t dirty_ratelimit, std::uint64_t task_ratelimit,
                       std::int64_t max_pause, std::uint64_t& nr_dirtied_pause) {
  const int hi = ilog2(write_bw), lo = ilog2(dirty_ratelimit);
  std::int64_t t = std::max<std::int64_t>(1, kHz / 100);       // 10 ms for one writer
  if (hi > lo) t += std::int64_t(hi - lo) * (10 * kHz) / 1024;  // + 10 ms per doubling of writers
  t = std::min(t, 1 + max_pause / 2);
  std::uint64_t pages = dirty_ratelimit * std::uint64_t(t) / kHzRound;
  if (pages < kPollThresh) {  // too few pages between checks: pause longer instead
    t = max_pause;
    pages = dirty_ratelimit * std::uint64_t(t) / kHzRound;
    if (pages > kPollThresh) {
      pages = kPollThresh;
      t = std::int64_t(std::uint64_t(kHz) * kPollThresh / std::max<std::uint64_t>(dirty_ratelimit, 1));
    }
  }
  const std::int64_t pause = std::int64_t(std::uint64_t(kHz) * pages / (task_ratelimit + 1));
  if (pause > max_pause) {
    t = max_pause;
    pages = task_ratelimit * std::uint64_t(t) / kHzRound;
  }
  nr_dirtied_pause = pages;
  return pages >= kPollThresh ? 1 + t / 2 : t;
}

Decision balance(const Inputs& in) {
  Decision d;
  d.paused_when = in.paused_when;
  if (in.dirty <= freerun_ceiling(in.thresh, in.bg_thresh)) {
    d.free_run = true;
    d.nr_dirtied_pause = poll_interval(in.dirty, in.thresh);
    d.paused_when = in.now;
    return d;
  }
  d.pos_ratio = position_ratio(in.dirty, in.thresh, in.bg_thresh, in.write_bw);
  d.task_ratelimit = in.dirty_ratelimit * d.pos_ratio >> kShift;
  d.max_pause = max_pause(in.write_bw, in.dirty);
  d.min_pause = min_pause(in.write_bw, in.dirty_ratelimit, d.task_ratelimit, d.max_pause, d.nr_dirtied_pause);
  std::int64_t now = in.now;
  if (d.task_ratelimit == 0) {  // at the limit: sleep the longest pause, then look again
    d.period = d.pause = d.max_pause;
    d.again = true;
  } else {
    d.period = std::int64_t(std::uint64_t(kHz) * in.pages_dirtied / d.task_ratelimit);
    d.pause = d.period;
    if (in.paused_when) d.pause -= now - in.paused_when;  // think time since the last pause counts
    if (d.pause < d.min_pause) {  // too short to sleep: owe it to the next period
      if (d.pause < -kHz) d.paused_when = now;
      else if (d.period) d.paused_when += d.period;
      else d.keep_count = true;
      d.pause = 0;
      return d;
    }
    if (d.pause > d.max_pause) {
      now += std::min(d.pause - d.max_pause, d.max_pause);
      d.pause = d.max_pause;
    }
  }
  d.paused_when = now + d.pause;
  return d;
}

void Bandwidth::start(std::int64_t now, std::uint64_t dirtied, std::uint64_t written) {
  if (now - stamp_ <= kHz) return;  // WB_BANDWIDTH_IDLE_JIF: busy within the last second
  dirtied_stamp_ = dirtied;
  written_stamp_ = written;
  stamp_ = now;
}

void Bandwidth::update(std::int64_t now, std::uint64_t dirtied, std::uint64_t written, bool update_ratelimit,
                       std::uint64_t pos_ratio) {
  const std::int64_t elapsed = std::max<std::int64_t>(now - stamp_, 1);
  if (update_ratelimit) {
    // wb_update_dirty_ratelimit: the rate that makes N writers dirty what the disk
    // writes (write_bw / N); kiosim takes it at once.
    const std::uint64_t dirty_rate = (dirtied - std::min(dirtied, dirtied_stamp_)) * kHz / std::uint64_t(elapsed);
    const std::uint64_t task = (ratelimit_ * pos_ratio >> kShift) + 1;
    const std::uint64_t balanced = std::min(task * avg_ / (dirty_rate | 1), avg_);
    ratelimit_ = std::max<std::uint64_t>(balanced, 1);
  }
  // wb_update_write_bandwidth: the pages written in `elapsed`, averaged over ~4 s,
  // then smoothed once more against spikes.
  const std::uint64_t w = (written - std::min(written, written_stamp_)) * kHz;
  const std::uint64_t old = bw_;
  std::uint64_t bw, avg = avg_;
  if (elapsed > kBwPeriod) {
    bw = avg = w / std::uint64_t(elapsed);
  } else {
    bw = (w + old * std::uint64_t(kBwPeriod - elapsed)) >> kBwPeriodShift;
    if (avg > old && old >= bw) avg -= (avg - old) >> 3;
    if (avg < old && old <= bw) avg += (old - avg) >> 3;
  }
  bw_ = bw;
  avg_ = std::max<std::uint64_t>(avg, 1);
  dirtied_stamp_ = dirtied;
  written_stamp_ = written;
  stamp_ = now;
}

}  // namespace kiosim::dirty
