#include "sim/kernel/sock_rx.h"

#include <algorithm>

namespace kiosim {

namespace eb = epoll_bits;

void SockRx::configure(const ClientsSpec& c, std::uint64_t seed) {
  spec_ = c;
  seed_ = seed;
  conns_.clear();
  conns_.resize(c.connections);
}

// The arrivals in time order (model/client_arrivals.h: the same schedule real mode's
// clients send, sim/host/host_clients.cpp).
void SockRx::clients_actor() {
  ClientArrivals arrivals(std::uint32_t(conns_.size()), spec_.requests, spec_.interval_ns, spec_.start_ns,
                          spec_.arrival, seed_);
  Engine& engine = acct_.engine();
  double when = 0;
  std::uint32_t c = 0;
  while (arrivals.next(when, c)) {
    if (when > engine.now_ns()) engine.sleep_ns(when - engine.now_ns());
    arrive(c, spec_.request_bytes);
  }
  clients_done_ = true;
}

std::uint32_t SockRx::revents(const Conn& k) const { return (k.queued > 0 ? eb::in : 0) | eb::out; }

void SockRx::arrive(std::uint32_t id, std::uint64_t bytes) {
  conns_[id].held += bytes;
  take_window(id);
}

// What the receive window lets in (tcp_data_queue, bounded by sk_rcvbuf); the rest
// stays at the client until a recv opens the window (tcp_cleanup_rbuf).
void SockRx::take_window(std::uint32_t id) {
  Conn& k = conns_[id];
  const std::uint64_t n = std::min(k.held, spec_.rcvbuf - std::min(spec_.rcvbuf, k.queued));
  if (n == 0) return;
  k.queued += n;
  k.held -= n;
  data_ready(id);
}

bool SockRx::wake_one(EpollObj& e) {
  if (e.sleepers.empty()) return false;
  RxSleeper* s = e.sleepers.front();  // ep_autoremove_wake_function: off the queue once woken
  e.sleepers.pop_front();
  s->woken = true;
  acct_.count(*s->t, &Counters::epoll_wakeups, 1);
  s->q.notify_all();
  return true;
}

void SockRx::data_ready(std::uint32_t id) {
  Conn& k = conns_[id];
  if (k.recv_wq) k.recv_wq->notify_all();
  for (std::uint64_t pid : k.pollers)
    for (auto& [sid, s] : poll_sleepers_)
      if (sid == pid && !s->woken) {
        s->woken = true;
        s->q.notify_all();
      }
  k.pollers.clear();
  // __wake_up_common over the epoll entries: all of them, or up to the first
  // EPOLLEXCLUSIVE one that woke a sleeper (ep_poll_callback's ewake).
  const std::uint32_t rev = revents(k);
  k.wq.wake_up([this, id, rev](int ep, bool exclusive) {
    EpollObj& e = *epolls_[std::size_t(ep)];
    const bool woke = e.ep.callback(int(id), rev) && wake_one(e);
    return exclusive ? woke : true;
  });
}

void SockRx::account_unread() {
  for (const Conn& k : conns_) {
    const std::uint64_t unread = k.queued + k.held;
    Process* p = k.owner ? k.owner : first_owner_;
    if (unread == 0 || !p) continue;
    p->counters.rcv_unread_bytes += unread;
    p->counters.stalled_connections += 1;
  }
}

ConnSet SockRx::accept(Thread& t, std::uint32_t count) {
  ConnSet out;
  for (std::uint32_t i = 0; i < count; ++i) {
    Syscall sc(acct_, t, "accept4");
    if (next_accept_ >= conns_.size())
      throw std::logic_error("kiosim: accept past clients.connections reached the kernel");
    conns_[next_accept_].owner = t.proc;
    out.ids.push_back(next_accept_++);
  }
  if (!first_owner_) first_owner_ = t.proc;
  return out;
}

EpollObj& SockRx::epoll_create(Thread& t) {
  Syscall sc(acct_, t, "epoll_create1");
  epolls_.push_back(std::make_unique<EpollObj>());
  epolls_.back()->id = int(epolls_.size() - 1);
  return *epolls_.back();
}

// One epoll_ctl per connection. ep_insert polls the socket once (ep_item_poll) and
// hooks the instance on its wait queue; an error (EEXIST, ENOENT) fails that call
// alone, as on Linux, and the program goes on.
void SockRx::epoll_ctl(Thread& t, EpollObj& e, const ConnSet& set, const std::string& ctl, std::uint32_t events) {
  for (std::uint32_t id : set.ids) {
    Syscall sc(acct_, t, "epoll_ctl");
    Conn& k = conns_[id];
    if (ctl == "del") {
      if (e.ep.del(int(id)) == EpollError::none) k.wq.remove(e.id);
      continue;
    }
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.poll_fd_ns);
    acct_.count(t, &Counters::fd_polls, 1);
    if (ctl == "add") {
      if (e.ep.add(int(id), events, revents(k)) == EpollError::none) k.wq.add(e.id, (events & eb::exclusive) != 0);
    } else {
      e.ep.mod(int(id), events, revents(k));
    }
  }
}

