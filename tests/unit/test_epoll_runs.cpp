// The receive path and epoll through the kernel (sim/kernel/sock_rx.h): what an
// edge-triggered server leaves unread, recv's partial counts and EAGAIN, and the
// thundering herd that EPOLLEXCLUSIVE stops. Numbers worked by hand beside each.
#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/scenario_support.h"

using namespace kiosim;
using test::simulate_text;
using test::single_run_counters;

TEST_CASE("edge-triggered, one 1 KiB read per wake-up: 3 KiB of each 4 KiB request stay unread", "[epoll]") {
  // One connection, 5 requests of 4096 bytes, 1 ms apart. Each arrival is one
  // ep_poll_callback, one wake-up, one epoll_wait that returns the connection and one
  // recv of 1024: 4096 - 1024 = 3072 left each time, 5 x 3072 = 15360 in all, and
  // nothing wakes the server for them. Calls: accept4, epoll_create1, epoll_ctl,
  // 5 + 1 epoll_wait (the last times out), 5 recvfrom = 14.
  auto c = single_run_counters("et-unread", R"(kiosim: 1
clients: { connections: 1, requests: 5, request_bytes: 4KiB, interval: 1ms, start: 1ms }
processes:
  - program:
      - accept: { as: c }
      - epoll_create: { as: ep }
      - epoll_ctl: { ep: ep, fd: c, op: add, et: true }
      - epoll_wait: { ep: ep, as: r, timeout: 5ms, until_idle: true,
                      do: [ { recv: { fd: r, bytes: 1KiB, nonblock: true } } ] }
)");
  CHECK(c["rcv_unread_bytes"] == 15360);
  CHECK(c["stalled_connections"] == 1);
  CHECK(c["payload_bytes"] == 5 * 1024);
  CHECK(c["syscalls"] == 14);
  CHECK(c["syscalls_by_name"]["recvfrom"] == 5);
  CHECK(c["syscalls_by_name"]["epoll_wait"] == 6);
  CHECK(c["epoll_wakeups"] == 5);
}

TEST_CASE("recv returns what is queued, up to the count asked; then EAGAIN", "[epoll]") {
  // One 4096-byte request at 1 ms. The blocking recv of 3000 sleeps until it
  // arrives and returns 3000; the non-blocking one of 3000 returns the 1096 left;
  // the next finds nothing: EAGAIN. 1 + 3 calls, 1 sleep, 2 copies of 4096 bytes.
  auto c = single_run_counters("partial", R"(kiosim: 1
clients: { connections: 1, requests: 1, request_bytes: 4KiB, start: 1ms }
processes:
  - program:
      - accept: { as: c }
      - recv: { fd: c, bytes: 3000 }
      - recv: { fd: c, bytes: 3000, nonblock: true }
      - recv: { fd: c, bytes: 3000, nonblock: true }
)");
  CHECK(c["syscalls"] == 4);
  CHECK(c["context_switches_voluntary"] == 1);
  CHECK(c["cpu_copies"] == 2);
  CHECK(c["cpu_copy_bytes"] == 4096);
  CHECK(c["recv_eagain"] == 1);
  CHECK(c["rcv_unread_bytes"] == 0);
}

TEST_CASE("a zero window: what the receive buffer cannot hold waits at the client", "[epoll]") {
  // rcvbuf 2 KiB, one 4096-byte request: the window offered is 2048 rounded down to
  // one MSS (__tcp_select_window), so 1448 come in and 2648 wait; 600 free is under
  // one MSS: a zero window. Nobody reads all: 4096 less what the recv takes is unread
  // at the end, on 1 connection.
  auto c = single_run_counters("window", R"(kiosim: 1
clients: { connections: 1, requests: 1, request_bytes: 4KiB, start: 1ms, rcvbuf: 2KiB }
processes:
  - program:
      - accept: { as: c }
      - sleep: 2ms
      - recv: { fd: c, bytes: 1KiB, nonblock: true }
)");
  // The recv takes 1024 of the 1448 queued; 1624 free offers 1448 again (a window
  // update, the window reopened), which comes in: 1872 queued, 1200 waiting, 3072 unread.
  CHECK(c["cpu_copy_bytes"] == 1024);
  CHECK(c["rcv_unread_bytes"] == 3072);
  CHECK(c["stalled_connections"] == 1);
  CHECK(c["zero_windows"] == 2);  // after the first 1448, and after the second
  CHECK(c["window_reopens"] == 1);
  CHECK(c["rcv_queue_max_bytes"] == 1872);
}

TEST_CASE("thundering herd: four epoll instances on one socket; EPOLLEXCLUSIVE wakes one", "[epoll]") {
  // A parent accepts one connection and forks 4 children; each makes its own epoll
  // instance, adds the connection, waits once (timeout 50 ms) and reads it. One
  // request arrives at 10 ms. Without EPOLLEXCLUSIVE its callback wakes all 4
  // sleepers: 4 wake-ups, the first recv takes the 512 bytes, 3 find nothing
  // (EAGAIN). With it, the walk stops at the first instance that woke a sleeper: 1
  // wake-up, 1 recv; the 3 others time out and do not read.
  for (bool exclusive : {false, true}) {
    const std::string text = std::string(R"(kiosim: 1
clients: { connections: 1, requests: 1, request_bytes: 512, start: 10ms }
processes:
  - name: parent
    program:
      - accept: { as: c }
      - repeat: 4
        do:
          - fork:
              do:
                - epoll_create: { as: ep }
                - epoll_ctl: { ep: ep, fd: c, op: add, exclusive: )") +
                             (exclusive ? "true" : "false") + R"( }
                - epoll_wait: { ep: ep, as: r, timeout: 50ms,
                                do: [ { recv: { fd: r, bytes: 512, nonblock: true } } ] }
)";
    auto c = single_run_counters(exclusive ? "herd-exclusive" : "herd", text);
    CHECK(c["epoll_wakeups"] == (exclusive ? 1 : 4));
    CHECK(c["recv_eagain"] == (exclusive ? 0 : 3));
    CHECK(c["syscalls_by_name"]["recvfrom"] == (exclusive ? 1 : 4));
    CHECK(c["cpu_copy_bytes"] == 512);
  }
}
