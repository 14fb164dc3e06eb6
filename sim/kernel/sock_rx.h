// The server side of many TCP connections: accept, each socket's receive queue
// (net/ipv4/tcp.c tcp_recvmsg, bounded by sk_rcvbuf), epoll (fs/eventpoll.c: ep_poll,
// ep_poll_callback; the lists are model/eventpoll.h's), and select and poll
// (fs/select.c do_select, do_poll: every descriptor polled on every call).
//
// The clients are not threads: one actor ("clients") walks a heap of next arrivals,
// one entry per connection, from `clients:` and the scenario's seed. An arrival
// queues the request in the socket's receive queue, or what fits there; the rest
// waits at the client until the receiver's window lets it in. The window is the one
// the receiver advertises (model/tcp_window.h: tcp_select_window at each ACK, the
// update tcp_cleanup_rbuf sends after a read): it goes to zero when the queue is full
// (counted, `zero_windows`, and traced on the `clients` lane). Each arrival is one
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
#include "model/tcp_window.h"
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
  // A thread pool's completions (sim/kernel/threadpool.h): what the loop does when its
  // eventfd is ready, and whether work is still out (until_idle waits for it).
  std::function<void(Thread&)> on_async;
  std::function<bool()> work_pending;
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
  // io_uring's IORING_OP_RECV (io_uring/net.c io_recv), inside io_uring_enter: tried
  // with MSG_DONTWAIT; on an empty queue the request is armed on the socket's wait
  // queue (io_arm_poll_handler, counted `uring_poll_arms`) and retried when data comes,
  // while the submitter waits for its CQE. One pass: what is queued, up to `bytes`.
  std::uint64_t recv_sqe(Thread& t, const ConnSet& c, std::uint64_t bytes);

  // eventfd (fs/eventfd.c): eventfd2, then epoll_ctl(ADD) on `ep`; returns its
  // descriptor, a negative number in the interest list (connections are 0, 1, ...).
  int eventfd_create(Thread& t, EpollObj& ep);
  void eventfd_write(Thread& t, int efd);  // eventfd_write: the counter + 1, the watchers woken
  std::uint64_t eventfd_read(Thread& t, int efd);  // eventfd_read: the counter, reset to 0

 private:
  struct Conn {
    explicit Conn(RcvWindow w) : win(w) {}
    RcvWindow win;             // what the receiver advertised (tcp_select_window)
    std::uint64_t queued = 0;  // bytes in sk_receive_queue, at most sk_rcvbuf
    std::uint64_t held = 0;    // bytes sent that the window has no room for yet
    Process* owner = nullptr;  // who accepted it
    SockWaitQueue wq;          // the epoll instances watching it (sk_sleep)
    std::unique_ptr<WaitQueue> recv_wq;  // threads asleep in recv on it (sk_wait_data)
    std::vector<std::uint64_t> pollers;  // select and poll sleepers registered by poll_wait
  };
  struct EventFd {
    std::uint64_t count = 0;  // ctx->count
    SockWaitQueue wq;         // ctx->wqh: the epoll instances watching it
  };
  EventFd& eventfd(int efd) { return eventfds_.at(std::size_t(-1 - efd)); }
  std::uint32_t poll_fd(int fd);  // ep_item_poll of a connection or an eventfd, counted
  std::uint32_t revents(const Conn& k) const;  // tcp_poll: EPOLLIN while bytes are queued; always EPOLLOUT
  void arrive(std::uint32_t id, std::uint64_t bytes);
  // Sleeps on the connection's wait queue until a byte is queued (sk_wait_data).
  void wait_data(Thread& t, Conn& k, const char* why);
  // tcp_recvmsg's copy: what is queued, up to `bytes`, into the user buffer; the window
  // update it may send (tcp_cleanup_rbuf). Returns the bytes copied.
  std::uint64_t take(Thread& t, std::uint32_t id, std::uint64_t bytes);
  void take_window(std::uint32_t id);  // held bytes come in, as far as the window offers
  // An ACK with the window (tcp_select_window): counts and traces a window closing or reopening.
  void advertise(std::uint32_t id);
  Process* owner_of(const Conn& k) const { return k.owner ? k.owner : first_owner_; }
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
  std::vector<EventFd> eventfds_;  // fd -1 is [0], -2 is [1], ...
  std::vector<std::pair<std::uint64_t, RxSleeper*>> poll_sleepers_;  // select and poll sleepers by id
  std::uint64_t next_poller_ = 1;
  bool clients_done_ = false;
  std::uint32_t lane_ = 0;  // `clients`: the windows' events, made at the first
};

}  // namespace kiosim
