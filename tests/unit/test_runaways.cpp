// Runaway programs and Linux's short returns (issue 17): a run stops with a message
// (deadlock, time budget, event budget, TCP giving up), never hangs or ends silently.
#include <catch2/catch.hpp>

#include "tests/unit/scenario_support.h"

using namespace kiosim;
using test::simulate_text;

namespace {

// The message a failed run gives (simulate throws it), or "" if it ran.
std::string failure_of(const std::string& name, const std::string& text) {
  try {
    simulate_text(name, text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

const char* kHead = R"(kiosim: 1
files:
  - { name: data.bin, size: 64KiB }
)";

}  // namespace

TEST_CASE("a splice of 1KiB chunks from an unaligned offset makes one pair of calls per chunk", "[runaway]") {
  // 64KiB - 100 = 65436 bytes in 1KiB chunks: 63 full chunks and one of 924 bytes, so
  // 64 pairs (file -> pipe, pipe -> socket) = 128 splices. The old per-call size
  // underflowed (1KiB - 4KiB) and made it one giant pair: 2 splices.
  auto r = simulate_text("splice-1k", std::string(kHead) + R"(compare:
  transfer: { file: data.bin, to: socket, chunk: 1KiB, offset: 100 }
  methods: [splice]
)");
  REQUIRE(r.size() == 1);
  CHECK(r[0]["counters"]["syscalls"] == 128);
  CHECK(r[0]["counters"]["payload_bytes"] == 65436);
}

TEST_CASE("a splice of 0 bytes from an empty pipe returns 0, as Linux does", "[runaway]") {
  // sys_splice: `if (!len) return 0;` before it looks at the pipe: no sleep. Three
  // system calls: pipe, socket, and the splice.
  auto r = simulate_text("splice-0", std::string(kHead) + R"(processes:
  - program:
      - pipe: { as: p }
      - socket: { as: s }
      - splice: { in: p, out: s, bytes: 0 }
)");
  REQUIRE(r.size() == 1);
  CHECK(r[0]["counters"]["syscalls"] == 3);
  CHECK(r[0]["counters"]["context_switches_voluntary"] == 0);
}

TEST_CASE("deadlocks name the sleep: an empty pipe, a full pipe", "[runaway]") {
  CHECK_THAT(failure_of("dl-empty", std::string(kHead) + R"(processes:
  - name: p
    program:
      - pipe: { as: pp }
      - socket: { as: s }
      - splice: { in: pp, out: s, bytes: 4KiB }
)"),
             Catch::Contains("thread `p` waits forever (pipe empty)"));
  // 16 slots: the first 64KiB fills the pipe, the second splice finds it full, and
  // nobody drains it.
  CHECK_THAT(failure_of("dl-full", R"(kiosim: 1
files:
  - { name: data.bin, size: 256KiB }
processes:
  - name: q
    program:
      - open: { file: data.bin, as: f }
      - pipe: { as: pp }
      - splice: { in: f, out: pp, bytes: 64KiB }
      - splice: { in: f, out: pp, bytes: 64KiB }
)"),
             Catch::Contains("thread `q` waits forever (pipe full)"));
}

TEST_CASE("a program that sleeps without end is stopped by run.time_limit", "[runaway]") {
  // 10 million sleeps of 1000 s once ran to 10^19 ns without a word; the budget (1 h
  // by default) stops it at the fourth.
  CHECK_THAT(failure_of("sleepy", std::string(kHead) + R"(processes:
  - program:
      - repeat: 10000000
        do: [ { sleep: 1000s } ]
)"),
             Catch::Contains("stopped at 3600s of simulated time (run.time_limit)"));
}

TEST_CASE("a run past run.event_limit is stopped with a message", "[runaway]") {
  // 5000 preads of a cached page are at least 5000 engine activities (their CPU work).
  CHECK_THAT(failure_of("busy", R"(kiosim: 1
set:
  run.event_limit: 1000
files:
  - { name: data.bin, size: 64KiB, cached: true }
processes:
  - program:
      - open: { file: data.bin, as: f }
      - repeat: 5000
        do: [ { pread: { fd: f, bytes: 4KiB, offset: 0 } } ]
)"),
             Catch::Contains("after 1000 engine events (run.event_limit)"));
}

TEST_CASE("TCP gives up after tcp_retries2 retransmissions of one skb", "[runaway]") {
  // At a loss rate of 0.99 one skb is lost 16 times in a row with probability
  // 0.99^16 = 0.85: the connection times out, as Linux's does (ETIMEDOUT).
  CHECK_THAT(failure_of("lossy", std::string(kHead) + R"(set:
  net.loss_rate: 0.99
compare:
  transfer: { file: data.bin, to: socket }
  methods: [sendfile]
)"),
             Catch::Contains("tcp_retries2 = 15"));
}

TEST_CASE("a read at the end of the file returns 0 and copies nothing", "[runaway]") {
  // A 64 KiB file read 32 KiB at a time, three times: the third read() is at EOF and
  // returns 0 (filemap_read stops at i_size), so 64 KiB is copied to the user, not 96.
  auto r = simulate_text("eof", R"(kiosim: 1
files:
  - { name: data.bin, size: 64KiB, cached: true }
processes:
  - program:
      - open: { file: data.bin, as: f }
      - repeat: 3
        do: [ { read: { fd: f, bytes: 32KiB } } ]
)");
  REQUIRE(r.size() == 1);
  CHECK(r[0]["counters"]["syscalls_by_name"]["read"] == 3);
  CHECK(r[0]["counters"]["cpu_copy_bytes"] == 65536);
}
