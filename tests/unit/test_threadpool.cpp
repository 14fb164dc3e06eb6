// libuv's thread pattern (sim/kernel/threadpool.h): an epoll loop hands blocking file
// reads to a pool of workers. What the loop gains (it takes a whole burst before the
// disk finishes one read) and what it pays (futex, eventfd, switches, stacks), with
// numbers worked by hand beside each.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

// 4 connections, one 512-byte request each, all at 1 ms; each needs a 64 KiB O_DIRECT
// read (the disk every time). `body` is what the loop does for a ready connection.
std::string burst_scenario(const std::string& warmup, const std::string& body) {
  return R"(kiosim: 1
clients: { connections: 4, requests: 1, request_bytes: 512, start: 1ms, arrival: burst }
files: [ { name: d.bin, size: 1MiB, cached: false } ]
processes:
  - name: loop
    program:
      - open: { file: d.bin, as: f, flags: [direct] }
      - accept: { as: c, count: 4 }
      - epoll_create: { as: ep }
      - epoll_ctl: { ep: ep, fd: c, op: add }
)" + warmup + R"(      - epoll_wait:
          { ep: ep, as: r, timeout: 10ms, until_idle: true,
            do: [ { recv: { fd: r, bytes: 512, nonblock: true } }, )" +
         body + R"( ] }
)";
}

const char* kWarmup = "      - queue_work: { ep: ep, do: [] }\n";
const char* kInline = "{ read: { fd: f, bytes: 64KiB } }";
const char* kPooled = "{ queue_work: { ep: ep, do: [ { read: { fd: f, bytes: 64KiB } } ] } }";

struct Times {
  std::vector<std::int64_t> recv_enter, recv_exit, disk_end;
};

// The loop thread's recvfrom crossings and the disk's request ends, from the trace.
Times times_of(const nlohmann::ordered_json& run) {
  Times out;
  const auto& lanes = run["lanes"];
  for (const auto& e : run["events"]) {
    const std::string lane = lanes[e["lane"].get<std::size_t>()]["name"].get<std::string>();
    const std::string kind = e["kind"].get<std::string>();
    const std::int64_t t = e["t"].get<std::int64_t>();
    if (lane == "loop" && e.value("name", std::string()) == "recvfrom") {
      if (kind == "syscall_enter") out.recv_enter.push_back(t);
      if (kind == "syscall_exit") out.recv_exit.push_back(t);
    }
    if (lane == "disk" && kind == "dma_copy") out.disk_end.push_back(t + e.value("dur", std::int64_t(0)));
  }
  std::sort(out.disk_end.begin(), out.disk_end.end());
  return out;
}

nlohmann::ordered_json run_traced(const std::string& name, const std::string& text) {
  RunOptions ro;
  ro.trace = true;
  auto r = test::simulate_text(name, text, ro);
  REQUIRE(r.size() == 1);
  return r[0];
}

}  // namespace

TEST_CASE("inline reads: the loop takes the next request only after the disk served the last", "[threadpool]") {
  const auto run = run_traced("tp-inline", burst_scenario("", kInline));
  const Times t = times_of(run);
  REQUIRE(t.recv_enter.size() == 4);
  REQUIRE(t.disk_end.size() == 4);
  for (std::size_t i = 1; i < 4; ++i) CHECK(t.recv_enter[i] > t.disk_end[i - 1]);
  // One thread: no stacks beyond the process's own, nothing queued.
  CHECK(run["counters"]["thread_stack_bytes"] == 0);
  CHECK(run["counters"]["work_queued"] == 0);
}

TEST_CASE("a thread pool: the loop has read the whole burst before the disk ends one read", "[threadpool]") {
  const auto run = run_traced("tp-pool", burst_scenario(kWarmup, kPooled));
  const Times t = times_of(run);
  REQUIRE(t.recv_exit.size() == 4);
  REQUIRE(t.disk_end.size() == 4);
  CHECK(*std::max_element(t.recv_exit.begin(), t.recv_exit.end()) < t.disk_end.front());
  const auto& c = run["counters"];
  // The warm-up and 4 reads; 4 workers of 8 MiB stacks (threads after the process's first).
  CHECK(c["work_queued"] == 5);
  CHECK(c["thread_stack_bytes"] == 4 * 8388608);
  // Calls by hand. The loop: open, 4 accept4, epoll_create1, 4 epoll_ctl (10); the
  // warm-up queue_work starts the pool (eventfd2, epoll_ctl, 4 clone3: 6). Each worker
  // starts at once and waits on the futex (libuv's start_workers waits for them), so
  // the warm-up's post wakes one (futex); it runs the empty work, writes the eventfd
  // and waits again. epoll_wait #1 sleeps until that write, returns the eventfd and the
  // loop reads it (read). #2 polls it again (empty, dropped) and sleeps until the
  // burst; it returns the 4 connections, and for each the loop makes a recvfrom and,
  // a worker waiting unsignalled, a futex wake (8). #3 polls the 4 again (empty) and
  // sleeps until the first read ends: the disk serves one request at a time, 112.8 us
  // apart, and the loop is back within microseconds, so each completion is its own
  // eventfd write and wake-up: #3 to #6 return the eventfd, 4 reads; #7 polls it and
  // times out with nothing left out. Loop: 10 + 6 + 1 + 7 epoll_wait + 5 reads + 8 = 37.
  // Workers: 4 waits at the start; the warm-up's write and the next wait (2); for each
  // of the 4 reads, the read, the eventfd write and the next wait (12): 18. In all 55.
  // Sleeps: the loop in epoll_wait 7 times; each worker on the futex at the start and
  // after its read, and on the disk once (12), and the warm-up's worker once more: 20. Wake-ups of epoll_wait: the
  // warm-up's completion, the burst, 4 completions: 6.
  CHECK(c["context_switches_voluntary"] == 20);
  CHECK(c["epoll_wakeups"] == 6);
}
