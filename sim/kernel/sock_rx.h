// The server side of many TCP connections: accept, each socket's receive queue
// (net/ipv4/tcp.c tcp_recvmsg, bounded by sk_rcvbuf), epoll (fs/eventpoll.c: ep_poll,
// ep_poll_callback; the lists are model/eventpoll.h's), and select and poll
// (fs/select.c do_select, do_poll: every descriptor polled on every call).
//
// The clients are not threads: one actor ("clients") walks a heap of next arrivals,
// one entry per connection, from `clients:` and the scenario's seed. An arrival
// queues the request in the socket's receive queue, or what fits there; the rest
// waits at the client (a zero window) until a recv makes room. Each arrival is one
// sk_data_ready: it wakes the socket's wait queue (recv sleepers, select and poll
// sleepers, the epoll instances watching it). The receive path itself (NIC, softirq,
// tcp_v4_rcv) costs the server no CPU time here. Calls accounting and the engine.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/client_arrivals.h"
#include "model/eventpoll.h"
#include "sim/kernel/accounting.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

// What accept binds: connections (indexes into SockRx's table).
struct ConnSet {
  std::vector<std::uint32_t> ids;
};

// A thread asleep in epoll_wait, select or poll, until an arrival wakes it.
struct RxSleeper {
  explicit RxSleeper(Engine& e, Thread& th) : q(e), t(&th) {}
  WaitQueue q;
  Thread* t;
  bool woken = false;
};

struct EpollObj {
  int id = 0;
  EventPoll ep;
  std::deque<RxSleeper*> sleepers;  // ep->wq: ep_poll waits exclusive, so one callback wakes one
};

class SockRx {
 public:
  explicit SockRx(Accounting& acct) : acct_(acct) {}

  void configure(const ClientsSpec& c, std::uint64_t seed);
  bool has_clients() const { return !conns_.empty(); }
  void clients_actor();
  // Counts what the server left unread into the processes that accepted it (end of run).
  void account_unread();

  ConnSet accept(Thread& t, std::uint32_t count);
  EpollObj& epoll_create(Thread& t);
  void epoll_ctl(Thread& t, EpollObj& ep, const ConnSet& set, const std::string& ctl, std::uint32_t events);
  // One epoll_wait (until_idle: again and again), `each` called with every ready connection.
  void epoll_wait(Thread& t, EpollObj& ep, std::uint32_t maxevents, double timeout_ns, bool until_idle,
                  const std::function<void(ConnSet)>& each);
  // select or poll over `set` (`poll`: poll(2)), likewise.
  void select(Thread& t, const ConnSet& set, bool poll, double timeout_ns, bool until_idle,
              const std::function<void(ConnSet)>& each);
  // recv from one connection: what is queued, up to `bytes`; EAGAIN if nothing and
  // `nonblock`; `until_eagain`: again until EAGAIN. Returns the bytes read.
  std::uint64_t recv(Thread& t, const ConnSet& c, std::uint64_t bytes, bool nonblock, bool until_eagain);

 private:
  struct Conn {
    std::uint64_t queued = 0;  // bytes in sk_receive_queue, at most sk_rcvbuf
    std::uint64_t held = 0;    // bytes sent that the window has no room for yet
    Process* owner = nullptr;  // who accepted it
    SockWaitQueue wq;          // the epoll instances watching it (sk_sleep)
    std::unique_ptr<WaitQueue> recv_wq;  // threads asleep in recv on it (sk_wait_data)
    std::vector<std::uint64_t> pollers;  // select and poll sleepers registered by poll_wait
  };
  std::uint32_t revents(const Conn& k) const;  // tcp_poll: EPOLLIN while bytes are queued; always EPOLLOUT
  void arrive(std::uint32_t id, std::uint64_t bytes);
  void take_window(std::uint32_t id);  // the window opened: held bytes come in
  void data_ready(std::uint32_t id);   // sk_data_ready -> sock_def_readable: wake the socket's waiters
  bool wake_one(EpollObj& e);
  double deadline(double timeout_ns) const { return timeout_ns < 0 ? -1 : acct_.now() + timeout_ns; }

  Accounting& acct_;
  ClientsSpec spec_;
  std::uint64_t seed_ = 0;
  std::vector<Conn> conns_;
  std::uint32_t next_accept_ = 0;
  Process* first_owner_ = nullptr;
  std::vector<std::unique_ptr<EpollObj>> epolls_;
  std::vector<std::pair<std::uint64_t, RxSleeper*>> poll_sleepers_;  // select and poll sleepers by id
  std::uint64_t next_poller_ = 1;
  bool clients_done_ = false;
};

}  // namespace kiosim
