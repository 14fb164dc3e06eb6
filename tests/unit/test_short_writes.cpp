// A non-blocking socket write returns what the send buffer takes (issue 17): the copied
// count, or EAGAIN when it takes nothing (tcp_sendmsg_locked: sk_stream_wait_memory with
// a timeout of 0, then `if (copied) goto out`), and `until_done` loops on that count as
// real programs do, waiting in poll(2) for POLLOUT after EAGAIN.
//
// The numbers, by hand. net.sndbuf 128 KiB = 131,072 B. TCP's skbs carry the GSO size
// goal, 45 x 1448 = 65,160 B (tcp_xmit_size_goal). 1 MiB = 1,048,576 B = 16 x 65,160 +
// 6,016: 17 skbs. A new skb is built while the bytes queued are below sk_sndbuf
// (sk_stream_memory_free): before skb 1 0 are queued, before skb 2 65,160, before skb 3
// 130,320 (< 131,072), before skb 4 195,480: full. A call on an empty buffer so copies 3
// skbs = 195,480 B. net.rtt 10 ms and a 1 Gbit/s wire (one skb every 521 us) keep every
// ACK far behind the program's calls, which take microseconds: nothing is freed between
// two calls that follow each other. The bytes sent are the run's payload_bytes.
#include <catch2/catch.hpp>

#include "tests/unit/scenario_support.h"

using namespace kiosim;
using test::simulate_text;

namespace {

nlohmann::ordered_json counters_of(const std::string& name, const std::string& program) {
  auto r = simulate_text(name, R"(kiosim: 1
set: { net.sndbuf: 128KiB, net.rtt: 10ms, nic.bandwidth: 1Gbit/s }
processes:
  - setup: [ { socket: { as: s } } ]
    program:
)" + program);
  REQUIRE(r.size() == 1);
  return r[0]["counters"];
}

}  // namespace

TEST_CASE("a non-blocking write returns what fits in the send buffer", "[short-return][socket]") {
  // 3 skbs of the 17 (above): 195,480 of 1,048,576 B; one call, no sleep.
  auto c = counters_of("nb-short", "      - write: { fd: s, bytes: 1MiB, nonblock: true }\n");
  CHECK(c["payload_bytes"] == 195480);
  CHECK(c["syscalls_by_name"]["write"] == 1);
  CHECK(c["context_switches_voluntary"] == 0);
}

TEST_CASE("a non-blocking write to a full send buffer returns EAGAIN and copies nothing", "[short-return][socket]") {
  // The first call leaves 195,480 B queued (>= 131,072): the second copies no byte.
  auto c = counters_of("nb-eagain", "      - write: { fd: s, bytes: 1MiB, nonblock: true }\n"
                                    "      - write: { fd: s, bytes: 1MiB, nonblock: true }\n");
  CHECK(c["payload_bytes"] == 195480);
  CHECK(c["syscalls_by_name"]["write"] == 2);
  CHECK(c["context_switches_voluntary"] == 0);
}

TEST_CASE("send with MSG_DONTWAIT returns the same short count", "[short-return][socket]") {
  auto c = counters_of("nb-send", "      - send: { fd: s, bytes: 1MiB, nonblock: true }\n");
  CHECK(c["payload_bytes"] == 195480);
  CHECK(c["syscalls_by_name"]["send"] == 1);
}

TEST_CASE("until_done loops on the count: short writes, EAGAIN, poll for POLLOUT", "[short-return][socket]") {
  // Call 1 copies skbs 1-3 (195,480 B queued). Call 2 at once: EAGAIN, then poll sleeps
  // until the socket is writable (sk_stream_is_writeable: queued <= 2/3 x 131,072 =
  // 87,381): ACK 1 leaves 130,320, ACK 2 leaves 65,160: awake. The next call copies 2
  // skbs (before them 65,160 and 130,320 queued, both < 131,072; then 195,480 again).
  // So each round is EAGAIN, poll, 2 skbs: skbs 4-5, ..., 16-17, 7 rounds (the last
  // call copies skb 16 and the 6,016 B skb 17, the rest of the MiB, and the loop ends).
  // write: 1 + 7 x 2 = 15 calls; poll: 7, each one sleep.
  auto c = counters_of("nb-loop", "      - write: { fd: s, bytes: 1MiB, nonblock: true, until_done: true }\n");
  CHECK(c["payload_bytes"] == 1048576);
  CHECK(c["syscalls_by_name"]["write"] == 15);
  CHECK(c["syscalls_by_name"]["poll"] == 7);
  CHECK(c["syscalls"] == 22);
  CHECK(c["context_switches_voluntary"] == 7);
}

TEST_CASE("until_done on a blocking socket makes one call, which sleeps for the space", "[short-return][socket]") {
  // A blocking write copies all 17 skbs in its one call (sleeping in
  // sk_stream_wait_memory while the buffer is full), so the loop never runs again.
  auto c = counters_of("block-loop", "      - write: { fd: s, bytes: 1MiB, until_done: true }\n");
  CHECK(c["payload_bytes"] == 1048576);
  CHECK(c["syscalls_by_name"]["write"] == 1);
  CHECK(c["syscalls_by_name"].count("poll") == 0);
}
