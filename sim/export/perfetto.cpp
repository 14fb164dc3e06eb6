#include "sim/export/perfetto.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "sim/export/critical_path.h"
#include "sim/trace/schema.h"

namespace kiosim::exports {

namespace {

using json = nlohmann::json;

double us(std::int64_t ns) { return double(ns) / 1000.0; }  // the format counts microseconds

struct Slice {
  std::int64_t t = 0, end = 0;
  std::uint32_t lane = 0;
  std::size_t event = 0;  // the event (for a syscall: its syscall_enter)
  bool syscall = false;
  std::uint32_t tid = 0;  // assigned: lane track, or an extra track of the lane
};

// System calls from their enter/exit pairs; every event with a duration.
std::vector<Slice> slices_of(const TraceRun& run) {
  std::vector<Slice> out;
  std::map<std::uint32_t, std::vector<std::size_t>> open;  // per lane: entered syscalls
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const RunEvent& e = run.events[i];
    if (e.kind == EventKind::syscall_enter) open[e.lane].push_back(i);
    else if (e.kind == EventKind::syscall_exit && !open[e.lane].empty()) {
      std::size_t b = open[e.lane].back();
      open[e.lane].pop_back();
      out.push_back({run.events[b].t, e.t, e.lane, b, true});
    } else if (e.dur > 0) {
      out.push_back({e.t, e.end(), e.lane, i, false});
    }
  }
  std::sort(out.begin(), out.end(), [](const Slice& a, const Slice& b) {
    if (a.lane != b.lane) return a.lane < b.lane;
    if (a.t != b.t) return a.t < b.t;
    if (a.end != b.end) return a.end > b.end;  // the enclosing one first
    return a.syscall > b.syscall;
  });
  return out;
}

// Puts each slice on a track where it nests in or follows the others (trace-event
// slices on one thread must nest); tids: lane + 1, extra tracks after all lanes.
std::map<std::pair<std::uint32_t, std::size_t>, std::uint32_t> assign_tracks(std::vector<Slice>& slices,
                                                                             std::uint32_t lanes) {
  std::map<std::pair<std::uint32_t, std::size_t>, std::uint32_t> extra;  // (lane, row) -> tid
  std::vector<std::vector<std::int64_t>> rows;  // per row of the current lane: open ends
  std::uint32_t lane = UINT32_MAX, next_tid = lanes + 1;
  for (Slice& s : slices) {
    if (s.lane != lane) rows.clear(), lane = s.lane;
    std::size_t r = 0;
    for (;; ++r) {
      if (r == rows.size()) rows.emplace_back();
      auto& open = rows[r];
      while (!open.empty() && open.back() <= s.t) open.pop_back();
      if (open.empty() || s.end <= open.back()) break;
    }
    rows[r].push_back(s.end);
    if (r == 0) s.tid = s.lane + 1;
    else {
      auto [it, fresh] = extra.try_emplace({s.lane, r}, next_tid);
      if (fresh) ++next_tid;
      s.tid = it->second;
    }
  }
  return extra;
}

json args_of(const RunEvent& e, bool critical) {
  json a = json::object();
  if (!e.from.empty()) a["from"] = e.from;
  if (!e.to.empty()) a["to"] = e.to;
  if (e.bytes) a["bytes"] = e.bytes;
  if (e.pages) a["pages"] = e.pages;
  if (e.req) a["req"] = e.req;
  if (e.page >= 0) a["page"] = e.page;
  if (critical) a["critical"] = true;
  return a;
}

std::string title_of(const RunEvent& e, bool syscall) {
  if (syscall) return e.name + "()";
  return e.name.empty() ? e.kind_name : e.kind_name + " " + e.name;
}

// Flow arrows: one per request that crosses lanes, with a point at each change of lane.
void add_flows(json& out, const TraceRun& run, const std::vector<Slice>& slices, int pid, std::uint64_t& flow_id) {
  std::vector<const Slice*> by_time;
  for (const Slice& s : slices)
    if (run.events[s.event].req) by_time.push_back(&s);
  std::stable_sort(by_time.begin(), by_time.end(), [&](const Slice* a, const Slice* b) {
    if (run.events[a->event].req != run.events[b->event].req) return run.events[a->event].req < run.events[b->event].req;
    return a->t != b->t ? a->t < b->t : a->end > b->end;
  });
  for (std::size_t i = 0; i < by_time.size();) {
    std::uint64_t req = run.events[by_time[i]->event].req;
    std::vector<const Slice*> points;
    for (; i < by_time.size() && run.events[by_time[i]->event].req == req; ++i)
      if (points.empty() || points.back()->tid != by_time[i]->tid) points.push_back(by_time[i]);
    if (points.size() < 2) continue;
    ++flow_id;
    for (std::size_t k = 0; k < points.size(); ++k) {
      const char* ph = k == 0 ? "s" : k + 1 == points.size() ? "f" : "t";
      json f{{"ph", ph}, {"id", flow_id}, {"name", fmt::format("request {}", req)}, {"cat", "request"},
             {"pid", pid}, {"tid", points[k]->tid}, {"ts", us(points[k]->t)}};
      if (k > 0) f["bp"] = "e";  // bind to the slice that encloses the point
      out.push_back(std::move(f));
    }
  }
}

// The counters the events determine (sim/trace/schema.h's rules), one track each,
// a sample wherever one changes.
void add_counters(json& out, const TraceRun& run, int pid) {
  std::map<std::string_view, std::uint64_t> value;
  for (std::size_t i = 0; i < run.events.size();) {
    std::int64_t t = run.events[i].t;
    std::map<std::string_view, bool> changed;
    for (; i < run.events.size() && run.events[i].t == t; ++i) {
      const RunEvent& e = run.events[i];
      if (e.kind == EventKind::count_) continue;
      schema::EventView v{e.kind, e.pages, e.bytes, e.user_mode, run.lanes[e.lane].name, e.name};
      for (const schema::Rule& r : schema::kRules)
        if (schema::matches(r, v)) value[r.counter] += schema::amount(r, v), changed[r.counter] = true;
    }
    for (const auto& [name, yes] : changed)
      out.push_back({{"ph", "C"}, {"name", std::string(name)}, {"pid", pid}, {"ts", us(t)},
                     {"args", {{"value", value[name]}}}});
  }
}

void add_run(json& out, const TraceRun& run, int pid, std::uint64_t& flow_id) {
  out.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", {{"name", run.name}}}});
  out.push_back({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", pid}, {"args", {{"sort_index", pid}}}});
  CriticalPath cp = critical_path(run);
  std::vector<Slice> slices = slices_of(run);
  auto extra = assign_tracks(slices, std::uint32_t(run.lanes.size()));
  auto thread = [&](std::uint32_t tid, const std::string& name) {
    out.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
    out.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pid}, {"tid", tid}, {"args", {{"sort_index", tid}}}});
  };
  for (std::uint32_t l = 0; l < run.lanes.size(); ++l) thread(l + 1, run.lanes[l].name);
  for (const auto& [lane_row, tid] : extra) thread(tid, fmt::format("{} #{}", run.lanes[lane_row.first].name, lane_row.second + 1));
  for (const Slice& s : slices) {
    const RunEvent& e = run.events[s.event];
    json o{{"name", title_of(e, s.syscall)}, {"cat", s.syscall ? "syscall" : e.kind_name}, {"pid", pid},
           {"tid", s.tid}, {"ts", us(s.t)}};
    if (s.syscall) {
      o["ph"] = "B";
      o["args"] = args_of(e, false);
      out.push_back(o);
      out.push_back({{"ph", "E"}, {"pid", pid}, {"tid", s.tid}, {"ts", us(s.end)}});
    } else {
      o["ph"] = "X";
      o["dur"] = us(s.end - s.t);
      o["args"] = args_of(e, cp.on_path[s.event]);
      out.push_back(std::move(o));
    }
  }
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const RunEvent& e = run.events[i];
    if (e.dur > 0 || e.kind == EventKind::syscall_enter || e.kind == EventKind::syscall_exit) continue;
    out.push_back({{"ph", "i"}, {"s", "t"}, {"name", title_of(e, false)}, {"cat", e.kind_name}, {"pid", pid},
                   {"tid", e.lane + 1}, {"ts", us(e.t)}, {"args", args_of(e, cp.on_path[i])}});
  }
  add_flows(out, run, slices, pid, flow_id);
  add_counters(out, run, pid);
}

}  // namespace

json perfetto_trace(const std::vector<TraceRun>& runs) {
  json events = json::array();
  std::uint64_t flow_id = 0;
  int pid = 0;
  for (const TraceRun& r : runs) add_run(events, r, ++pid, flow_id);
  return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ns"}};
}

}  // namespace kiosim::exports
