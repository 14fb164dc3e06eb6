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
  // 4 MiB by sendfile = 64 skbs of 64 KiB, 16 fragments each. With 10% loss some are
  // lost; each is resent by one more DMA from the pages it still holds: the DMA count
  // grows by exactly the retransmits and the CPU copies nothing.
  json c = run_one("loss",
                   "kiosim: 1\nseed: 7\nset: { net.loss_rate: 0.1 }\nfiles: [{name: d, size: 4MiB, cached: true}]\n"
                   "compare: { transfer: {file: d}, methods: [sendfile] }\n");
  CHECK(c["skbs"] == 64);
  CHECK(c["retransmits"].get<int>() > 0);
  CHECK(c["dma_copies"].get<int>() == 64 + c["retransmits"].get<int>());
  CHECK(c["cpu_copies"] == 0);
}

TEST_CASE("a full TX ring stops the sender until completions free descriptors", "[nic][ring]") {
  // A 4 MiB sendfile makes 64 skbs of 16 fragments and no linear part: 16 descriptors
  // each. A ring of 32 holds two skbs, so the sender waits at skbs 3..64.
  json c = run_one("ring",
                   "kiosim: 1\nset: { nic.tx_ring: 32 }\nfiles: [{name: d, size: 4MiB, cached: true}]\n"
                   "compare: { transfer: {file: d}, methods: [sendfile] }\n");
  CHECK(c["skbs"] == 64);
  CHECK(c["ring_full_waits"] == 62);
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
