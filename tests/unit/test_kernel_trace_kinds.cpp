// The kernel's events beyond readahead, faults, the page cache and jbd2 (reclaim, dirty
// throttling, TLB flushes and IPIs, transmits and skbs, io_uring): the hand-written
// records of tests/data/kernel-trace/more-kinds.txt, counted by hand, the timeline the
// GUI draws, the filters that follow a process's threads, and the kinds set beside a
// simulated run's events.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "sim/host/kernel_compare.h"
#include "sim/host/kernel_events.h"
#include "sim/host/kernel_trace.h"
#include "sim/host/kernel_trace_session.h"
#include "tests/unit/kernel_trace_fixture.h"

using namespace kiosim::host;

namespace {
const KindBeside& find(const std::vector<KindBeside>& kinds, const std::string& name) {
  for (const auto& x : kinds)
    if (x.kind == name) return x;
  FAIL("no kind " << name);
  return kinds.front();
}
}  // namespace

TEST_CASE("kernel trace: reclaim, throttling, TLB, IPI, net and io_uring records, by hand", "[kernel_trace]") {
  ParsedTrace p = parse_trace_text(kiosim::test::kernel_trace_data("more-kinds.txt"));
  // 33 record lines: 2 markers, 5 vmscan, 3 balance_dirty_pages, 7 tlb_flush, 3 ipi,
  // 1 tcp_sendmsg_locked, 2 net_dev_xmit, 2 consume_skb, 1 kfree_skb, 1 tcp_retransmit_skb,
  // 3 io_uring_submit_req, 3 io_uring_complete; every line parses.
  CHECK(p.records.size() == 33);
  CHECK(p.malformed == 0);
  KernelEvents k = kernel_events(p);
  // The markers are not events; the tlb_flush of "pages:abc" lacks its pages.
  CHECK(k.by_event.count("tracing_mark_write") == 0);
  CHECK(k.by_event.at("tlb_flush") == 7);
  CHECK(k.malformed == 1);
  REQUIRE(k.body_start_s);
  REQUIRE(k.body_end_s);
  CHECK(*k.body_end_s - *k.body_start_s == Approx(0.05));

  // vmscan: 3 shrink_active (one of the anon LRU), 2 shrink_inactive.
  REQUIRE(k.shrinks.size() == 5);
  CHECK(k.shrinks[0].active);
  CHECK(k.shrinks[0].deactivated == 32);
  CHECK(k.shrinks[1].reclaimed == 32);
  CHECK_FALSE(k.shrinks[2].file);
  CHECK(k.shrinks[4].scanned == 32);
  CHECK(k.shrinks[4].reclaimed == 20);
  // balance_dirty_pages: 3 looks, pauses 4, 0 and 12 ms.
  REQUIRE(k.dirty_pauses.size() == 3);
  CHECK(k.dirty_pauses[0].pause_ms == 4);
  CHECK(k.dirty_pauses[0].setpoint == 45875);
  CHECK(k.dirty_pauses[0].task_ratelimit == 81920);
  CHECK(k.dirty_pauses[1].pause_ms == 0);
  CHECK(k.dirty_pauses[2].dirtied == 64);
  // tlb_flush: 6 typed (reasons 2, 1, 2, 1, 3, 0), the MM one of all pages (-1).
  REQUIRE(k.tlb_flushes.size() == 6);
  CHECK(k.tlb_flushes[0].reason == 2);
  CHECK(k.tlb_flushes[0].pages == 16);
  CHECK(k.tlb_flushes[1].reason == 1);
  CHECK(k.tlb_flushes[1].cpu == 1);
  CHECK(k.tlb_flushes[4].reason == 3);
  CHECK(k.tlb_flushes[4].pages == -1);
  CHECK(k.tlb_flushes[5].reason == 0);
  // IPIs: to CPU 1 (TLB), to the mask 0b110 = CPUs 1 and 2 (TLB), a wake-up to CPU 1.
  REQUIRE(k.ipis.size() == 3);
  CHECK(k.ipis[0].tlb());
  CHECK(k.ipis[0].targets == 1);
  CHECK(k.ipis[1].targets == 2);
  CHECK_FALSE(k.ipis[2].tlb());
  // Network: 2 transmits, 2 consumed, 1 dropped, 1 retransmit, 1 sendmsg into an empty skb.
  REQUIRE(k.xmits.size() == 2);
  CHECK(k.xmits[0].len == 65549);
  CHECK(k.xmits[1].len == 1514);
  CHECK(k.skbs_consumed == 2);
  CHECK(k.skbs_dropped == 1);
  CHECK(k.tcp_retransmits == 1);
  CHECK(k.tcp_sendmsg_skb_len == std::vector<std::uint64_t>{0});
  // io_uring: READ, READ, WRITE submitted; 4096, 4096 and -EAGAIN (-11) completed.
  REQUIRE(k.uring.size() == 6);
  CHECK(k.uring[0].opcode == "READ");
  CHECK(k.uring[2].opcode == "WRITE");
  CHECK(k.uring[3].complete);
  CHECK(k.uring[3].result == 4096);
  CHECK(k.uring[5].result == -11);

  // The timeline: the 30 typed records, from the body's start marker, in time order.
  REQUIRE(k.timeline.size() == 30);
  CHECK(k.timeline.front().event == "mm_vmscan_lru_shrink_active");
  CHECK(k.timeline.front().t_s == Approx(100e-6));
  CHECK(k.timeline.front().value == 32);
  CHECK(k.timeline.back().event == "io_uring_complete");
  CHECK(k.timeline.back().t_s == Approx(0.040102));
  CHECK(k.timeline.back().value == -11);
  const KernelMark* pause12 = nullptr;
  for (const auto& m : k.timeline)
    if (m.event == "balance_dirty_pages" && m.value == 12) pause12 = &m;
  REQUIRE(pause12);
  CHECK(pause12->dur_s == Approx(0.012));
  auto j = kernel_events_json(k);
  CHECK(j["timeline"]["origin"] == "body start (kiosim's trace_marker)");
  CHECK(j["timeline"]["body_us"].get<double>() == Approx(50000));
  CHECK(j["timeline"]["marks"].size() == 30);
  CHECK(j["timeline"]["marks"][0]["t_us"].get<double>() == Approx(100));
}

