// eventfd (fs/eventfd.c) on the receive side's epoll: the completion channel of a
// thread pool (sim/kernel/threadpool.h). A counter: eventfd_write adds to it and wakes
// the epoll instances watching it (wake_up_locked_poll -> ep_poll_callback), a read
// returns it and resets it to 0 (eventfd_read without EFD_SEMAPHORE), and it is
// readable (EPOLLIN) while it is above 0 (eventfd_poll).
// Simplified: no EFD_SEMAPHORE, no overflow at ULLONG_MAX - 1, no blocking read (the
// loop only reads it when epoll says it is ready).
#include "sim/kernel/sock_rx.h"

namespace kiosim {

namespace eb = epoll_bits;

int SockRx::eventfd_create(Thread& t, EpollObj& e) {
  {
    Syscall sc(acct_, t, "eventfd2");
    eventfds_.emplace_back();
  }
  const int efd = -int(eventfds_.size());
  Syscall sc(acct_, t, "epoll_ctl");  // ep_insert polls it once
  acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.poll_fd_ns);
  acct_.count(t, &Counters::fd_polls, 1);
  if (e.ep.add(efd, eb::in, poll_fd(efd)) == EpollError::none) eventfd(efd).wq.add(e.id, false);
  return efd;
}

void SockRx::eventfd_write(Thread& t, int efd) {
  Syscall sc(acct_, t, "write");
  ++eventfd(efd).count;
  eventfd(efd).wq.wake_up([this, efd](int ep, bool) {
    EpollObj& e = *epolls_[std::size_t(ep)];
    if (e.ep.callback(efd, eb::in)) wake_one(e);
    return true;
  });
}

std::uint64_t SockRx::eventfd_read(Thread& t, int efd) {
  Syscall sc(acct_, t, "read");
  const std::uint64_t n = eventfd(efd).count;
  eventfd(efd).count = 0;
  return n;
}

}  // namespace kiosim
