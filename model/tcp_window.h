// The receive window a TCP receiver advertises, after net/ipv4/tcp_output.c
// __tcp_select_window (what to offer) and tcp_select_window (never shrink what is
// still offered; the TCPToZeroWindowAdv and TCPFromZeroWindowAdv counts), and the
// window update a read sends (net/ipv4/tcp.c tcp_cleanup_rbuf).
//  - __tcp_select_window: with under half of the buffer free, a window below one MSS,
//    or below 1/16 of the buffer, is 0 (receiver-side silly window syndrome
//    avoidance); otherwise the free space, rounded down to a whole MSS when at least
//    half of the buffer is free;
//  - tcp_select_window: the new window never falls below what the last one still
//    offers (rcv_wup + rcv_wnd - rcv_nxt): the receiver does not take back a window;
//  - tcp_cleanup_rbuf: after a read, an ACK goes out only if the window it can offer
//    now is at least twice what is still offered, and that is at most half the buffer.
// Simplified: no window scaling (rcv_wscale 0), no memory pressure, no skb overhead
// (tcp_space is the free bytes of sk_rcvbuf; Linux counts truesize and halves it by
// scaling_ratio), no window_clamp below the buffer, no delayed ACKs.
// Pure: the kernel (sim/kernel/sock_rx.*) says when bytes arrive and are read.
#pragma once
#include <cstdint>

namespace kiosim {

// __tcp_select_window: the window worth offering with `free_space` bytes free of
// `full_space` (the receive buffer), for segments of `mss` bytes.
std::uint64_t tcp_offer_window(std::uint64_t free_space, std::uint64_t full_space, std::uint64_t mss);

class RcvWindow {
 public:
  enum class Change : std::uint8_t { none, to_zero, from_zero };

  // A connection opens with the whole buffer offered.
  RcvWindow(std::uint64_t full_space, std::uint64_t mss);

  // tcp_receive_window: what the last advertisement still lets the sender send.
  std::uint64_t still_offered() const { return offered_ > received_ ? offered_ - received_ : 0; }
  std::uint64_t advertised() const { return offered_; }
  // `bytes` arrived in sequence (rcv_nxt moves); the caller admits no more than still_offered().
  void received(std::uint64_t bytes) { received_ += bytes; }
  // tcp_select_window at an ACK, with `free_space` bytes of the buffer free now.
  Change ack(std::uint64_t free_space);
  // tcp_cleanup_rbuf after a read: whether the read sends a window update (then ack()).
  bool read_sends_update(std::uint64_t free_space) const;

 private:
  std::uint64_t full_, mss_;
  std::uint64_t offered_;       // rcv_wnd, from rcv_wup
  std::uint64_t received_ = 0;  // rcv_nxt - rcv_wup
};

}  // namespace kiosim
