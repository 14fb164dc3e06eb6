#include "model/eventpoll.h"

#include <algorithm>

namespace kiosim {

void EventPoll::link(int fd, Epitem& epi) {
  if (epi.linked) return;
  epi.linked = true;
  rdllist_.push_back(fd);  // list_add_tail(&epi->rdllink, &ep->rdllist)
}

EpollError EventPoll::add(int fd, std::uint32_t events, std::uint32_t revents_now) {
  if (items_.count(fd)) return EpollError::exist;
  Epitem& epi = items_[fd];
  epi.events = events;
  if (revents_now & events & epoll_bits::io) link(fd, epi);
  return EpollError::none;
}

EpollError EventPoll::mod(int fd, std::uint32_t events, std::uint32_t revents_now) {
  auto it = items_.find(fd);
  if (it == items_.end()) return EpollError::noent;
  // do_epoll_ctl: EPOLL_CTL_MOD with EPOLLEXCLUSIVE, or of an exclusive item, is EINVAL.
  if ((events | it->second.events) & epoll_bits::exclusive) return EpollError::inval;
  it->second.events = events;
  if (revents_now & events & epoll_bits::io) link(fd, it->second);
  return EpollError::none;
}

EpollError EventPoll::del(int fd) {
  auto it = items_.find(fd);
  if (it == items_.end()) return EpollError::noent;
  if (it->second.linked) rdllist_.erase(std::find(rdllist_.begin(), rdllist_.end(), fd));
  items_.erase(it);
  return EpollError::none;
}

bool EventPoll::callback(int fd, std::uint32_t revents) {
  auto it = items_.find(fd);
  if (it == items_.end()) return false;
  // "if (pollflags && !(pollflags & epi->event.events)) goto out_unlock;"
  if (!(revents & it->second.events & epoll_bits::io)) return false;
  link(fd, it->second);
  return true;
}

std::vector<EpollEvent> EventPoll::send_events(std::uint32_t maxevents,
                                               const std::function<std::uint32_t(int)>& poll) {
  std::vector<EpollEvent> out;
  // ep_send_events moves the ready list aside (txlist) and walks it; what it puts back
  // (level-triggered items) goes on the (new) rdllist after what arrived meanwhile, so
  // one call sees each item at most once.
  std::deque<int> txlist;
  txlist.swap(rdllist_);
  while (!txlist.empty() && out.size() < maxevents) {
    const int fd = txlist.front();
    txlist.pop_front();
    Epitem& epi = items_.at(fd);
    epi.linked = false;  // list_del_init(&epi->rdllink)
    const std::uint32_t revents = poll(fd) & epi.events & epoll_bits::io;
    if (!revents) continue;  // not ready any more: dropped, until the next callback
    out.push_back({fd, revents});
    if (!(epi.events & epoll_bits::et)) link(fd, epi);  // level-triggered: back on the tail
  }
  // What the call did not reach stays ready, ahead of the items it put back
  // (ep_done_scan: list_splice(txlist, &ep->rdllist)).
  for (auto it = txlist.rbegin(); it != txlist.rend(); ++it) rdllist_.push_front(*it);
  return out;
}

std::uint32_t EventPoll::events_of(int fd) const {
  auto it = items_.find(fd);
  return it == items_.end() ? 0 : it->second.events;
}

void SockWaitQueue::add(int ep, bool exclusive) {
  if (exclusive) entries_.push_back({ep, true});
  else entries_.insert(entries_.begin(), Entry{ep, false});
}

void SockWaitQueue::remove(int ep) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [ep](const Entry& e) { return e.ep == ep; }),
                 entries_.end());
}

std::uint32_t SockWaitQueue::wake_up(const std::function<bool(int ep, bool exclusive)>& wake) const {
  std::uint32_t called = 0;
  int nr_exclusive = 1;
  for (const Entry& e : entries_) {
    ++called;
    const bool woke = wake(e.ep, e.exclusive);
    if (woke && e.exclusive && --nr_exclusive == 0) break;  // WQ_FLAG_EXCLUSIVE
  }
  return called;
}

}  // namespace kiosim
