// The backpressure cascade (scenarios/proxy-backpressure.yaml) and the zero window it
// ends in (model/tcp_window.h through sim/kernel/sock_rx.cpp): the window worked by
// hand on a small case, and the order of the cascade's stages in the scenario's trace.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/trace/schema.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

TEST_CASE("a full 16 KiB queue closes the window; each read reopens it, the client refills it", "[tcp_window]") {
  // rcvbuf 16384, MSS 1448; 8 requests of 4096, 1 ms apart, read only from 20 ms on.
  // Arrivals 1-3 come in (offered 15928, then 11832, 7736, 4096: tcp_select_window
  // never takes back what is offered); the 4th fills the queue and its ACK offers 0:
  // zero window 1. Requests 5-8 wait. From 20 ms, 8 blocking reads of 4096: reads 1-4
  // each free 4096 (the update offers 4096: reopened) and let one waiting request in
  // (full again: zero). Read 5 reopens with nothing left to come; read 6 leaves 8192
  // free, which offers 7240 < 2 x 4096 (no update); read 7 offers 11584 (an update, no
  // transition); read 8 sends nothing (11584 still offered is over half the buffer).
  // Zero windows 1 + 4 = 5, reopenings 5. Calls: accept4 and 8 recvfrom.
  auto r = test::simulate_text("window-16k", R"(kiosim: 1
clients: { connections: 1, requests: 8, request_bytes: 4KiB, interval: 1ms, start: 1ms, rcvbuf: 16KiB }
processes:
  - program:
      - accept: { as: c }
      - sleep: 20ms
      - repeat: 8
        do: [ { recv: { fd: c, bytes: 4KiB } } ]
)");
  REQUIRE(r.size() == 1);
  const auto& c = r[0]["counters"];
  CHECK(c["zero_windows"] == 5);
  CHECK(c["window_reopens"] == 5);
  CHECK(c["rcv_queue_max_bytes"] == 16384);
  CHECK(c["cpu_copy_bytes"] == 32768);  // 8 reads of 4096
  CHECK(c["rcv_unread_bytes"] == 0);
  CHECK(c["syscalls"] == 9);
}

TEST_CASE("a receive buffer that never fills never advertises a zero window", "[tcp_window]") {
  // The same 8 requests read as they come: at most one 4096-byte request queued of 16384.
  auto r = test::simulate_text("window-open", R"(kiosim: 1
clients: { connections: 1, requests: 8, request_bytes: 4KiB, interval: 1ms, start: 1ms, rcvbuf: 16KiB }
processes:
  - program:
      - accept: { as: c }
      - repeat: 8
        do: [ { recv: { fd: c, bytes: 4KiB } } ]
)");
  REQUIRE(r.size() == 1);
  CHECK(r[0]["counters"]["zero_windows"] == 0);
  CHECK(r[0]["counters"]["rcv_queue_max_bytes"] == 4096);
}

namespace {

struct Span {
  std::int64_t t0 = 0, t1 = 0;
};

}  // namespace

TEST_CASE("the cascade's stages come in order: EAGAIN upstream, throttling, zero windows", "[tcp_window][cascade]") {
  LoadOptions lo;
  lo.machines_dir = std::string(KIOSIM_SOURCE_DIR) + "/scenarios/machines";
  const Scenario s = load_scenario(std::string(KIOSIM_SOURCE_DIR) + "/scenarios/proxy-backpressure.yaml", lo);
  RunOptions ro;
  ro.trace = true;
  ro.check_invariants = true;
  const auto runs = simulate(s, s.runs(), ro);
  REQUIRE(runs.size() == 1);
  const auto& run = runs[0];
  std::int64_t first_eagain = -1, first_zero = -1;
  std::vector<Span> throttled;
  for (const auto& e : run["events"]) {
    const std::string kind = e["kind"].get<std::string>();
    const std::string name = e.value("name", std::string());
    const std::int64_t t = e["t"].get<std::int64_t>();
    if (kind == "syscall_error" && name == schema::note::send_eagain && first_eagain < 0) first_eagain = t;
    if (kind == "block" && name.rfind("dirty throttling", 0) == 0)
      throttled.push_back({t, t + e.value("dur", std::int64_t(0))});
    if (kind == "tcp_window" && name == schema::note::zero_window && first_zero < 0) first_zero = t;
  }
  REQUIRE(first_eagain >= 0);
  REQUIRE_FALSE(throttled.empty());
  REQUIRE(first_zero >= 0);
  // The send buffer fills within the first milliseconds; throttling needs 614 dirty
  // pages (77 ms of requests at the least); the queues fill only once the loop sleeps.
  CHECK(first_eagain < throttled.front().t0);
  CHECK(throttled.front().t0 < first_zero);
  // The first queue to fill fills while nobody reads it: inside one of the loop's
  // throttle sleeps (awake, it reads a request in microseconds).
  CHECK(std::any_of(throttled.begin(), throttled.end(),
                    [first_zero](const Span& sp) { return sp.t0 <= first_zero && first_zero <= sp.t1; }));
  // The upstream link sent no more than its rate allows over the run, and the send
  // buffer's 46 skbs: the rest of the 1600 sends returned EAGAIN.
  const auto& c = run["counters"];
  const double run_s = c["sim_time_ns"].get<double>() / 1e9;
  const double sent = 1600.0 - c["send_eagain"].get<double>();
  CHECK(sent <= 46 + run_s * 1e6 / 1448 + 1);
  // Every request copied in (1448) and logged (4096); only the sends taken copy (1448).
  CHECK(c["cpu_copy_bytes"].get<double>() == 1600.0 * (1448 + 4096) + sent * 1448);
  // The loop slept in balance_dirty_pages a good part of the time the clients sent.
  CHECK(c["dirty_throttle_ns"].get<double>() > 0);
}
