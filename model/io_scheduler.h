// The I/O scheduler between the plug and the hardware queues (block/elevator.c's
// elevator_mq_ops, block/blk-mq-sched.c). Two are here: `none`, which dispatches in
// submission order and never merges (with no elevator a request holds a driver tag
// from its allocation, so none waits where a bio could meet it), and mq-deadline
// (block/mq-deadline.c), in mq_deadline.h. Pure: the caller gives the time.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>

#include "model/blk_merge.h"

namespace kiosim {

enum class IoSchedulerKind : std::uint8_t { none, mq_deadline };
std::optional<IoSchedulerKind> parse_io_scheduler(std::string_view s);
std::string_view to_string(IoSchedulerKind k);

class IoScheduler {
 public:
  virtual ~IoScheduler() = default;
  // blk_mq_sched_bio_merge: `bio` into a queued request. Returns the merges made:
  // 0 (not merged), 1 (the bio), 2 (the bio, then its request with a neighbour).
  virtual unsigned bio_merge(const BlkRange& bio, std::uint64_t id) = 0;
  // blk_mq_insert_request(s): a request from a plug or a direct submission. `at_head`:
  // before everything queued (a flush's data, blk-flush.c). Returns the merges made
  // (the insert merge of elv_attempt_insert_merge).
  virtual unsigned insert(BlkRequest rq, double now_ns, bool at_head) = 0;
  // ->dispatch_request: the next request for the driver, or none.
  virtual std::optional<BlkRequest> dispatch(double now_ns) = 0;
  virtual bool empty() const = 0;
};

// `none`: a FIFO (the hctx dispatch list).
class NoneScheduler final : public IoScheduler {
 public:
  unsigned bio_merge(const BlkRange&, std::uint64_t) override { return 0; }
  unsigned insert(BlkRequest rq, double, bool at_head) override;
  std::optional<BlkRequest> dispatch(double) override;
  bool empty() const override { return queue_.empty(); }

 private:
  std::deque<BlkRequest> queue_;
};

// mq-deadline's tunables, with the defaults of block/mq-deadline.c.
struct MqDeadlineParams {
  double read_expire_ns = 500e6;  // read_expire = HZ / 2
  double write_expire_ns = 5e9;   // write_expire = 5 * HZ
  unsigned fifo_batch = 16;       // requests in one batch of one direction
  unsigned writes_starved = 2;    // read batches while writes wait, before a write batch
  bool front_merges = true;
};

// `max_bytes`: the queue's max_sectors_kb (0: no limit) for merges in the scheduler.
std::unique_ptr<IoScheduler> make_io_scheduler(IoSchedulerKind kind, std::uint64_t max_bytes,
                                               MqDeadlineParams p = {});

}  // namespace kiosim
