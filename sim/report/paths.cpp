#include "sim/report/paths.h"

#include <fmt/format.h>
#include <map>
#include <set>

#include "sim/export/critical_path.h"
#include "sim/report/explain.h"
#include "sim/report/report.h"
#include "sim/scenario/units.h"

namespace kiosim {

namespace {

using exports::CriticalStep;
using exports::StepKind;

std::string time_text(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3f} ms", ns / 1e6);
  return fmt::format("{:.1f} us", ns / 1e3);
}

std::string spaced(std::string s) {
  for (char& c : s)
    if (c == '_') c = ' ';
  return s;
}

std::string step_text(const exports::TraceRun& run, const CriticalStep& s) {
  const exports::RunEvent& e = run.events[s.event];
  const std::string& lane = run.lanes[e.lane].name;
  if (s.kind == StepKind::wake_up) return fmt::format("wake-up of {} (IPI, idle exit, context switch)", lane);
  if (s.kind == StepKind::cpu_gap && run.lanes[e.lane].kind == "device")
    return fmt::format("{} serving the request (the wire's round trip to the ACK)", lane);
  if (s.kind == StepKind::cpu_gap) return fmt::format("CPU on {} (entry/exit, bookkeeping)", lane);
  std::string text = spaced(e.kind_name);
  if (!e.name.empty()) text += " " + e.name;
  if (!e.from.empty() || !e.to.empty()) text += fmt::format(" {} -> {}", spaced(e.from), spaced(e.to));
  if (e.bytes) text += ", " + format_size(double(e.bytes));
  return text;
}

// Steps in a row that say the same (12 copies of one chunk each) read better as one line.
struct Line {
  std::int64_t start = 0, ns = 0;
  std::string lane, text;
  std::size_t times = 0;
};

std::vector<Line> lines_of(const exports::TraceRun& run, const exports::CriticalPath& cp) {
  std::vector<Line> lines;
  for (const CriticalStep& s : cp.steps) {
    const exports::RunEvent& e = run.events[s.event];
    std::string lane = run.lanes[e.lane].name, text = step_text(run, s);
    if (s.ns == 0 && s.kind == StepKind::event && e.dur == 0) continue;  // an instant adds nothing
    if (!lines.empty() && lines.back().lane == lane && lines.back().text == text) {
      lines.back().ns += s.ns;
      ++lines.back().times;
      continue;
    }
    std::int64_t start = s.kind == StepKind::event ? e.t : e.t - s.ns;
    lines.push_back({start, s.ns, lane, text, 1});
  }
  return lines;
}

}  // namespace

void print_critical_path(std::ostream& out, const nlohmann::ordered_json& run_json) {
  exports::TraceRun run = exports::read_run(run_json);
  exports::CriticalPath cp = exports::critical_path(run);
  const double total = double(std::max<std::int64_t>(cp.total_ns, 1));
  out << fmt::format("critical path of `{}`: {} of {} end to end ({:.1f}%)\n", run.name, time_text(double(cp.path_ns)),
                     time_text(double(cp.total_ns)), 100.0 * double(cp.path_ns) / total);
  std::size_t w = 6;
  for (const auto& l : run.lanes) w = std::max(w, l.name.size());
  out << fmt::format("{:>12}  {:<{}}  {:>11}  {:>6}  {}\n", "start", "lane", w, "time", "share", "step");
  std::map<std::string, std::int64_t> by_kind;
  for (const Line& l : lines_of(run, cp)) {
    std::string text = l.times > 1 ? fmt::format("{} (x{})", l.text, l.times) : l.text;
    out << fmt::format("{:>12}  {:<{}}  {:>11}  {:>5.1f}%  {}\n", time_text(double(l.start)), l.lane, w,
                       time_text(double(l.ns)), 100.0 * double(l.ns) / total, text);
  }
  for (const CriticalStep& s : cp.steps) {
    std::string k = s.kind == StepKind::wake_up ? "wake-up" : s.kind == StepKind::cpu_gap ? "CPU between events"
                                                                                          : run.events[s.event].kind_name;
    by_kind[k] += s.ns;
  }
  out << "by kind:";
  std::vector<std::pair<std::int64_t, std::string>> sorted;
  for (const auto& [k, ns] : by_kind)
    if (ns > 0) sorted.emplace_back(ns, k);
  std::sort(sorted.rbegin(), sorted.rend());
  for (const auto& [ns, k] : sorted) out << fmt::format(" {} {:.1f}%", k, 100.0 * double(ns) / total);
  out << "\n";
}

std::uint64_t last_request(const nlohmann::ordered_json& run) {
  std::uint64_t last = 0;
  for (const auto& e : run["events"]) last = std::max(last, e.value("req", std::uint64_t(0)));
  return last;
}

bool print_request(std::ostream& out, const nlohmann::ordered_json& run, std::uint64_t req) {
  nlohmann::ordered_json one = run;
  one["events"] = nlohmann::ordered_json::array();
  std::set<std::string> lanes;
  for (const auto& e : run["events"])
    if (e.value("req", std::uint64_t(0)) == req) {
      one["events"].push_back(e);
      lanes.insert(run["lanes"][e["lane"].get<std::size_t>()]["name"].get<std::string>());
    }
  if (one["events"].empty()) return false;
  const auto& ev = one["events"];
  double t0 = ev.front()["t"].get<double>(), t1 = t0;
  for (const auto& e : ev) t1 = std::max(t1, e["t"].get<double>() + e.value("dur", 0.0));
  std::string across;
  for (const auto& l : lanes) across += (across.empty() ? "" : ", ") + l;
  out << fmt::format("request {} of `{}`: {} events on {} ({}), {} from first to last\n", req,
                     run["name"].get<std::string>(), ev.size(), lanes.size() == 1 ? "1 lane" : fmt::format("{} lanes", lanes.size()),
                     across, time_text(t1 - t0));
  print_explain(out, one);
  return true;
}

}  // namespace kiosim
