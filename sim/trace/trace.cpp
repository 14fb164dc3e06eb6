#include "sim/trace/trace.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "sim/trace/schema.h"  // to_string(EventKind)

namespace kiosim {

std::string_view to_string(Place p) {
  static constexpr std::string_view names[] = {"",     "disk",          "page_cache", "user_buffer", "mapping",
                                               "pipe", "socket_buffer", "nic",        "wire"};
  return names[std::size_t(p)];
}

std::string_view to_string(LaneKind k) {
  static constexpr std::string_view names[] = {"user", "kernel", "device"};
  return names[std::size_t(k)];
}

std::uint32_t Trace::add_lane(std::string name, LaneKind kind) {
  lanes_.push_back({std::move(name), kind});
  return std::uint32_t(lanes_.size() - 1);
}

nlohmann::ordered_json Trace::lanes_json() const {
  auto out = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < lanes_.size(); ++i)
    out.push_back({{"id", i}, {"name", lanes_[i].name}, {"kind", to_string(lanes_[i].kind)}});
  return out;
}

nlohmann::ordered_json Trace::events_json() const {
  std::vector<const TraceEvent*> sorted;
  sorted.reserve(events_.size());
  for (const auto& e : events_) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->t_ns < b->t_ns; });
  auto out = nlohmann::ordered_json::array();
  for (const TraceEvent* e : sorted) {
    nlohmann::ordered_json j;
    j["t"] = e->t_ns;
    if (e->dur_ns) j["dur"] = e->dur_ns;
    j["lane"] = e->lane;
    j["kind"] = to_string(e->kind);
    if (!e->name.empty()) j["name"] = e->name;
    if (e->from != Place::none) j["from"] = to_string(e->from);
    if (e->to != Place::none) j["to"] = to_string(e->to);
    if (e->bytes) j["bytes"] = e->bytes;
    if (e->pages) j["pages"] = e->pages;
    if (e->req) j["req"] = e->req;
    if (e->page >= 0) {
      j["file"] = e->file;
      j["page"] = e->page;
    }
    if (e->user_mode) j["user_mode"] = true;
    if (e->mm >= 0) j["mm"] = e->mm;
    if (e->core >= 0) j["core"] = e->core;
    if (e->frame >= 0) j["frame"] = e->frame;
    if (e->old_frame >= 0) j["old_frame"] = e->old_frame;
    if (e->child >= 0) j["child"] = e->child;
    if (e->span) j["span"] = e->span;
    if (e->cpus) j["cpus"] = e->cpus;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace kiosim
