// The advertised receive window (model/tcp_window.h, after net/ipv4/tcp_output.c
// __tcp_select_window and tcp_select_window): numbers worked by hand beside each.
#include <catch2/catch.hpp>

#include "model/tcp_window.h"

using namespace kiosim;
using C = RcvWindow::Change;

TEST_CASE("__tcp_select_window: whole MSS above half free, 0 under one MSS or 1/16 of the buffer", "[tcp_window]") {
  // 16384-byte buffer, MSS 1448: half is 8192, 1/16 is 1024.
  CHECK(tcp_offer_window(16384, 16384, 1448) == 15928);  // 11 x 1448
  CHECK(tcp_offer_window(12288, 16384, 1448) == 11584);  // 8 x 1448
  CHECK(tcp_offer_window(8192, 16384, 1448) == 7240);    // exactly half: still rounded, 5 x 1448
  CHECK(tcp_offer_window(8191, 16384, 1448) == 8191);    // under half: the free space itself
  CHECK(tcp_offer_window(4096, 16384, 1448) == 4096);
  CHECK(tcp_offer_window(1448, 16384, 1448) == 1448);
  CHECK(tcp_offer_window(1447, 16384, 1448) == 0);       // under one MSS: silly window avoidance
  CHECK(tcp_offer_window(0, 16384, 1448) == 0);
  // A 64 KiB buffer: 1/16 is 4096, above one MSS, so 4095 free offers nothing.
  CHECK(tcp_offer_window(4095, 65536, 1448) == 0);
  CHECK(tcp_offer_window(4096, 65536, 1448) == 4096);
  // A buffer smaller than one MSS: the MSS is cut to the buffer (1024), and 1/16 is 64.
  CHECK(tcp_offer_window(1024, 1024, 1448) == 1024);
  CHECK(tcp_offer_window(511, 1024, 1448) == 0);
}

TEST_CASE("tcp_select_window: four 4 KiB segments close a 16 KiB window, reads reopen it", "[tcp_window]") {
  RcvWindow w(16384, 1448);
  CHECK(w.advertised() == 15928);
  // 1st segment: free 12288 offers 11584, under the 15928 - 4096 = 11832 still offered: kept.
  w.received(4096);
  CHECK(w.ack(12288) == C::none);
  CHECK(w.advertised() == 11832);
  // 2nd: free 8192 offers 7240, under 11832 - 4096 = 7736: kept.
  w.received(4096);
  CHECK(w.ack(8192) == C::none);
  CHECK(w.advertised() == 7736);
  // 3rd: 7736 - 4096 = 3640 still offered; free 4096 (under half) offers 4096.
  w.received(4096);
  CHECK(w.ack(4096) == C::none);
  CHECK(w.advertised() == 4096);
  // 4th: fills the buffer, 0 still offered, free 0 offers 0: the window goes to zero.
  w.received(4096);
  CHECK(w.still_offered() == 0);
  CHECK(w.ack(0) == C::to_zero);
  CHECK(w.advertised() == 0);
  CHECK(w.ack(0) == C::none);  // a second zero advertisement is no new transition
  // A read of 4096: 0 still offered, 4096 free offers 4096 >= 2 x 0: a window update.
  CHECK(w.read_sends_update(4096));
  CHECK(w.ack(4096) == C::from_zero);
  CHECK(w.advertised() == 4096);
  // With 4096 still offered and 8192 free: 7240 < 2 x 4096, no update.
  CHECK_FALSE(w.read_sends_update(8192));
  // 12288 free: 11584 >= 8192, an update, no transition.
  CHECK(w.read_sends_update(12288));
  CHECK(w.ack(12288) == C::none);
  CHECK(w.advertised() == 11584);
  // 11584 still offered is more than half the buffer: a read sends nothing.
  CHECK_FALSE(w.read_sends_update(16384));
}

TEST_CASE("a read that frees less than one MSS sends no window update", "[tcp_window]") {
  RcvWindow w(16384, 1448);
  w.received(15928);
  CHECK(w.ack(456) == C::to_zero);    // 16384 - 15928 = 456 free: under one MSS
  CHECK_FALSE(w.read_sends_update(1000));  // 1000 free: still under one MSS, offers 0
  CHECK(w.read_sends_update(1448));
}
