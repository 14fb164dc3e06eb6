// mq-deadline (block/mq-deadline.c): per direction, requests sorted by position
// (sort_list) and in arrival order with a deadline (fifo_list). Dispatch continues a
// batch of one direction in position order, up to fifo_batch requests; a new batch
// prefers reads, but only writes_starved times in a row while writes wait; a batch
// starts at the oldest request of its direction when that one's deadline has passed
// (or nothing lies after the last position). Bios merge into queued requests at
// their back (elv_rqhash) or front (dd_request_merge), and a request joining the
// queue merges at the back of a queued one (elv_attempt_insert_merge).
// kiosim simplifies: one I/O priority (no per-priority queues, no prio aging), no
// zoned devices, no async_depth limit; the fifo is ordered by deadline (a merged
// request takes the earlier one, as dd_merged_requests moves it).
#pragma once
#include <array>
#include <map>
#include <set>
#include <tuple>

#include "model/io_scheduler.h"

namespace kiosim {

class MqDeadline final : public IoScheduler {
 public:
  MqDeadline(std::uint64_t max_bytes, MqDeadlineParams p) : max_bytes_(max_bytes), p_(p) {}
  unsigned bio_merge(const BlkRange& bio, std::uint64_t id) override;
  unsigned insert(BlkRequest rq, double now_ns, bool at_head) override;
  std::optional<BlkRequest> dispatch(double now_ns) override;
  bool empty() const override { return rqs_.empty() && dispatch_.empty(); }

 private:
  using Pos = std::pair<std::uint64_t, std::uint64_t>;  // (file, byte offset)
  using Seq = std::uint64_t;
  static int dir(const BlkRange& r) { return r.write ? 1 : 0; }
  void index(Seq s);    // into sort, fifo and the end-position hash
  void unindex(Seq s);
  std::optional<Seq> ending_at(const BlkRange& like, std::uint64_t offset) const;    // elv_rqhash_find
  std::optional<Seq> starting_at(const BlkRange& like, std::uint64_t offset) const;  // elv_rb_find
  std::optional<Seq> next_from(int d) const;  // deadline_next_request: first at or after latest_pos
  std::optional<Seq> fifo_head(int d) const;  // deadline_fifo_request
  BlkRequest take(Seq s, int d);              // deadline_move_request + dd_start_request

  std::uint64_t max_bytes_;
  MqDeadlineParams p_;
  std::map<Seq, BlkRequest> rqs_;
  std::array<std::set<std::tuple<std::uint64_t, std::uint64_t, Seq>>, 2> sort_;
  std::array<std::set<std::pair<double, Seq>>, 2> fifo_;
  std::array<std::multimap<Pos, Seq>, 2> ends_;
  std::deque<BlkRequest> dispatch_;  // dd->dispatch: at-head inserts
  std::array<Pos, 2> latest_pos_{};
  int last_dir_ = 1;                 // dd->last_dir = DD_WRITE at init
  unsigned batching_ = 0, starved_ = 0;
  Seq next_seq_ = 0;
};

}  // namespace kiosim
