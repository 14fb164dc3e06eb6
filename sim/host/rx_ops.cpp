// Real mode's many-connection ops (SyscallOps, sim/host/syscall_ops.h): accept4 from the
// clients' listener (sim/host/host_clients.h), epoll_create1, epoll_ctl, epoll_wait,
// select, poll and recv(MSG_DONTWAIT), each call counted under its op's name. The
// simulator's side is sim/kernel/sock_rx.cpp; the loops end as its do (`until_idle`:
// a call that finds nothing once the clients have sent everything).
//
// epoll_wakeups is measured by the thread's voluntary switches inside each epoll_wait
// (getrusage RUSAGE_THREAD, two calls of ours around it, not counted as the program's):
// every sleep in ep_poll is one, ended by a wake-up (ep_poll_callback) or, for a call
// that returns nothing, by the timeout: the switches, less one for a call that timed
// out. A worker woken after another has drained the socket finds nothing (ep_send_events
// polls the item) and sleeps again: a wake-up, as the simulator counts it.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>

#include <fmt/format.h>

#include "sim/host/host_clients.h"
#include "sim/host/syscall_error.h"
#include "sim/host/syscall_ops.h"

namespace kiosim::host {

namespace {

long thread_voluntary_switches() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_nvcsw;
}

int timeout_ms(const Op& op) { return op.timeout_ns < 0 ? -1 : int(std::ceil(op.timeout_ns / 1e6)); }

}  // namespace

bool SyscallOps::clients_done() const { return !clients_ || clients_->done(); }

SyscallOps::Conns SyscallOps::accept(const Op& op) {
  if (!clients_) throw HostError("real mode: accept, but the run has no clients' listener");
  Conns out;
  const std::uint64_t n = op.count ? op.count : 1;
  for (std::uint64_t i = 0; i < n; ++i) {
    count(op);
    int fd;
    while ((fd = ::accept4(clients_->listener(), nullptr, nullptr, SOCK_CLOEXEC)) < 0 && errno == EINTR) {
    }
    if (fd < 0) fail("accept4");
    owned_fds_.push_back(fd);
    out.fds.push_back(fd);
  }
  return out;
}

SyscallOps::Epoll SyscallOps::epoll_create(const Op& op) {
  count(op);
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) fail("epoll_create1");
  owned_fds_.push_back(fd);
  return {fd};
}

// One call per connection; EEXIST, ENOENT or EINVAL fail that call alone, as the
// simulator's do (its events bits are Linux's: EPOLLIN, EPOLLOUT, EPOLLET, EPOLLEXCLUSIVE).
void SyscallOps::epoll_ctl(const Op& op, Epoll& ep, Conns& set) {
  const int how = op.ctl == "del" ? EPOLL_CTL_DEL : op.ctl == "mod" ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  for (int fd : set.fds) {
    count(op);
    epoll_event ev{};
    ev.events = op.events;
    ev.data.fd = fd;
    if (::epoll_ctl(ep.fd, how, fd, &ev) != 0 && errno != EEXIST && errno != ENOENT && errno != EINVAL)
      fail("epoll_ctl");
  }
}

void SyscallOps::epoll_wait(const Op& op, Epoll& ep, const std::function<void(Conns)>& each) {
  std::vector<epoll_event> evs(op.maxevents);
  for (;;) {
    count(op);
    const long sw0 = counted ? thread_voluntary_switches() : 0;
    int n;
    while ((n = ::epoll_wait(ep.fd, evs.data(), int(evs.size()), timeout_ms(op))) < 0 && errno == EINTR) {
    }
    if (n < 0) fail("epoll_wait");
    if (counted) out_.rx.epoll_wakeups += std::uint64_t(std::max(0L, thread_voluntary_switches() - sw0 - (n == 0)));
    for (int i = 0; i < n; ++i) each(Conns{{evs[std::size_t(i)].data.fd}});
    if (!op.until_idle || (n == 0 && clients_done())) return;
  }
}

// select(2) or poll(2) over every connection of `set`, on every call.
void SyscallOps::select(const Op& op, Conns& set, const std::function<void(Conns)>& each) {
  const bool is_poll = op.kind == OpKind::poll;
  int maxfd = -1;
  for (int fd : set.fds) {
    if (!is_poll && fd >= FD_SETSIZE)
      throw HostError(fmt::format("real mode: select over descriptor {}, past FD_SETSIZE ({}); use poll", fd,
                                  FD_SETSIZE));
    maxfd = std::max(maxfd, fd);
  }
  std::vector<pollfd> pfds(set.fds.size());
  for (;;) {
    std::vector<int> ready;
    count(op);
    int n;
    if (is_poll) {
      for (std::size_t i = 0; i < pfds.size(); ++i) pfds[i] = {set.fds[i], POLLIN, 0};
      while ((n = ::poll(pfds.data(), nfds_t(pfds.size()), timeout_ms(op))) < 0 && errno == EINTR) {
      }
      if (n < 0) fail("poll");
      for (const pollfd& p : pfds)
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) ready.push_back(p.fd);
    } else {
      fd_set rd;
      FD_ZERO(&rd);
      for (int fd : set.fds) FD_SET(fd, &rd);
      timeval tv{};
      if (op.timeout_ns >= 0) {
        tv.tv_sec = time_t(op.timeout_ns / 1e9);
        tv.tv_usec = suseconds_t(std::fmod(op.timeout_ns, 1e9) / 1e3);
      }
      while ((n = ::select(maxfd + 1, &rd, nullptr, nullptr, op.timeout_ns < 0 ? nullptr : &tv)) < 0 &&
             errno == EINTR) {
      }
      if (n < 0) fail("select");
      for (int fd : set.fds)
        if (FD_ISSET(fd, &rd)) ready.push_back(fd);
    }
    for (int fd : ready) each(Conns{{fd}});
    if (!op.until_idle || (ready.empty() && clients_done())) return;
  }
}

// recv(2) (recvfrom): what is queued, up to `bytes`; with `nonblock` (MSG_DONTWAIT)
// EAGAIN when nothing is; `until_eagain`: again until EAGAIN.
void SyscallOps::recv(const Op& op, Conns& c) {
  const int fd = c.fds.at(0);
  char* b = buffer(op.buf, op.bytes);
  for (;;) {
    count(op);
    ssize_t r = ::recv(fd, b, op.bytes, op.nonblock ? MSG_DONTWAIT : 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (counted) ++out_.rx.recv_eagain;
      return;
    }
    if (r < 0) fail("recvfrom");
    out_.rx.recv_bytes += std::uint64_t(r);
    out_.conn_bytes[fd] += std::uint64_t(r);
    if (r == 0 || !op.until_eagain) return;
  }
}

}  // namespace kiosim::host