void SockRx::epoll_wait(Thread& t, EpollObj& e, std::uint32_t maxevents, double timeout_ns, bool until_idle,
                        const std::function<void(ConnSet)>& each) {
  auto poll = [this, &t](int fd) {
    acct_.cpu(t, TimeCat::syscall, acct_.machine().cpu.poll_fd_ns);
    acct_.count(t, &Counters::fd_polls, 1);
    return revents(conns_[std::size_t(fd)]);
  };
  for (;;) {
    std::vector<EpollEvent> ready;
    bool timed_out = false;
    {
      // ep_poll: take what is ready; else sleep until a callback or the timeout, and
      // take again; a wake-up that finds nothing (level-triggered items gone quiet)
      // sleeps again while time is left.
      Syscall sc(acct_, t, "epoll_wait");
      const double until = deadline(timeout_ns);
      for (;;) {
        ready = e.ep.send_events(maxevents, poll);
        if (!ready.empty() || timed_out || timeout_ns == 0) break;
        RxSleeper me(acct_.engine(), t);
        e.sleepers.push_back(&me);
        timed_out = !acct_.block_until(t, TimeCat::wire, me.q, [&me] { return me.woken; }, "epoll_wait", until);
        if (!me.woken) e.sleepers.erase(std::find(e.sleepers.begin(), e.sleepers.end(), &me));
      }
    }
    for (const EpollEvent& ev : ready) each(ConnSet{{std::uint32_t(ev.fd)}});
    if (!until_idle || (ready.empty() && clients_done_)) return;
  }
}

void SockRx::select(Thread& t, const ConnSet& set, bool poll, double timeout_ns, bool until_idle,
                    const std::function<void(ConnSet)>& each) {
  for (;;) {
    std::vector<std::uint32_t> ready;
    bool timed_out = false;
    {
      // do_select / do_poll: every descriptor's poll on every pass; the first pass
      // also hooks the thread on every socket's wait queue (poll_wait); after a
      // wake-up or the timeout, one more pass.
      Syscall sc(acct_, t, poll ? "poll" : "select");
      const double until = deadline(timeout_ns);
      for (;;) {
        acct_.cpu(t, TimeCat::syscall, double(set.ids.size()) * acct_.machine().cpu.poll_fd_ns);
        acct_.count(t, &Counters::fd_polls, set.ids.size());
        for (std::uint32_t id : set.ids)
          if (conns_[id].queued > 0) ready.push_back(id);
        if (!ready.empty() || timed_out || timeout_ns == 0) break;
        RxSleeper me(acct_.engine(), t);
        const std::uint64_t my_id = next_poller_++;
        for (std::uint32_t id : set.ids) conns_[id].pollers.push_back(my_id);
        poll_sleepers_.push_back({my_id, &me});
        timed_out = !acct_.block_until(t, TimeCat::wire, me.q, [&me] { return me.woken; }, poll ? "poll" : "select",
                                       until);
        // poll_freewait: off every socket's wait queue again
        poll_sleepers_.erase(std::find_if(poll_sleepers_.begin(), poll_sleepers_.end(),
                                          [my_id](const auto& p) { return p.first == my_id; }));
        for (std::uint32_t id : set.ids) {
          auto& ps = conns_[id].pollers;
          ps.erase(std::remove(ps.begin(), ps.end(), my_id), ps.end());
        }
      }
    }
    for (std::uint32_t id : ready) each(ConnSet{{id}});
    if (!until_idle || (ready.empty() && clients_done_)) return;
  }
}

std::uint64_t SockRx::recv(Thread& t, const ConnSet& c, std::uint64_t bytes, bool nonblock, bool until_eagain) {
  const std::uint32_t id = c.ids.at(0);
  std::uint64_t total = 0;
  for (;;) {
    Syscall sc(acct_, t, "recvfrom");
    Conn& k = conns_[id];
    if (k.queued == 0) {
      if (nonblock) {
        acct_.count(t, &Counters::recv_eagain, 1);  // tcp_recvmsg: -EAGAIN, nothing copied
        return total;
      }
      if (!k.recv_wq) k.recv_wq = std::make_unique<WaitQueue>(acct_.engine());
      // sk_wait_data: until a byte is queued (SO_RCVLOWAT 1)
      acct_.block(t, TimeCat::wire, *k.recv_wq, [&k] { return k.queued > 0; }, "recv (receive queue empty)");
    }
    const std::uint64_t n = std::min(bytes, k.queued);
    k.queued -= n;
    acct_.cpu_copy(t, n, Place::socket_buffer, Place::user_buffer);  // skb_copy_datagram_iter
    acct_.count(t, &Counters::read_bytes, n);
    total += n;
    take_window(id);
    if (!until_eagain) return total;
  }
}

}  // namespace kiosim
