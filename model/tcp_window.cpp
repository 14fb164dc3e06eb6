#include "model/tcp_window.h"

#include <algorithm>

namespace kiosim {

std::uint64_t tcp_offer_window(std::uint64_t free_space, std::uint64_t full_space, std::uint64_t mss) {
  if (mss > full_space) mss = full_space;  // "mss > full_space": a buffer smaller than one segment
  if (mss == 0) return 0;
  free_space = std::min(free_space, full_space);
  if (free_space < full_space / 2) {
    if (free_space < full_space / 16 || free_space < mss) return 0;
    return free_space;  // rcv_wscale 0: no rounding to the scale
  }
  return free_space / mss * mss;  // "window = rounddown(free_space, mss)"
}

RcvWindow::RcvWindow(std::uint64_t full_space, std::uint64_t mss)
    : full_(full_space), mss_(mss), offered_(tcp_offer_window(full_space, full_space, mss)) {}

RcvWindow::Change RcvWindow::ack(std::uint64_t free_space) {
  const std::uint64_t old_win = offered_;
  const std::uint64_t cur_win = still_offered();
  std::uint64_t new_win = tcp_offer_window(free_space, full_, mss_);
  if (new_win < cur_win) new_win = cur_win;  // never shrink the offered window
  offered_ = new_win;
  received_ = 0;  // rcv_wup = rcv_nxt
  if (new_win == 0) return old_win != 0 ? Change::to_zero : Change::none;
  return old_win == 0 ? Change::from_zero : Change::none;
}

bool RcvWindow::read_sends_update(std::uint64_t free_space) const {
  const std::uint64_t now = still_offered();
  if (2 * now > full_) return false;
  const std::uint64_t w = tcp_offer_window(free_space, full_, mss_);
  return w != 0 && w >= 2 * now;
}

}  // namespace kiosim
