// The NIC paths in a whole run: retransmission from still-referenced pages, the TX
// ring, and MSG_ZEROCOPY buffer reuse. Each run is simulated in a child process.
#include <catch2/catch.hpp>


#include "sim/run/run.h"
#include "tests/unit/scenario_support.h"
#include "sim/scenario/scenario.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {
json run_one(const std::string& name, const std::string& text, const std::string& method = "") {
  for (auto& r : test::simulate_text(name, text))
    if (method.empty() || r["name"] == method) return r["counters"];
  FAIL("no run " << method);
  return {};
}
}  // namespace

TEST_CASE("a lost skb is resent from the same pages, without a copy", "[nic][retransmit]") {
  // 4 MiB by sendfile = 4,194,304 / 65,160 = 64.4: 65 GSO skbs. With 10% loss some
  // are lost; each is resent by one more DMA from the pages it still holds: the DMA
  // count grows by exactly the retransmits and the CPU copies nothing.
  json c = run_one("loss",
                   "kiosim: 1\nseed: 7\nset: { net.loss_rate: 0.1 }\nfiles: [{name: d, size: 4MiB, cached: true}]\n"
                   "compare: { transfer: {file: d}, methods: [sendfile] }\n");
  CHECK(c["skbs"] == 65);
  CHECK(c["retransmits"].get<int>() > 0);
  CHECK(c["dma_copies"].get<int>() == 65 + c["retransmits"].get<int>());
  CHECK(c["cpu_copies"] == 0);
}

TEST_CASE("a full TX ring stops the sender until completions free descriptors", "[nic][ring]") {
  // A 4 MiB sendfile makes 65 skbs of 16 or 17 fragments (a 65,160 B skb spans 16
  // or 17 pages) and no linear part: one descriptor per fragment. A ring of 17
  // holds one skb at a time (two need at least 32), and the sender is faster than
  // the wire, so each of skbs 2..65 waits for the one before: 64 waits.
  json c = run_one("ring",
                   "kiosim: 1\nset: { nic.tx_ring: 17 }\nfiles: [{name: d, size: 4MiB, cached: true}]\n"
                   "compare: { transfer: {file: d}, methods: [sendfile] }\n");
  CHECK(c["skbs"] == 65);
  CHECK(c["ring_full_waits"] == 64);
}

// ---- TCP page lifetime: the ACK (tcp_clean_rtx_queue), not the TX completion ------

namespace {
double wire_ns(const json& c) { return c["time_breakdown_ns"]["wire"].get<double>(); }
}  // namespace

TEST_CASE("send-buffer space comes back at the ACK, not at the TX completion", "[nic][ack]") {
  // net.sndbuf 64 KiB; two writes of 64 KiB. The first queues 65,160 + 376 B =
  // 65,536 B (sk_wmem_queued = sndbuf); the second finds the buffer full and sleeps
  // until the first skb is freed. tcp_wfree at TX completion frees nothing of it;
  // tcp_clean_rtx_queue at its ACK does: the DMA's end + net.rtt + net.ack_processing.
  // Only the simulator knows the exact sleep; the relation: with net.rtt 1 ms it
  // lasts more than 1 ms, with 0 far less (the wire's 52 us plus 5 us).
  const std::string text =
      "kiosim: 1\nprocesses:\n  - setup: [ {socket: {as: s}} ]\n    program:\n"
      "      - write: {fd: s, bytes: 64KiB}\n      - write: {fd: s, bytes: 64KiB}\n";
  json slow = run_one("ack-slow", "set: { net.sndbuf: 64KiB, net.rtt: 1ms }\n" + text);
  json fast = run_one("ack-fast", "set: { net.sndbuf: 64KiB, net.rtt: 0 }\n" + text);
  CHECK(slow["context_switches_voluntary"] == 1);
  CHECK(fast["context_switches_voluntary"] == 1);
  CHECK(wire_ns(slow) > 1e6);
  CHECK(wire_ns(fast) < 100e3);
  CHECK(wire_ns(slow) - wire_ns(fast) == Approx(1e6).margin(1e3));
  // 4 skbs (2 per write), each freed by its own ACK.
  CHECK(slow["acks"] == 4);
}

TEST_CASE("a write to a page waits (what-if) until the skb's ACK, and a lost skb's resend's ACK",
          "[nic][ack][retransmit]") {
  // sendfile of a cached 32 KiB file: one skb of 8 fragments. The server then writes
  // page 0 through its mapping under mm.write_during_send: wait, so it sleeps until
  // the skb lets go of its pages: at its ACK. net.rtt 1 ms: more than 1 ms asleep.
  // With loss (seed 3: splitmix64's first draw 0.113 < 0.5 loses the skb, the second,
  // 0.700, lets the resend through) the pages stay referenced through the fast
  // retransmit one round trip later and the resend's own ACK: more than 2 ms.
  const std::string text =
      "files: [{name: f, size: 32KiB, cached: true}]\nprocesses:\n  - setup:\n"
      "      - open: {file: f, as: fd}\n      - mmap: {fd: fd, as: m, write: true}\n"
      "      - touch: {map: m, bytes: 32KiB}\n      - socket: {as: s}\n    program:\n"
      "      - sendfile: {out: s, in: fd, bytes: 32KiB}\n      - touch: {map: m, bytes: 4KiB, write: true}\n";
  json once = run_one("ack-wait", "kiosim: 1\nset: { mm.write_during_send: wait, net.rtt: 1ms }\n" + text);
  json lost = run_one("ack-lost", "kiosim: 1\nseed: 3\nset: { mm.write_during_send: wait, net.rtt: 1ms, "
                                  "net.loss_rate: 0.5 }\n" + text);
  CHECK(once["retransmits"] == 0);
  CHECK(once["context_switches_voluntary"] == 1);
  CHECK(wire_ns(once) > 1e6);
  CHECK(wire_ns(once) < 2e6);
  CHECK(lost["retransmits"] == 1);
  CHECK(lost["context_switches_voluntary"] == 1);
  CHECK(wire_ns(lost) > 2e6);
  CHECK(lost["dma_copies"] == 2);  // the skb twice, from the same pages
}

