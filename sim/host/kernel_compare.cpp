#include "sim/host/kernel_compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "sim/host/kernel_trace_session.h"
#include "sim/host/measure.h"

namespace kiosim::host {

namespace {

// The lanes whose events count for `process`: its own user lanes, and every kernel or device lane.
std::set<std::uint64_t> lanes_of(const nlohmann::ordered_json& run, const std::string& process) {
  std::set<std::uint64_t> out;
  if (!run.contains("lanes")) return out;
  for (const auto& l : run["lanes"]) {
    std::string name = l.value("name", ""), kind = l.value("kind", "");
    if (kind != "user" || name == process || name.rfind(process + "/", 0) == 0) out.insert(l.value("id", 0u));
  }
  return out;
}

double num(const nlohmann::ordered_json& e, const char* k) { return e.contains(k) ? e[k].get<double>() : 0.0; }

}  // namespace

std::optional<std::vector<const nlohmann::ordered_json*>> events_for(const nlohmann::ordered_json& sim_run,
                                                                      const std::string& process) {
  if (!sim_run.is_object() || !sim_run.contains("events")) return std::nullopt;
  std::vector<const nlohmann::ordered_json*> out;
  auto lanes = lanes_of(sim_run, process);
  for (const auto& e : sim_run["events"])
    if (lanes.count(e.value("lane", 0u))) out.push_back(&e);
  return out;
}

std::vector<KindBeside> kinds_beside(const nlohmann::ordered_json& sim_run, const std::string& process,
                                     const KernelEvents& k, const nlohmann::ordered_json* counters) {
  const bool have_sim = sim_run.is_object() && sim_run.contains("events");
  auto pred = [&](auto&& pick) -> std::optional<std::vector<double>> {
    if (!have_sim) return std::nullopt;
    std::vector<double> v;
    auto lanes = lanes_of(sim_run, process);
    for (const auto& e : sim_run["events"])
      if (lanes.count(e.value("lane", 0u))) pick(e, v);
    return v;
  };
  auto is = [](const nlohmann::ordered_json& e, const char* kind) { return e.value("kind", "") == kind; };
  std::vector<KindBeside> out;

  KindBeside windows{"readahead windows", "pages", pred([&](const auto& e, auto& v) {
                       if (is(e, "readahead") && e.value("name", "") != "fadvise WILLNEED") v.push_back(num(e, "pages"));
                     }),
                     {}, "page_cache_ra_order's size; kiosim's readahead events (sync, async, mmap fault)"};
  for (auto w : readahead_windows(k)) windows.kernel.push_back(double(w));
  out.push_back(windows);
  for (const char* kind : {"sync", "async"}) {
    KindBeside calls{fmt::format("{} readahead calls", kind), "at page", pred([&](const auto& e, auto& v) {
                       if (is(e, "readahead") && e.value("name", "") == kind) v.push_back(num(e, "page"));
                     }),
                     {}, fmt::format("page_cache_{}_ra's index; kiosim's readahead `{}`", kind, kind)};
    for (const auto& r : k.readahead)
      if (r.kind == kind) calls.kernel.push_back(double(r.index));
    out.push_back(calls);
  }
  KindBeside around{"fault ranges", "pages", pred([&](const auto& e, auto& v) {
                      if ((is(e, "page_fault_minor") || is(e, "page_fault_major")) && e.contains("file"))
                        v.push_back(num(e, "pages"));
                    }),
                    {}, "mm_filemap_map_pages (fault-around); kiosim's file faults' pages mapped"};
  for (const auto& m : k.map_ranges) around.kernel.push_back(double(m.pages()));
  out.push_back(around);
  KindBeside faults{"user-mode faults", "", pred([&](const auto& e, auto& v) {
                      if ((is(e, "page_fault_minor") || is(e, "page_fault_major") || is(e, "cow_fault")) &&
                          e.value("user_mode", false))
                        v.push_back(1);
                    }),
                    std::vector<double>(std::size_t(k.user_faults), 1.0),
                    "exceptions:page_fault_user (every user fault of the process, its libraries' too)"};
  out.push_back(faults);
  KindBeside added{"page cache inserts", "pages", pred([&](const auto& e, auto& v) {
                     if (is(e, "cache_insert")) v.push_back(num(e, "pages"));
                   }),
                   {}, "mm_filemap_add_to_page_cache (one per folio: 2^order pages); kiosim's cache_insert"};
  KindBeside deleted{"page cache deletions", "pages", pred([&](const auto& e, auto& v) {
                       if (is(e, "evict")) v.push_back(num(e, "pages"));
                     }),
                     {}, "mm_filemap_delete_from_page_cache (by anyone, of the scenario's files); kiosim's evict"};
  for (const auto& c : k.cache) (c.added ? added : deleted).kernel.push_back(double(c.pages()));
  out.push_back(added);
  out.push_back(deleted);
  KindBeside commits{"journal commits", "us", pred([&](const auto& e, auto& v) {
                       if (is(e, "journal_commit")) v.push_back(num(e, "dur") / 1e3);
                     }),
                     {}, "jbd2_start_commit to jbd2_end_commit; kiosim's journal_commit (its duration)"};
  if (commits.predicted && counters && counters->contains("journal_commits")) {
    auto own = (*counters)["journal_commits"].get<std::uint64_t>();
    if (own == 0) {
      commits.predicted->clear();
    } else if (own != commits.predicted->size()) {
      commits.note = fmt::format("the simulated run's {} commits are shared by its processes ({} asked by this one): "
                                 "not set beside one process's",
                                 commits.predicted->size(), own);
      commits.predicted.reset();
    }
  }
  std::vector<double> locking, flushing, logging;
  for (const auto& c : k.commits) {
    if (!c.complete()) continue;
    commits.kernel.push_back((c.end_s - c.start_s) * 1e6);
    if (c.locking_s > 0 && c.flushing_s >= c.locking_s) locking.push_back((c.flushing_s - c.locking_s) * 1e6);
    if (c.flushing_s > 0 && c.logging_s >= c.flushing_s) flushing.push_back((c.logging_s - c.flushing_s) * 1e6);
    if (c.logging_s > 0 && c.end_s >= c.logging_s) logging.push_back((c.end_s - c.logging_s) * 1e6);
  }
  out.push_back(commits);
  // kiosim's jbd2 traces one journal_commit a transaction; its phases are not events.
  const char* no_phases = "kernel only: kiosim traces one journal_commit per transaction, not its phases";
  out.push_back({"commit: locking", "us", std::nullopt, locking, no_phases});
  out.push_back({"commit: flushing (data)", "us", std::nullopt, flushing, no_phases});
  out.push_back({"commit: logging (journal)", "us", std::nullopt, logging, no_phases});
  add_more_kinds(out, events_for(sim_run, process), k);
  return out;
}

std::string distribution(const std::vector<double>& v, std::size_t most) {
  if (v.empty()) return "-";
  std::map<double, std::size_t> n;
  for (double x : v) ++n[std::round(x)];  // one bucket per printed value
  if (n.size() > most * 2) {  // many distinct values (durations): median and range
    return fmt::format("median {:.0f}, {:.0f}..{:.0f}", median(v), *std::min_element(v.begin(), v.end()),
                       *std::max_element(v.begin(), v.end()));
  }
  std::string s;
  std::size_t shown = 0;
  for (const auto& [x, c] : n) {
    if (shown++ == most) return s + " ...";
    s += fmt::format("{}{:.0f}x{}", s.empty() ? "" : " ", x, c);
  }
  return s;
}

nlohmann::ordered_json kinds_json(const std::vector<KindBeside>& kinds) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& k : kinds) {
    nlohmann::ordered_json j;
    j["kind"] = k.kind;
    j["unit"] = k.unit;
    auto side = [&](const std::vector<double>& v) {
      double sum = 0;
      for (double x : v) sum += x;
      return nlohmann::ordered_json{{"count", v.size()}, {"sum", sum}, {"values", v}};
    };
    j["predicted"] = k.predicted ? side(*k.predicted) : nlohmann::ordered_json();
    j["kernel"] = side(k.kernel);
    j["note"] = k.note;
    out.push_back(j);
  }
  return out;
}

