// An epoll instance, after fs/eventpoll.c: the interest list (one epitem per watched
// descriptor: ep_insert, ep_modify, ep_remove), the ready list (rdllist), the callback
// a watched socket calls when data arrives (ep_poll_callback) and what epoll_wait
// hands back (ep_send_events: each item taken off the ready list is polled again,
// ep_item_poll; a level-triggered one still ready goes back on the tail, an
// edge-triggered one (EPOLLET) only comes back with the next arrival).
//
// A socket's wait queue (SockWaitQueue) is __wake_up_common: every entry is woken
// until one exclusive entry (EPOLLEXCLUSIVE, add_wait_queue_exclusive: at the tail)
// has woken a sleeper; so one arrival wakes all the epoll instances watching it, or
// with EPOLLEXCLUSIVE only one of those that have a thread asleep in epoll_wait.
//
// Simplified: no ovflist (kiosim's kernel is not preempted inside ep_send_events),
// no EPOLLONESHOT, no nested epoll, no wakeup sources; descriptors are small ints.
// Pure: no time, no threads; the kernel (sim/kernel/sock_rx.*) sleeps and wakes.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <vector>

namespace kiosim {

// The epoll_event bits the model acts on (include/uapi/linux/eventpoll.h).
namespace epoll_bits {
inline constexpr std::uint32_t in = 0x001;          // EPOLLIN
inline constexpr std::uint32_t out = 0x004;         // EPOLLOUT
inline constexpr std::uint32_t exclusive = 1u << 28;  // EPOLLEXCLUSIVE
inline constexpr std::uint32_t et = 1u << 31;       // EPOLLET
inline constexpr std::uint32_t io = in | out;
}  // namespace epoll_bits

// What epoll_ctl returns: 0, or the errno Linux gives (do_epoll_ctl).
enum class EpollError : std::uint8_t { none, exist, noent, inval };

struct EpollEvent {
  int fd = -1;
  std::uint32_t revents = 0;
};

class EventPoll {
 public:
  // ep_insert: EEXIST if watched already. `revents_now` is ep_item_poll's answer at
  // insert time: a descriptor already ready goes on the ready list at once.
  EpollError add(int fd, std::uint32_t events, std::uint32_t revents_now);
  // ep_modify: ENOENT if not watched; EINVAL for EPOLLEXCLUSIVE (on either side).
  EpollError mod(int fd, std::uint32_t events, std::uint32_t revents_now);
  EpollError del(int fd);  // ep_remove: ENOENT if not watched

  // ep_poll_callback: `fd` reports `revents` (a new arrival: sk_data_ready). Returns
  // false if the instance has no interest in them (the event is dropped); else the
  // item is on the ready list (added at the tail unless already linked).
  bool callback(int fd, std::uint32_t revents);

  bool events_available() const { return !rdllist_.empty(); }  // ep_events_available
  // ep_send_events: takes up to `maxevents` items from the head, polls each with
  // `poll(fd)` (ep_item_poll: the events ready now); reports those with any of their
  // interest bits, and puts a level-triggered one back on the tail.
  std::vector<EpollEvent> send_events(std::uint32_t maxevents, const std::function<std::uint32_t(int)>& poll);

  bool watches(int fd) const { return items_.count(fd) != 0; }
  std::uint32_t events_of(int fd) const;  // 0 if not watched
  std::size_t interest_size() const { return items_.size(); }
  std::size_t ready_size() const { return rdllist_.size(); }

 private:
  struct Epitem {
    std::uint32_t events = 0;
    bool linked = false;  // ep_is_linked(&epi->rdllink)
  };
  void link(int fd, Epitem& epi);

  std::unordered_map<int, Epitem> items_;  // the red-black tree rbr, keyed by fd
  std::deque<int> rdllist_;
};

// A socket's wait queue (sk_sleep): the epoll instances that watch it.
class SockWaitQueue {
 public:
  // ep_ptable_queue_proc: an exclusive entry goes at the tail, another at the head.
  void add(int ep, bool exclusive);
  void remove(int ep);
  bool empty() const { return entries_.empty(); }
  // __wake_up_common(nr_exclusive = 1): calls `wake(ep)` for each entry in order; it
  // returns whether it woke a sleeper (ep_poll_callback's ewake: always 1 for a
  // non-exclusive entry). The walk stops after the first exclusive entry that woke
  // one. Returns the number of entries called.
  std::uint32_t wake_up(const std::function<bool(int ep, bool exclusive)>& wake) const;

 private:
  struct Entry {
    int ep;
    bool exclusive;
  };
  std::vector<Entry> entries_;
};

}  // namespace kiosim
