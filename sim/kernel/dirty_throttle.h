// Dirty throttling's arithmetic (mm/page-writeback.c, Linux 6.x, IO-less
// balance_dirty_pages): in pages, pages per second and jiffies of HZ = 1000, with
// the kernel's fixed point (RATELIMIT_CALC_SHIFT), so a pause can be worked out by
// hand. Nothing here waits: sim/kernel/writeback.cpp sleeps for what this says.
//  - free run up to dirty_freerun_ceiling = (thresh + bg_thresh) / 2: no pause, the
//    next check after dirty_poll_interval pages (about sqrt(thresh - dirty));
//  - above it the task's rate is task_ratelimit = dirty_ratelimit x pos_ratio, where
//    pos_ratio (wb_position_ratio) is 2 at the freerun ceiling, 1 at the setpoint
//    (halfway to the limit) and 0 at the limit (pos_ratio_polynom, a cubic), scaled
//    by the device's control line around the setpoint (span 8 x write bandwidth);
//  - the pause is pages_dirtied / task_ratelimit (less the time since the last one),
//    at most wb_max_pause (<= MAX_PAUSE, 200 ms), skipped below wb_min_pause;
//  - write bandwidth (wb_update_write_bandwidth) and dirty_ratelimit are estimated
//    every BANDWIDTH_INTERVAL (200 ms), starting from INIT_BW (100 MiB/s).
// Simplified: one device and no cgroups, so the device's share of the limit is the
// whole limit (wb_thresh = thresh); the limit does not follow thresh down slowly
// (hard_dirty_limit = thresh); dirty_ratelimit jumps to the balanced rate
// (task_ratelimit x write_bw / dirty_rate) instead of stepping toward it.
#pragma once
#include <cstdint>

namespace kiosim::dirty {

constexpr std::int64_t kHz = 1000;                    // jiffies per second (CONFIG_HZ_1000)
constexpr std::int64_t kMaxPause = kHz / 5;           // MAX_PAUSE: 200 ms
constexpr std::int64_t kBandwidthInterval = kHz / 5;  // BANDWIDTH_INTERVAL: 200 ms
constexpr std::uint64_t kPollThresh = 32;             // DIRTY_POLL_THRESH: 128 KiB of pages
constexpr std::uint64_t kInitBw = 25600;              // INIT_BW: 100 MiB/s in 4 KiB pages
constexpr std::uint64_t kInitPause = 32;              // a new task's nr_dirtied_pause (128 KiB)
constexpr int kShift = 10;                            // RATELIMIT_CALC_SHIFT: 1.0 is 1024

// dirty_freerun_ceiling: up to here writers run free.
inline std::uint64_t freerun_ceiling(std::uint64_t thresh, std::uint64_t bg_thresh) {
  return (thresh + bg_thresh) / 2;
}
// dirty_poll_interval: pages to dirty before the next check while running free.
std::uint64_t poll_interval(std::uint64_t dirty, std::uint64_t thresh);
// pos_ratio_polynom: 1 + ((setpoint - dirty) / (limit - setpoint))^3, clamped to [0, 2].
std::int64_t pos_ratio_polynom(std::uint64_t setpoint, std::uint64_t dirty, std::uint64_t limit);
// wb_position_ratio for one device (wb_dirty = dirty, wb_thresh = thresh).
std::uint64_t position_ratio(std::uint64_t dirty, std::uint64_t thresh, std::uint64_t bg_thresh,
                             std::uint64_t write_bw);
// wb_max_pause: never sleep longer than 1/8 of the time the dirty pages take to drain.
std::int64_t max_pause(std::uint64_t write_bw, std::uint64_t dirty);
// wb_min_pause: the shortest pause worth sleeping, and the pages to dirty before the
// next check (nr_dirtied_pause).
std::int64_t min_pause(std::uint64_t write_bw, std::uint64_t dirty_ratelimit, std::uint64_t task_ratelimit,
                       std::int64_t max_pause, std::uint64_t& nr_dirtied_pause);

// What balance_dirty_pages decides at one check.
struct Decision {
  bool free_run = false;
  std::uint64_t pos_ratio = 0;         // of 1024
  std::uint64_t task_ratelimit = 0;    // pages/s
  std::int64_t period = 0;             // jiffies: pages_dirtied / task_ratelimit
  std::int64_t pause = 0;              // jiffies to sleep now (0: none)
  std::int64_t max_pause = 0, min_pause = 0;
  std::uint64_t nr_dirtied_pause = 0;  // pages before the next check
  std::int64_t paused_when = 0;        // the task's new dirty_paused_when (jiffies)
  bool again = false;                  // task_ratelimit 0 (at the limit): check again after the pause
  bool keep_count = false;             // no pause, no period: keep counting the task's pages
};

struct Inputs {
  std::uint64_t dirty = 0;  // NR_FILE_DIRTY + NR_WRITEBACK
  std::uint64_t thresh = 0, bg_thresh = 0;
  std::uint64_t write_bw = kInitBw;         // avg_write_bandwidth, pages/s
  std::uint64_t dirty_ratelimit = kInitBw;  // the base rate, pages/s
  std::uint64_t pages_dirtied = 0;          // by this task since its last pause
  std::int64_t now = 0;                     // jiffies
  std::int64_t paused_when = 0;             // the task's dirty_paused_when, 0: never paused
};
Decision balance(const Inputs& in);

// The device's write bandwidth estimate and base rate (wb_update_write_bandwidth,
// wb_update_dirty_ratelimit), updated at most every BANDWIDTH_INTERVAL.
class Bandwidth {
 public:
  std::uint64_t write_bw() const { return avg_; }
  std::uint64_t dirty_ratelimit() const { return ratelimit_; }
  // Writeback starts after an idle second: forget the old stamps (wb_bandwidth_estimate_start).
  void start(std::int64_t now, std::uint64_t dirtied, std::uint64_t written);
  // `dirtied` and `written` count pages since the start; `dirty` etc. give the position
  // for the rate (update_ratelimit false: from writeback's side, bandwidth only).
  void update(std::int64_t now, std::uint64_t dirtied, std::uint64_t written, bool update_ratelimit,
              std::uint64_t pos_ratio);
  bool due(std::int64_t now) const { return now - stamp_ >= kBandwidthInterval; }

 private:
  std::uint64_t bw_ = kInitBw, avg_ = kInitBw, ratelimit_ = kInitBw;
  std::uint64_t dirtied_stamp_ = 0, written_stamp_ = 0;
  std::int64_t stamp_ = 0;
};

}  // namespace kiosim::dirty
