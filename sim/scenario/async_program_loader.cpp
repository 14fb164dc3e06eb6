// The program ops of many connections, the thread pool and io_uring, read and
// checked: accept against `clients:`, epoll_create's limit, epoll_ctl, recv, the
// ready loops of epoll_wait, select (FD_SETSIZE) and poll, queue_work's pool
// (libuv's uv_queue_work) and the io_uring ops (sim/scenario/uring_loader.h).
#include <fmt/format.h>

#include "sim/scenario/load_steps.h"
#include "sim/scenario/program_loader.h"

namespace kiosim::program_load {

// The ops of many connections, the thread pool and io_uring: the names they bind
// and use, and their limits.
void ProgramLoader::async_names(const YAML::Node& a, const std::string& p, Op& o, bool setup) {
  auto ref = [&](const char* k, std::vector<NameKind> kinds) { return ref_name(a, p, k, std::move(kinds)); };
  switch (o.kind) {
    case OpKind::queue_work:
      o.ep = ref("ep", {NameKind::epoll});
      queue_work(a, p, o, setup);
      break;
    case OpKind::accept: accept(a, p, o); break;
    case OpKind::epoll_create:
      o.as = l_.name(a["as"], p + ".as");
      bind(o.as, NameKind::epoll);
      totals_.epolls += weight_ * threads_;
      if (totals_.epolls > double(kMaxEpolls))
        l_.fail(a, p,
                fmt::format("with the repeats and threads around it, the programs would make {:.0f} epoll "
                            "instances; the limit is {}",
                            totals_.epolls, kMaxEpolls));
      break;
    case OpKind::epoll_ctl:
      o.ep = ref("ep", {NameKind::epoll});
      o.fd = ref("fd", {NameKind::conns});
      read_epoll_ctl(l_, a, p, o);
      break;
    case OpKind::recv:
      o.fd = ref("fd", {NameKind::conns});
      check_recv(l_, a, p, o, conns_[o.fd]);
      break;
    case OpKind::epoll_wait:
      o.ep = ref("ep", {NameKind::epoll});
      if (a["maxevents"]) o.maxevents = std::uint32_t(l_.count(a["maxevents"], p + ".maxevents", 1, 65536));
      ready_loop(a, p, o, setup);
      break;
    case OpKind::select:
    case OpKind::poll:
      o.fd = ref("fd", {NameKind::conns});
      // fs/select.c: an fd_set holds FD_SETSIZE (1024) descriptors; glibc's FD_SET past it is undefined.
      if (o.kind == OpKind::select && conns_[o.fd] > 1024)
        l_.fail(a["fd"], p + ".fd",
                fmt::format("`{}` holds {} connections; select's fd_set holds at most 1024 (FD_SETSIZE): use poll "
                            "or epoll_wait",
                            o.fd, conns_[o.fd]));
      ready_loop(a, p, o, setup);
      break;
    case OpKind::uring_setup: load_uring_setup(l_, a, p, o, uring_); break;
    case OpKind::uring_register: load_uring_register(l_, a, p, o, uring_); break;
    case OpKind::uring:
      check_uring_ring(l_, a, p, uring_);
      in_uring_ = true;
      o.body = ops(a["do"], p + ".do", setup);
      in_uring_ = false;
      check_uring_submission(l_, a, p, o, uring_);
      break;
    default: break;
  }
}

// queue_work: `do` runs on a pool worker with the names bound so far; what it binds
// stays its own. One pool per process, made by the first queue_work.
void ProgramLoader::queue_work(const YAML::Node& a, const std::string& p, Op& o, bool setup) {
  if (threads_ > 1)
    l_.fail(a, p,
            fmt::format("queue_work needs a process of one thread: libuv's event loop is one thread, and this "
                        "process has {} (threads)",
                        threads_));
  if (a["workers"]) o.workers = std::uint32_t(l_.count(a["workers"], p + ".workers", 1, kMaxPoolWorkers));
  if (pool_workers_ == 0) {
    totals_.pool_threads += o.workers;
    if (totals_.pool_threads > kMaxThreads)
      l_.fail(a, p, fmt::format("the thread pools would make {} workers; at most {} threads in all",
                                totals_.pool_threads, kMaxThreads));
  } else if (o.workers != pool_workers_) {
    l_.fail(a["workers"] ? a["workers"] : a, p + (a["workers"] ? ".workers" : ""),
            fmt::format("this process's pool has {} workers (an earlier queue_work made it); every queue_work of a "
                        "process uses the same pool",
                        pool_workers_));
  }
  pool_workers_ = o.workers;
  nest(a, p);
  auto saved = names_;
  o.body = ops(a["do"], p + ".do", setup);
  names_ = std::move(saved);
  --depth_;
}

// accept: connections of `clients:`, no more than there are.
void ProgramLoader::accept(const YAML::Node& a, const std::string& p, Op& o) {
  if (s_.clients.connections == 0)
    l_.fail(a, p, "accept needs `clients:` (connections: N, requests, request_bytes, interval) to accept from");
  o.count = a["count"] ? l_.count(a["count"], p + ".count", 1, kMaxConnections) : 1;
  totals_.accepted += weight_ * double(o.count) * threads_;
  if (totals_.accepted > double(s_.clients.connections))
    l_.fail(a["count"] ? a["count"] : a, p + (a["count"] ? ".count" : ""),
            fmt::format("with the repeats and threads around it, the programs would accept {:.0f} connections; "
                        "`clients:` has {} (clients.connections)",
                        totals_.accepted, s_.clients.connections));
  o.as = l_.name(a["as"], p + ".as");
  bind(o.as, NameKind::conns);
  conns_[o.as] = o.count;
}

// epoll_wait, select, poll: `do` runs once for each ready connection, bound as `as`;
// for the limits it counts once for every request the clients send.
void ProgramLoader::ready_loop(const YAML::Node& a, const std::string& p, Op& o, bool setup) {
  if (o.until_idle && o.timeout_ns < 0)
    l_.fail(a["until_idle"], p + ".until_idle",
            "until_idle needs a `timeout`: the loop ends at the first call that times out once the clients are done");
  o.as = l_.name(a["as"], p + ".as");
  nest(a, p);
  double saved = weight_;
  weight_ *= double(s_.clients.connections) * double(s_.clients.requests);
  bind(o.as, NameKind::conns);
  conns_[o.as] = 1;
  o.body = ops(a["do"], p + ".do", setup);
  weight_ = saved;
  --depth_;
}

}  // namespace kiosim::program_load
