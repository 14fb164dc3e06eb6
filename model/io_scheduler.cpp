#include "model/io_scheduler.h"

#include "model/mq_deadline.h"

namespace kiosim {

std::optional<IoSchedulerKind> parse_io_scheduler(std::string_view s) {
  if (s == "none") return IoSchedulerKind::none;
  if (s == "mq-deadline") return IoSchedulerKind::mq_deadline;
  return std::nullopt;
}

std::string_view to_string(IoSchedulerKind k) { return k == IoSchedulerKind::none ? "none" : "mq-deadline"; }

unsigned NoneScheduler::insert(BlkRequest rq, double, bool at_head) {
  if (at_head) queue_.push_front(std::move(rq));
  else queue_.push_back(std::move(rq));
  return 0;
}

std::optional<BlkRequest> NoneScheduler::dispatch(double) {
  if (queue_.empty()) return std::nullopt;
  BlkRequest rq = std::move(queue_.front());
  queue_.pop_front();
  return rq;
}

std::unique_ptr<IoScheduler> make_io_scheduler(IoSchedulerKind kind, std::uint64_t max_bytes, MqDeadlineParams p) {
  if (kind == IoSchedulerKind::mq_deadline) return std::make_unique<MqDeadline>(max_bytes, p);
  return std::make_unique<NoneScheduler>();
}

}  // namespace kiosim