TEST_CASE("MSG_ZEROCOPY's completion comes with the ACK", "[nic][ack][zerocopy]") {
  // read 64 KiB into b, send it zero-copy, read into b again: the second read waits
  // for the notification, which msg_zerocopy_callback sends when the last skb of the
  // send is freed (skb_zcopy_clear at its ACK). net.rtt 1 ms: a wait of over 1 ms.
  std::string text =
      "kiosim: 1\nset: { net.rtt: 1ms }\nfiles: [{name: d, size: 1MiB, cached: true}]\nprocesses:\n"
      "  - setup: [ {open: {file: d, as: f}}, {socket: {as: s}} ]\n    program:\n"
      "      - read: {fd: f, bytes: 64KiB, buf: b}\n"
      "      - send: {fd: s, bytes: 64KiB, buf: b, zerocopy: true}\n      - read: {fd: f, bytes: 64KiB, buf: b}\n";
  json c = run_one("zc-ack", text);
  CHECK(c["zerocopy_waits"] == 1);
  CHECK(c["zerocopy_completions"] == 1);
  CHECK(wire_ns(c) > 1e6);
}

// ---- NAPI: TX completions reaped in polls of at most nic.napi_budget -------------

TEST_CASE("one NIC interrupt, NAPI polls of at most the budget", "[nic][napi]") {
  // read+write of a cached 1 MiB file in 16 KiB chunks: 64 writes, one skb each (a
  // 16 KiB write fits one page frag: one fragment). Interrupt moderation of 64 frames
  // and 100 ms holds the interrupt until all 64 completions (0.84 ms) are there: 1 interrupt.
  // __napi_poll reaps min(budget, waiting) per poll, and a poll that used its whole
  // budget is always followed by another: budget 64: 64, then one that finds
  // nothing: 2 polls; budget 10: 10 x 6 + 4 = 7 polls (the seventh used 4 < 10 and
  // completes NAPI); budget 16: 16 x 4 and an empty fifth: 5 polls.
  const std::string base =
      "kiosim: 1\nfiles: [{name: d, size: 1MiB, cached: true}]\n"
      "compare: { transfer: {file: d, to: socket, chunk: 16KiB}, methods: [read_write] }\n"
      "sweep: { key: nic.napi_budget, values: [64, 10, 16] }\n";
  auto runs = test::simulate_text("napi", "set: { nic.irq_coalesce_frames: 64, nic.irq_coalesce_usecs: 100ms }\n" + base);
  REQUIRE(runs.size() == 3);
  json b64 = runs[0]["counters"], b10 = runs[1]["counters"], b16 = runs[2]["counters"];
  CHECK(b64["skbs"] == 64);
  CHECK(b64["sg_frags"] == 64);
  CHECK(b64["interrupts"] == 1);
  CHECK(b64["napi_polls"] == 2);
  CHECK(b10["interrupts"] == 1);
  CHECK(b10["napi_polls"] == 7);
  CHECK(b16["interrupts"] == 1);
  CHECK(b16["napi_polls"] == 5);
  // Without moderation each completion interrupts at once: 16 KiB takes 13.1 us on
  // the 10 Gbit/s wire and a poll 1 us, so each poll finds one completion: 64 and 64.
  auto plain = test::simulate_text("napi-plain", base);
  CHECK(plain.at(0)["counters"]["interrupts"] == 64);
  CHECK(plain.at(0)["counters"]["napi_polls"] == 64);
}

TEST_CASE("refilling a buffer MSG_ZEROCOPY still sends: wait or overwrite", "[nic][zerocopy]") {
  // read 64 KiB into b, send it with MSG_ZEROCOPY, read into b again at once: the
  // NIC has not sent it yet (52 us on the wire), so the second read must wait for
  // the completion, or (overwrite) proceeds and the wire carries the new bytes.
  std::string text =
      "kiosim: 1\nfiles: [{name: d, size: 1MiB, cached: true}]\nprocesses:\n  - setup: [ {open: {file: d, as: f}}, "
      "{socket: {as: s}} ]\n    program:\n      - read: {fd: f, bytes: 64KiB, buf: b}\n"
      "      - send: {fd: s, bytes: 64KiB, buf: b, zerocopy: true}\n      - read: {fd: f, bytes: 64KiB, buf: b}\n";
  json waits = run_one("zc-wait", text);
  CHECK(waits["zerocopy_waits"] == 1);
  CHECK(waits["zerocopy_overwrites"] == 0);
  json over = run_one("zc-over", "set: { net.zerocopy_reuse: overwrite }\n" + text);
  CHECK(over["zerocopy_waits"] == 0);
  CHECK(over["zerocopy_overwrites"] == 1);
}
