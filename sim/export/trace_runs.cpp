#include "sim/export/trace_runs.h"

#include <algorithm>
#include <fmt/format.h>

#include "sim/trace/schema.h"

namespace kiosim::exports {

namespace {

void flatten(const nlohmann::ordered_json& j, const std::string& prefix,
             std::vector<std::pair<std::string, double>>& out) {
  for (const auto& [k, v] : j.items()) {
    std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object()) flatten(v, key, out);
    else if (v.is_number()) out.emplace_back(key, v.get<double>());
  }
}

template <class T>
T field(const nlohmann::ordered_json& e, const char* key, T missing, const std::string& where) {
  auto it = e.find(key);
  if (it == e.end()) return missing;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw TraceFormatError(fmt::format("{}: `{}` has the wrong type ({})", where, key, it->type_name()));
  }
}

RunEvent read_event(const nlohmann::ordered_json& e, const std::string& where, std::size_t lanes) {
  if (!e.is_object()) throw TraceFormatError(where + ": expected an event object");
  if (!e.contains("t") || !e.contains("lane") || !e.contains("kind"))
    throw TraceFormatError(where + ": an event needs `t`, `lane` and `kind`");
  RunEvent ev;
  ev.t = field<std::int64_t>(e, "t", 0, where);
  ev.dur = std::max<std::int64_t>(0, field<std::int64_t>(e, "dur", 0, where));
  ev.lane = field<std::uint32_t>(e, "lane", 0, where);
  if (ev.lane >= lanes) throw TraceFormatError(fmt::format("{}: lane {} is not in `lanes`", where, ev.lane));
  ev.kind_name = field<std::string>(e, "kind", "", where);
  ev.kind = schema::kind_named(ev.kind_name).value_or(EventKind::count_);
  ev.name = field<std::string>(e, "name", "", where);
  ev.from = field<std::string>(e, "from", "", where);
  ev.to = field<std::string>(e, "to", "", where);
  ev.bytes = field<std::uint64_t>(e, "bytes", 0, where);
  ev.pages = field<std::uint64_t>(e, "pages", 0, where);
  ev.req = field<std::uint64_t>(e, "req", 0, where);
  ev.page = field<std::int64_t>(e, "page", -1, where);
  ev.user_mode = field<bool>(e, "user_mode", false, where);
  return ev;
}

}  // namespace

TraceRun read_run(const nlohmann::ordered_json& run) {
  TraceRun r;
  if (!run.is_object() || !run.contains("name") || !run["name"].is_string())
    throw TraceFormatError("trace: a run needs a `name`");
  r.name = run["name"].get<std::string>();
  const std::string where = "run `" + r.name + "`";
  if (auto it = run.find("lanes"); it != run.end() && it->is_array())
    for (const auto& l : *it) {
      if (!l.is_object()) throw TraceFormatError(where + ": expected a lane object");
      r.lanes.push_back({field<std::string>(l, "name", "", where), field<std::string>(l, "kind", "", where)});
    }
  if (auto it = run.find("events"); it != run.end()) {
    if (!it->is_array()) throw TraceFormatError(where + ": `events` must be a list");
    r.events.reserve(it->size());
    std::size_t i = 0;
    for (const auto& e : *it) r.events.push_back(read_event(e, fmt::format("{} event {}", where, i++), r.lanes.size()));
  }
  std::stable_sort(r.events.begin(), r.events.end(), [](const RunEvent& a, const RunEvent& b) { return a.t < b.t; });
  if (auto it = run.find("counters"); it != run.end() && it->is_object()) flatten(*it, "", r.counters);
  return r;
}

bool is_trace_document(const nlohmann::ordered_json& doc) {
  return doc.is_object() && doc.value("format", "") == "kiosim-trace";
}

std::vector<TraceRun> read_trace_document(const nlohmann::ordered_json& doc) {
  if (!is_trace_document(doc)) throw TraceFormatError("not a kiosim trace (expected \"format\": \"kiosim-trace\")");
  if (doc.value("version", 0) != 1)
    throw TraceFormatError(fmt::format("trace version {} (this kiosim reads version 1)", doc.value("version", 0)));
  if (!doc.contains("runs") || !doc["runs"].is_array()) throw TraceFormatError("trace: `runs` must be a list");
  std::vector<TraceRun> out;
  for (const auto& r : doc["runs"]) out.push_back(read_run(r));
  return out;
}

std::vector<TraceRun> runs_of_method(std::vector<TraceRun> runs, const std::string& method) {
  std::vector<TraceRun> out;
  for (auto& r : runs)
    if (r.name == method || r.name.rfind(method + "[", 0) == 0) out.push_back(std::move(r));
  return out;
}

}  // namespace kiosim::exports