void print_kinds(std::ostream& out, const std::string& title, const std::vector<KindBeside>& kinds) {
  out << title << "\n";
  if (std::none_of(kinds.begin(), kinds.end(),
                   [](const KindBeside& k) { return !k.kernel.empty() || (k.predicted && !k.predicted->empty()); })) {
    out << "  (no event of these kinds on either side)\n";
    return;
  }
  out << fmt::format("  {:<26} {:<7} {:>7} {:>7} {:>9} {:>9}  {:<30} {}\n", "kind", "unit", "pred n", "kern n",
                     "pred sum", "kern sum", "predicted", "kernel");
  auto sum = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
  };
  for (const auto& k : kinds) {
    if (k.kernel.empty() && (!k.predicted || k.predicted->empty())) continue;  // neither side saw one
    bool count_only = k.unit.empty() || k.unit == "at page";
    std::string ps = k.predicted ? fmt::format("{}", k.predicted->size()) : "-";
    std::string psum = !k.predicted || count_only ? "-" : fmt::format("{:.0f}", sum(*k.predicted));
    std::string ksum = count_only ? "-" : fmt::format("{:.0f}", sum(k.kernel));
    std::string pd = k.predicted && !k.unit.empty() ? distribution(*k.predicted) : "-";
    std::string kd = k.unit.empty() ? "-" : distribution(k.kernel);
    out << fmt::format("  {:<26} {:<7} {:>7} {:>7} {:>9} {:>9}  {:<30} {}\n", k.kind, k.unit, ps, k.kernel.size(), psum,
                       ksum, pd, kd);
  }
}

nlohmann::ordered_json kernel_trace_report(const Measurement& m, const std::vector<Predicted>& predicted,
                                           std::ostream& table) {
  nlohmann::ordered_json j = m.kernel_trace;
  if (j.is_null()) return j;
  if (!j.value("active", false)) {
    table << "\nKERNEL TRACE  " << j.value("why_not", std::string("not recorded")) << "\n";
    return j;
  }
  table << fmt::format("\nKERNEL TRACE  instance {} (removed after the run{}); each method's first timed repeat\n",
                       j["instance"].get<std::string>(), j.value("mounted_by_kiosim", false) ? ", tracefs unmounted" : "");
  for (const auto& n : j["notes"]) table << "  note: " << n.get<std::string>() << "\n";
  auto methods = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < m.methods.size(); ++i) {
    const MethodMeasurement& mm = m.methods[i];
    if (!mm.kernel) continue;
    const Predicted p = i < predicted.size() ? predicted[i] : Predicted{};
    auto kinds = kinds_beside(p.run ? *p.run : nlohmann::ordered_json(), p.process, *mm.kernel, p.counters);
    std::uint64_t records = 0;
    for (const auto& [_, n] : mm.kernel->by_event) records += n;
    print_kinds(table,
                fmt::format("  {}: {} records, {} malformed, {} lost{}", mm.method, records, mm.kernel->malformed,
                            mm.kernel->lost, p.run ? "" : " (no prediction: measure)"),
                kinds);
    methods.push_back({{"method", mm.method}, {"process", p.process}, {"events", kernel_events_json(*mm.kernel)},
                       {"kinds", kinds_json(kinds)}});
  }
  j["methods"] = methods;
  return j;
}

}  // namespace kiosim::host
