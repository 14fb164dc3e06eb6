// A local receiver (net.receiver: local, a socket pair as real mode measures): the
// receiver sleeps on an empty socket and every wake-up costs cpu.wakeup of idle time;
// an af_unix sender asleep on a full send buffer wakes when at most a quarter of it
// is in flight; copies into the socket run at net.send_bandwidth and out of it at
// net.recv_bandwidth. Every other cost is 0 so that the times can be worked by hand.
#include <catch2/catch.hpp>

#include "tests/unit/scenario_support.h"

using namespace kiosim;
using json = nlohmann::ordered_json;

namespace {

const std::string kCosts =
    "set: { net.receiver: local, net.sndbuf: 208KiB, cpu.wakeup: 10us, cpu.context_switch: 0ns, cpu.syscall: 0ns,\n"
    "       cpu.page_lookup: 0ns, cpu.page_ref: 0ns, cpu.skb: 0ns, cpu.skb_frag: 0ns, net.recv_call: 0ns,\n"
    "       net.recv_bandwidth: 1GB/s, net.send_bandwidth: 1GB/s, cpu.copy_bandwidth: 10GB/s,\n"
    "       memory.bandwidth: 1000GB/s }\n";

json run_method(const std::string& method) {
  auto runs = test::simulate_text("local-" + method,
                                  "kiosim: 1\n" + kCosts +
                                      "files: [{name: d, size: 1MiB, cached: true}]\n"
                                      "compare: { transfer: {file: d}, methods: [" + method + "] }\n");
  REQUIRE(runs.size() == 1);
  return runs[0];
}

const json& process(const json& run, const std::string& name) {
  for (const auto& p : run["processes"])
    if (p["name"] == name) return p["counters"];
  FAIL("no process " << name);
  static json none;
  return none;
}

}  // namespace

TEST_CASE("sendfile to a local receiver: a full socket buffer and two wake-ups per 256 KiB", "[net][local]") {
  // 1 MiB = 16 skbs of 64 KiB (16 page fragments each). sk_sndbuf 212992: the sender
  // queues while less than that is in flight: 0, 64K, 128K, 192K -> 4 skbs (256 KiB),
  // then sleeps until at most 53248 bytes (a quarter) are left: none.
  //   t = 0        the sender queues skbs 1-4 (no cost) and sleeps (switch 1).
  //   t = 10 us    the receiver, asleep in read() since the start, runs (wake 1);
  //                it copies 4 x 65536 B at 1 GB/s = 262.144 us.
  //   t = 272.144  the socket is empty: the receiver sleeps, the sender is woken.
  //   t = 282.144  the sender runs, queues skbs 5-8, sleeps; the receiver runs at 292.144.
  // Each group of 4 takes 10 + 262.144 + 10 = 282.144 us; the sender's 4th group never
  // sleeps (nothing left to queue): its sendfile returns at 3 x 282.144 = 846.432 us,
  // and the receiver has the last byte at 272.144 + 3 x 282.144 = 1118.576 us.
  json r = run_method("sendfile");
  CHECK(r["counters"]["sim_time_ns"] == 1118576);
  CHECK(r["threads"][0]["end_ns"] == 846432);
  CHECK(process(r, "sender")["context_switches_voluntary"] == 3);
  CHECK(process(r, "receiver")["context_switches_voluntary"] == 4);
  CHECK(process(r, "receiver")["cpu_copy_bytes"] == 1 << 20);
  CHECK(process(r, "sender")["cpu_copies"] == 0);
}

TEST_CASE("read+write to a local receiver: af_unix skbs of 36 KiB, reads of 64 KiB", "[net][local]") {
  // 16 chunks of 64 KiB. Each: read() copies 65536 B at 10 GB/s = 6.5536 us; write()
  // cuts it into af_unix skbs of at most 3776 + 32768 = 36544 B (A) and 28992 B (B),
  // copied at 1 GB/s: A is queued 43.0976 us into the chunk, B at its end, 72.0896 us.
  // The sender's CPU time is 16 x 72.0896 = 1153.4336 us; it never fills the buffer.
  // The receiver reads 64 KiB per call across skbs (A + B = one read: 16 reads) and
  // copies at 1 GB/s, a little faster than the chunks come, so it sleeps every other chunk:
  //   A1 at 43.0976, wakes at 53.0976, copies A1 B1 A2 B2 (131.072 us) until 184.1696;
  //   A3 comes at 187.2768 (after): asleep, wakes at 197.2768 ...
  // 8 wake-ups (chunks 1, 3, ..., 15); the last pair ends at 14 x 72.0896 + 184.1696
  // = 1193.424 us.
  json r = run_method("read_write");
  CHECK(process(r, "sender")["cpu_time_ns"] == 1153434);
  CHECK(process(r, "sender")["skbs"] == 32);
  CHECK(process(r, "sender")["context_switches_voluntary"] == 0);
  CHECK(process(r, "receiver")["context_switches_voluntary"] == 8);
  CHECK(process(r, "receiver")["syscalls_by_name"]["read"] == 16);
  CHECK(r["counters"]["sim_time_ns"] == 1193424);
}
