// IORING_OP_RECV (io_uring/net.c io_recv) through the kernel: a recv SQE that finds
// its socket's queue empty is armed by poll (io_arm_poll_handler) and completes when
// data comes, inside the one io_uring_enter; a short recv does not fail its link.
// Numbers worked by hand beside each.
#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/scenario_support.h"

using namespace kiosim;
using test::simulate_text;
using test::single_run_counters;

namespace {


// Four connections, one 4 KiB request each; `arrival: fixed` puts connection c's at
// 1 ms + c x 1 ms / 4. The server accepts them one by one (c0..c3).
const std::string kClients = R"(kiosim: 1
clients: { connections: 4, requests: 1, request_bytes: 4KiB, interval: 1ms, start: 1ms }
processes:
  - program:
      - accept: { as: c0 }
      - accept: { as: c1 }
      - accept: { as: c2 }
      - accept: { as: c3 }
)";

// One io_uring_enter's body: a recv SQE for each connection.
const std::string kFourRecvs = R"(          do:
            - recv: { fd: c0, bytes: 4KiB }
            - recv: { fd: c1, bytes: 4KiB }
            - recv: { fd: c2, bytes: 4KiB }
            - recv: { fd: c3, bytes: 4KiB }
)";

}  // namespace

TEST_CASE("four recv SQEs on empty sockets: one io_uring_enter, four poll arms, no recvfrom", "[io_uring]") {
  // At t = 0 no request has come: each recv SQE's MSG_DONTWAIT try finds an empty
  // queue and is armed (4 uring_poll_arms). The enter waits; each arrival (1, 1.25,
  // 1.5, 1.75 ms) completes one, and the submitter sleeps once per arrival: 4
  // voluntary switches. Calls: 4 accept4 + io_uring_setup + 1 io_uring_enter = 6, no
  // recvfrom and no EAGAIN. 4 CQEs, 4 copies of 4096 bytes out of the socket buffers.
  auto c = single_run_counters("uring-recv-poll", kClients + R"(      - uring_setup: { entries: 4 }
      - uring:
)" + kFourRecvs);
  CHECK(c["syscalls"] == 6);
  CHECK(c["syscalls_by_name"]["io_uring_enter"] == 1);
  CHECK_FALSE(c["syscalls_by_name"].contains("recvfrom"));
  CHECK(c["uring_poll_arms"] == 4);
  CHECK(c["uring_cqes"] == 4);
  CHECK(c["recv_eagain"] == 0);
  CHECK(c["cpu_copies"] == 4);
  CHECK(c["cpu_copy_bytes"] == 4 * 4096);
  CHECK(c["context_switches_voluntary"] == 4);
  CHECK(c["rcv_unread_bytes"] == 0);
}

TEST_CASE("recv SQEs on queued data complete inline: no poll arm, against four recvfrom calls", "[io_uring]") {
  // After a 2 ms sleep all four requests are queued (the last came at 1.75 ms): every
  // try succeeds at once, 0 poll arms, 0 sleeps in the enter (kiosim's `sleep` is the
  // program's own time: no system call and no switch, the op table names no call).
  // Calls: 4 accept4 + io_uring_setup + io_uring_enter = 6. The same reads with
  // recv(): 4 accept4 + 4 recvfrom = 8 calls, the same 4 copies.
  auto ring = single_run_counters("uring-recv-queued", kClients + R"(      - uring_setup: { entries: 4 }
      - sleep: 2ms
      - uring:
)" + kFourRecvs);
  CHECK(ring["syscalls"] == 6);
  CHECK(ring["uring_poll_arms"] == 0);
  CHECK(ring["context_switches_voluntary"] == 0);
  CHECK(ring["cpu_copies"] == 4);
  auto plain = single_run_counters("recv-queued", kClients + R"(      - sleep: 2ms
      - recv: { fd: c0, bytes: 4KiB }
      - recv: { fd: c1, bytes: 4KiB }
      - recv: { fd: c2, bytes: 4KiB }
      - recv: { fd: c3, bytes: 4KiB }
)");
  CHECK(plain["syscalls"] == 8);
  CHECK(plain["syscalls_by_name"]["recvfrom"] == 4);
  CHECK(plain["cpu_copies"] == 4);
  CHECK(plain["cpu_copy_bytes"] == ring["cpu_copy_bytes"]);
}

TEST_CASE("a short recv does not fail its link; a short read does", "[io_uring]") {
  // recv of 8 KiB linked to the next: the queue holds 4096, so it returns 4096, short
  // of 8192, but io_recv fails a request only below min_ret (0 without MSG_WAITALL):
  // the linked recv on c1 runs, 0 cancelled, 2 CQEs, 8192 bytes read.
  auto c = single_run_counters("uring-recv-link", kClients + R"(      - uring_setup: { entries: 4 }
      - sleep: 2ms
      - uring:
          do:
            - recv: { fd: c0, bytes: 8KiB, link: true }
            - recv: { fd: c1, bytes: 4KiB }
)");
  CHECK(c["uring_canceled"] == 0);
  CHECK(c["uring_cqes"] == 2);
  CHECK(c["payload_bytes"] == 8192);
  // The same chain with a read of 8 KiB from a 4 KiB file first: a short read fails
  // the link (io_rw: the result differs from the length), so the recv is cancelled.
  auto r = simulate_text("uring-read-link", R"(kiosim: 1
files: [ { name: small, size: 4KiB, cached: true } ]
clients: { connections: 1, requests: 1, request_bytes: 4KiB, start: 1ms }
processes:
  - program:
      - accept: { as: c0 }
      - open: { file: small, as: f }
      - uring_setup: { entries: 4 }
      - sleep: 2ms
      - uring:
          do:
            - read: { fd: f, bytes: 8KiB, link: true }
            - recv: { fd: c0, bytes: 4KiB }
)");
  REQUIRE(r.size() == 1);
  CHECK(r[0]["counters"]["uring_canceled"] == 1);
  CHECK(r[0]["counters"]["uring_cqes"] == 2);
}
