// epoll's interest and ready lists, level- and edge-triggered, and EPOLLEXCLUSIVE
// (model/eventpoll.h, after fs/eventpoll.c). Every number is worked by hand from the
// rules written beside it.
#include <catch2/catch.hpp>

#include <map>

#include "model/eventpoll.h"

using namespace kiosim;
namespace eb = epoll_bits;

namespace {

// Sockets with bytes queued; poll() says EPOLLIN while any are (tcp_poll).
struct Sockets {
  std::map<int, std::uint64_t> queued;
  std::uint32_t poll(int fd) { return queued[fd] > 0 ? eb::in : 0; }
};

}  // namespace

TEST_CASE("epoll_ctl: EEXIST, ENOENT, and EINVAL for EPOLLEXCLUSIVE with MOD", "[epoll]") {
  EventPoll ep;
  CHECK(ep.add(3, eb::in, 0) == EpollError::none);
  CHECK(ep.add(3, eb::in, 0) == EpollError::exist);
  CHECK(ep.mod(4, eb::in, 0) == EpollError::noent);
  CHECK(ep.del(4) == EpollError::noent);
  CHECK(ep.mod(3, eb::in | eb::exclusive, 0) == EpollError::inval);
  CHECK(ep.add(5, eb::in | eb::exclusive, 0) == EpollError::none);
  CHECK(ep.mod(5, eb::in, 0) == EpollError::inval);  // an exclusive item cannot be modified
  CHECK(ep.interest_size() == 2);
  CHECK(ep.del(3) == EpollError::none);
  CHECK(ep.interest_size() == 1);
}

TEST_CASE("a descriptor already readable when added is ready at once (ep_insert)", "[epoll]") {
  EventPoll ep;
  ep.add(7, eb::in, eb::in);
  CHECK(ep.ready_size() == 1);
  ep.add(8, eb::out, eb::in);  // readable, but only EPOLLOUT asked: not ready
  CHECK(ep.ready_size() == 1);
  ep.del(7);  // removed from the ready list too
  CHECK_FALSE(ep.events_available());
}

TEST_CASE("level-triggered: reported again while data remains; edge-triggered: only on a new arrival", "[epoll]") {
  Sockets s;
  auto poll = [&s](int fd) { return s.poll(fd); };
  EventPoll lt, et;
  lt.add(1, eb::in, 0);
  et.add(1, eb::in | eb::et, 0);
  // A 4096-byte request arrives: sk_data_ready calls ep_poll_callback once.
  s.queued[1] = 4096;
  CHECK(lt.callback(1, eb::in));
  CHECK(et.callback(1, eb::in));
  // The server reads 1024 bytes per wake-up. Level-triggered: after each
  // epoll_wait the item is back on the tail (still readable when polled), so the
  // calls report it 4 times (4096 / 1024) and the 5th finds it empty: 0 events.
  int lt_reports = 0;
  for (int call = 0; call < 5; ++call) {
    auto ev = lt.send_events(64, poll);
    lt_reports += int(ev.size());
    if (!ev.empty()) s.queued[1] -= 1024;
  }
  CHECK(lt_reports == 4);
  CHECK(s.queued[1] == 0);
  CHECK_FALSE(lt.events_available());  // dropped by the 5th call's poll
  // Edge-triggered, same request: one report, one 1024-byte read, then silence:
  // 3072 bytes stay unread until the next arrival.
  s.queued[1] = 4096;
  auto first = et.send_events(64, poll);
  REQUIRE(first.size() == 1);
  s.queued[1] -= 1024;
  CHECK(et.send_events(64, poll).empty());
  CHECK(s.queued[1] == 3072);
  // A second request arrives (4096 more): one more report, one more read; now
  // 3072 + 4096 - 1024 = 6144 bytes are unread: the stall grows by 3 KiB a request.
  s.queued[1] += 4096;
  et.callback(1, eb::in);
  CHECK(et.send_events(64, poll).size() == 1);
  s.queued[1] -= 1024;
  CHECK(s.queued[1] == 6144);
}

