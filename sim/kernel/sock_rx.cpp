#include "sim/kernel/sock_rx.h"

#include <algorithm>

#include "model/nic.h"
#include "sim/trace/schema.h"

namespace kiosim {

namespace eb = epoll_bits;

void SockRx::configure(const ClientsSpec& c, std::uint64_t seed) {
  spec_ = c;
  seed_ = seed;
  conns_.clear();
  conns_.reserve(c.connections);
  const std::uint64_t mss = Nic(acct_.machine().nic).mss();  // the peer's segments: the same MTU
  for (std::uint32_t i = 0; i < c.connections; ++i) conns_.emplace_back(RcvWindow(c.rcvbuf, mss));
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

// What the client may send: the window last advertised, of which tcp_data_queue
// queues what sk_rcvbuf holds; then the ACK's window (tcp_select_window). The rest
// stays at the client until a read's window update (tcp_cleanup_rbuf) opens it.
void SockRx::take_window(std::uint32_t id) {
  Conn& k = conns_[id];
  const std::uint64_t room = spec_.rcvbuf - std::min(spec_.rcvbuf, k.queued);
  const std::uint64_t n = std::min({k.held, room, k.win.still_offered()});
  if (n == 0) return;
  k.queued += n;
  k.held -= n;
  k.win.received(n);
  Process* p = owner_of(k);
  if (p && k.queued > p->counters.rcv_queue_max_bytes) p->counters.rcv_queue_max_bytes = k.queued;
  advertise(id);
  data_ready(id);
}

void SockRx::advertise(std::uint32_t id) {
  Conn& k = conns_[id];
  const RcvWindow::Change ch = k.win.ack(spec_.rcvbuf - std::min(spec_.rcvbuf, k.queued));
  Process* p = owner_of(k);
  if (ch == RcvWindow::Change::none || !p) return;
  const bool zero = ch == RcvWindow::Change::to_zero;
  Accounting::count(p, zero ? &Counters::zero_windows : &Counters::window_reopens, 1);
  if (!acct_.tracing()) return;
  if (lane_ == 0) lane_ = acct_.add_lane("clients", LaneKind::device);
  TraceEvent e = acct_.device_event(lane_, EventKind::tcp_window, acct_.now(), 0);
  e.bytes = k.win.advertised();
  e.pages = id;
  e.name = std::string(zero ? schema::note::zero_window : schema::note::window_reopen);
  acct_.trace_device(std::move(e));
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
    Process* p = owner_of(k);
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
    return poll_fd(fd);
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
    for (const EpollEvent& ev : ready) {
      if (ev.fd >= 0) each(ConnSet{{std::uint32_t(ev.fd)}});
      else if (e.on_async) e.on_async(t);  // the pool's eventfd: its completions
    }
    const bool work_out = e.work_pending && e.work_pending();
    if (!until_idle || (ready.empty() && clients_done_ && !work_out)) return;
  }
}

std::uint32_t SockRx::poll_fd(int fd) {
  if (fd < 0) return (eventfd(fd).count > 0 ? eb::in : 0) | eb::out;  // eventfd_poll
  return revents(conns_[std::size_t(fd)]);
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

void SockRx::wait_data(Thread& t, Conn& k, const char* why) {
  if (!k.recv_wq) k.recv_wq = std::make_unique<WaitQueue>(acct_.engine());
  acct_.block(t, TimeCat::wire, *k.recv_wq, [&k] { return k.queued > 0; }, why);
}

std::uint64_t SockRx::take(Thread& t, std::uint32_t id, std::uint64_t bytes) {
  Conn& k = conns_[id];
  const std::uint64_t n = std::min(bytes, k.queued);
  k.queued -= n;
  acct_.cpu_copy(t, n, Place::socket_buffer, Place::user_buffer);  // skb_copy_datagram_iter
  acct_.count(t, &Counters::read_bytes, n);
  // tcp_cleanup_rbuf: a window update if the read opened the window enough
  if (k.win.read_sends_update(spec_.rcvbuf - k.queued)) advertise(id);
  take_window(id);
  return n;
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
      wait_data(t, k, "recv (receive queue empty)");  // SO_RCVLOWAT 1
    }
    total += take(t, id, bytes);
    if (!until_eagain) return total;
  }
}

// io_recv: sock_recvmsg with MSG_DONTWAIT (IO_URING_F_NONBLOCK); its -EAGAIN is not the
// CQE's: io_issue_sqe arms a poll on the socket (io_arm_poll_handler) and the wake-up
// retries it by task work. No system call of its own, no EAGAIN counted.
std::uint64_t SockRx::recv_sqe(Thread& t, const ConnSet& c, std::uint64_t bytes) {
  const std::uint32_t id = c.ids.at(0);
  Conn& k = conns_[id];
  if (k.queued == 0) {
    acct_.count(t, &Counters::uring_poll_arms, 1);
    wait_data(t, k, "io_uring recv (poll armed, receive queue empty)");
  }
  return take(t, id, bytes);
}

}  // namespace kiosim