TEST_CASE("kernel trace: the new kinds beside a simulated run's events", "[kernel_trace]") {
  KernelEvents k = kernel_events(parse_trace_text(kiosim::test::kernel_trace_data("more-kinds.txt")));
  auto run = nlohmann::ordered_json::parse(R"({
    "lanes": [{"id": 0, "name": "app", "kind": "user"}, {"id": 1, "name": "app/1", "kind": "user"},
              {"id": 2, "name": "kswapd", "kind": "kernel"}],
    "events": [
      {"t": 1, "lane": 2, "kind": "evict", "pages": 1},
      {"t": 2, "lane": 0, "kind": "evict", "name": "fadvise DONTNEED", "pages": 4},
      {"t": 3, "lane": 2, "kind": "deactivate", "pages": 1},
      {"t": 4, "lane": 0, "kind": "block", "name": "dirty throttling (balance_dirty_pages): 32 pages dirtied",
       "dur": 5000000, "pages": 32},
      {"t": 5, "lane": 0, "kind": "block", "name": "O_DIRECT read", "dur": 80000},
      {"t": 6, "lane": 0, "kind": "tlb_invalidate", "pages": 16},
      {"t": 7, "lane": 1, "kind": "tlb_flush"},
      {"t": 8, "lane": 1, "kind": "tlb_shootdown", "pages": 1},
      {"t": 9, "lane": 0, "kind": "skb_build", "bytes": 65160},
      {"t": 10, "lane": 0, "kind": "nic_tx", "bytes": 65160}
    ]})");
  auto kinds = kinds_beside(run, "app", k);
  // Reclaim: the evict by reclaim (not fadvise's) against the file LRU's 32 and 20.
  CHECK(*find(kinds, "reclaim: pages freed").predicted == std::vector<double>{1});
  CHECK(find(kinds, "reclaim: pages freed").kernel == std::vector<double>{32, 20});
  CHECK(find(kinds, "reclaim: pages deactivated").kernel == std::vector<double>{32, 28});  // not the anon 5
  // Throttling: the one pause of 5 ms against the kernel's pauses over 0: 4 and 12 ms.
  CHECK(*find(kinds, "dirty throttle pauses").predicted == std::vector<double>{5});
  CHECK(find(kinds, "dirty throttle pauses").kernel == std::vector<double>{4, 12});
  CHECK(*find(kinds, "throttle: pages dirtied").predicted == std::vector<double>{32});
  CHECK(find(kinds, "throttle: pages dirtied").kernel == std::vector<double>{32, 64});
  CHECK(find(kinds, "throttle: task_ratelimit").kernel == std::vector<double>{81920, 40960});
  CHECK_FALSE(find(kinds, "throttle: setpoint").predicted.has_value());
  // TLB: app's two lanes (its threads); local flushes 16, 16 and all; 2 remote; 1 on a switch.
  CHECK(*find(kinds, "TLB flushes, local").predicted == std::vector<double>{16, -1});
  CHECK(find(kinds, "TLB flushes, local").kernel == std::vector<double>{16, 16, -1});
  CHECK(find(kinds, "TLB flushes, remote").predicted->size() == 1);
  CHECK(find(kinds, "TLB flushes, remote").kernel.size() == 2);
  CHECK(find(kinds, "TLB flushes, task switch").kernel.size() == 1);
  CHECK(*find(kinds, "TLB IPIs sent").predicted == std::vector<double>{1});
  CHECK(find(kinds, "TLB IPIs sent").kernel == std::vector<double>{1, 2});
  CHECK(find(kinds, "other IPIs sent").kernel == std::vector<double>{1});
  // Network and io_uring.
  CHECK(*find(kinds, "transmits").predicted == std::vector<double>{65160});
  CHECK(find(kinds, "transmits").kernel == std::vector<double>{65549, 1514});
  CHECK(find(kinds, "tcp retransmits").predicted->size() == 1);
  CHECK(find(kinds, "skbs consumed").kernel.size() == 2);
  CHECK(find(kinds, "io_uring requests").kernel.size() == 3);
  CHECK(find(kinds, "io_uring requests").note.find("READ x2, WRITE x1") != std::string::npos);
  CHECK(find(kinds, "io_uring completions").kernel == std::vector<double>{4096, 4096, -11});
  CHECK_FALSE(find(kinds, "io_uring completions").predicted.has_value());
  std::ostringstream table;
  print_kinds(table, "app", kinds);
  CHECK(table.str().find("TLB IPIs sent") != std::string::npos);
}

