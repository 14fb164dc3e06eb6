// One event stream per run: what happened, when, on which lane, between which
// places, for which request. `kiosim run --trace` writes it (docs/TRACE.md);
// the GUI, `explain` and the exports read it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/events.h"

namespace kiosim {

// Where data lives; the boxes of the GUI's data-path view.
enum class Place : std::uint8_t { none, disk, page_cache, user_buffer, mapping, pipe, socket_buffer, nic, wire };
std::string_view to_string(Place p);

enum class LaneKind : std::uint8_t { user, kernel, device };
std::string_view to_string(LaneKind k);

struct TraceEvent {
  std::int64_t t_ns = 0;
  std::int64_t dur_ns = 0;
  std::uint32_t lane = 0;
  EventKind kind{};
  Place from = Place::none, to = Place::none;
  std::uint64_t bytes = 0, pages = 0;
  std::uint64_t req = 0;       // the request (syscall) this belongs to; 0 for none
  std::int64_t page = -1;      // first page index for page-level events, -1 for none
  std::uint32_t file = 0;      // the file of `page`
  std::string name;            // syscall name, or a short note
  bool user_mode = false;      // a fault taken in user mode (it crosses the boundary twice)
  // The GUI's address-space and TLB views (docs/TRACE.md); -1 / 0 for none.
  std::int64_t mm = -1;        // the address space (its TLB tag); set for every user-thread event
  std::int64_t core = -1;      // the core the thread runs on
  std::int64_t frame = -1;     // a write fault: the private frame the PTE maps now
  std::int64_t old_frame = -1;  // a CoW fault: the shared frame it copied
  std::int64_t child = -1;     // fork's syscall_exit: the child's address space
  std::uint64_t span = 0;      // tlb_miss: the pages touched from `page` (hits and misses)
  std::uint64_t cpus = 0;      // tlb_shootdown: the target cores, one bit each
};

struct Lane {
  std::string name;
  LaneKind kind;
};

class Trace {
 public:
  explicit Trace(bool enabled = false) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  std::uint32_t add_lane(std::string name, LaneKind kind);
  void add(TraceEvent e) {
    if (enabled_) events_.push_back(std::move(e));
  }
  const std::vector<TraceEvent>& events() const { return events_; }
  const std::vector<Lane>& lanes() const { return lanes_; }
  nlohmann::ordered_json lanes_json() const;
  nlohmann::ordered_json events_json() const;  // sorted by time, stable

 private:
  bool enabled_;
  std::vector<Lane> lanes_;
  std::vector<TraceEvent> events_;
};

}  // namespace kiosim
