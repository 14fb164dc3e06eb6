// io_uring's IORING_OP_SEND_ZC (io_uring/net.c io_send_zc, io_uring/notif.c): two CQEs
// per send, the result (IORING_CQE_F_MORE) at once and the notification
// (IORING_CQE_F_NOTIF) when the NIC's last skb of it is freed; the payload is never
// copied into the skbs (the user pages are pinned and attached as fragments). Numbers
// by hand from the default machine (scenarios/machines/default.yaml): TSO skbs of
// 65,160 B (45 x 1448), a 10 Gbit/s NIC, an ACK 20 us after an skb leaves.
#include <catch2/catch.hpp>

#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

// One io_uring_enter of four 64 KiB sends from buffer b, then a read() into b.
std::string sends(bool zerocopy) {
  const std::string z = zerocopy ? ", zerocopy: true" : "";
  std::string sqe = "{ send: { fd: s, bytes: 64KiB, buf: b" + z + " } },";
  std::string sqes = sqe + sqe + sqe + sqe;
  sqes.pop_back();
  return "kiosim: 1\nfiles: [{name: d, size: 4KiB, cached: true}]\n"
         "processes:\n  - setup: [ {open: {file: d, as: f}}, {socket: {as: s}}, {uring_setup: { entries: 4 }} ]\n"
         "    program:\n      - uring: { do: [" + sqes + "] }\n"
         "      - read: { fd: f, bytes: 4KiB, buf: b }\n";
}

}  // namespace

TEST_CASE("io_uring SEND_ZC: two CQEs a send, no copy of the payload, the buffer reused after the notification",
          "[uring][send_zc]") {
  // 64 KiB = 65,536 B = 65,160 + 376: 2 skbs a send, 8 in all, their pages pinned and
  // attached as fragments: 0 CPU copies for the sends. Each send posts its result CQE
  // at once (4) and its notification CQE when its last skb's ACK frees it (4): 8 CQEs,
  // 4 notifications, and no recvmsg(MSG_ERRQUEUE) as MSG_ZEROCOPY needs. The read()
  // into b comes right after the submission returns (a few microseconds), while the
  // first skb is still on the wire (65,160 B at 10 Gbit/s = 52.1 us): b is still
  // pinned, so the program waits for the notifications, one io_uring_enter
  // (IORING_ENTER_GETEVENTS), zerocopy_waits 1. Then the read copies its 4 KiB: 1 copy.
  // System calls: io_uring_enter 2 (submit, wait), read 1.
  auto z = test::simulate_text("send-zc", sends(true));
  const auto& c = z.at(0)["counters"];
  CHECK(c["uring_sqes"] == 4);
  CHECK(c["uring_cqes"] == 8);
  CHECK(c["uring_zc_notifs"] == 4);
  CHECK(c["zerocopy_sends"] == 4);
  CHECK(c["zerocopy_completions"] == 4);
  CHECK(c["skbs"] == 8);
  CHECK(c["cpu_copies"] == 1);
  CHECK(c["cpu_copy_bytes"] == 4096);
  CHECK(c["zerocopy_waits"] == 1);
  CHECK(c["syscalls"] == 3);
  CHECK(c["syscalls_by_name"]["io_uring_enter"] == 2);
  CHECK_FALSE(c["syscalls_by_name"].contains("recvmsg"));

  // The same sends copied (IORING_OP_SEND): one copy into each skb's page frags, 8,
  // plus the read's; one CQE a send; nothing pinned, so the read does not wait: 2 calls.
  auto p = test::simulate_text("send-copy", sends(false));
  const auto& d = p.at(0)["counters"];
  CHECK(d["uring_cqes"] == 4);
  CHECK(d["uring_zc_notifs"] == 0);
  CHECK(d["cpu_copies"] == 9);
  CHECK(d["cpu_copy_bytes"] == 4 * 65536 + 4096);
  CHECK(d["zerocopy_waits"] == 0);
  CHECK(d["syscalls"] == 2);
}