TEST_CASE("kernel trace: a process's threads in the pid filter; the task list of this process", "[kernel_trace]") {
  TraceEventSpec tlb{"tlb", "tlb_flush", true, false};
  CHECK(trace_filter({"common_pid", "pages", "reason"}, tlb, std::vector<pid_t>{41, 42}, {7}, 5) ==
        "(common_pid == 41 || common_pid == 42)");
  CHECK(trace_filter({"common_pid", "pages", "reason"}, tlb, std::vector<pid_t>{41}, {}, 0) == "common_pid == 41");
  TraceEventSpec reclaim{"vmscan", "mm_vmscan_lru_shrink_inactive", false, false};
  CHECK(trace_filter({"common_pid", "nid"}, reclaim, std::vector<pid_t>{41, 42}, {7}, 5).empty());
  auto tids = threads_of_self();
  REQUIRE(!tids.empty());
  CHECK(std::find(tids.begin(), tids.end(), ::getpid()) != tids.end());
  // Every new kind is among the events kiosim enables.
  std::vector<std::string> names;
  for (const auto& e : default_trace_events()) names.push_back(e.system + "/" + e.event);
  for (const char* want : {"vmscan/mm_vmscan_lru_shrink_inactive", "vmscan/mm_vmscan_lru_shrink_active",
                           "writeback/balance_dirty_pages", "tlb/tlb_flush", "ipi/ipi_send_cpu", "ipi/ipi_send_cpumask",
                           "net/net_dev_xmit", "skb/consume_skb", "io_uring/io_uring_submit_req",
                           "io_uring/io_uring_complete"})
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
}