TEST_CASE("two arrivals before epoll_wait are one ready item (ep_is_linked)", "[epoll]") {
  Sockets s;
  EventPoll ep;
  ep.add(1, eb::in | eb::et, 0);
  s.queued[1] = 100;
  ep.callback(1, eb::in);
  s.queued[1] = 200;
  ep.callback(1, eb::in);
  CHECK(ep.ready_size() == 1);
  CHECK(ep.send_events(64, [&s](int fd) { return s.poll(fd); }).size() == 1);
}

TEST_CASE("maxevents: the rest stays ready, ahead of the level-triggered items put back", "[epoll]") {
  Sockets s;
  auto poll = [&s](int fd) { return s.poll(fd); };
  EventPoll ep;
  for (int fd = 0; fd < 5; ++fd) {
    ep.add(fd, eb::in, 0);
    s.queued[fd] = 1;
    ep.callback(fd, eb::in);
  }
  // maxevents 2: fds 0, 1 reported and put back on the tail; 2, 3, 4 stay ahead.
  auto a = ep.send_events(2, poll);
  REQUIRE(a.size() == 2);
  CHECK(a[0].fd == 0);
  CHECK(a[1].fd == 1);
  auto b = ep.send_events(3, poll);
  REQUIRE(b.size() == 3);
  CHECK(b[0].fd == 2);
  CHECK(b[2].fd == 4);
  auto c = ep.send_events(2, poll);  // then 0 and 1 again: round robin, nobody starves
  CHECK(c[0].fd == 0);
  CHECK(c[1].fd == 1);
  CHECK(ep.ready_size() == 5);
}

TEST_CASE("a callback for events nobody asked for is dropped", "[epoll]") {
  EventPoll ep;
  ep.add(1, eb::out, 0);
  CHECK_FALSE(ep.callback(1, eb::in));
  CHECK_FALSE(ep.callback(9, eb::in));  // not watched
  CHECK(ep.ready_size() == 0);
}

TEST_CASE("thundering herd: 4 epoll instances on one socket; EPOLLEXCLUSIVE wakes one", "[epoll]") {
  // Four threads, each asleep in epoll_wait on its own epoll instance; all four
  // watch the same socket. One arrival: __wake_up_common calls all 4 entries
  // (4 wake-ups, 3 of which find nothing when they read: the herd). With
  // EPOLLEXCLUSIVE the first entry wakes its sleeper and the walk stops: 1 wake-up.
  for (bool exclusive : {false, true}) {
    SockWaitQueue wq;
    for (int ep = 0; ep < 4; ++ep) wq.add(ep, exclusive);
    int woken = 0;
    std::uint32_t called = wq.wake_up([&woken](int, bool) {
      ++woken;
      return true;  // a thread was asleep on it
    });
    CHECK(called == (exclusive ? 1u : 4u));
    CHECK(woken == (exclusive ? 1 : 4));
  }
}

TEST_CASE("EPOLLEXCLUSIVE: an instance with nobody asleep does not stop the walk", "[epoll]") {
  // Entries 0..3 exclusive; 0 and 1 have no sleeper (ewake 0): the walk goes on to
  // 2, which wakes its sleeper, and stops there: 3 entries called, 1 thread woken.
  SockWaitQueue wq;
  for (int ep = 0; ep < 4; ++ep) wq.add(ep, true);
  int woken = 0;
  auto called = wq.wake_up([&woken](int ep, bool) {
    if (ep < 2) return false;
    ++woken;
    return true;
  });
  CHECK(called == 3);
  CHECK(woken == 1);
  // A non-exclusive entry goes at the head and is always called.
  wq.add(9, false);
  std::vector<int> order;
  wq.wake_up([&order](int ep, bool) {
    order.push_back(ep);
    return true;
  });
  REQUIRE(order.size() == 2);
  CHECK(order[0] == 9);
  CHECK(order[1] == 0);
}
