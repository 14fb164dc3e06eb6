#include "sim/report/report.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <stdexcept>
#include <unistd.h>

#include "sim/report/explain.h"
#include "sim/scenario/machine_keys.h"
#include "sim/scenario/units.h"

namespace kiosim {

nlohmann::ordered_json machine_json(const Machine& m, const std::string& name) {
  nlohmann::ordered_json keys;
  for (const auto& k : machine_keys()) keys[std::string(k.name)] = k.show(m);
  return {{"name", name}, {"keys", keys}};
}

nlohmann::ordered_json trace_document(const Scenario& s, const std::vector<nlohmann::ordered_json>& runs) {
  nlohmann::ordered_json doc;
  doc["format"] = "kiosim-trace";
  doc["version"] = 1;
  doc["scenario"] = {{"path", s.path}, {"title", s.title}, {"description", s.description}};
  doc["machine"] = machine_json(s.machine, s.machine_name);
  doc["runs"] = runs;
  return doc;
}

namespace {

std::string us(double ns) { return fmt::format("{:.1f} us", ns / 1e3); }

std::string human_time(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3f} ms", ns / 1e6);
  return us(ns);
}

}  // namespace

namespace {
std::size_t name_width(const std::vector<nlohmann::ordered_json>& runs) {
  std::size_t w = 12;
  for (const auto& r : runs) w = std::max(w, r["name"].get<std::string>().size());
  return w;
}
}  // namespace

void print_compare_table(std::ostream& out, const std::vector<nlohmann::ordered_json>& runs) {
  const std::size_t w = name_width(runs);
  out << fmt::format("{:<{}} {:>8} {:>8} {:>11} {:>11} {:>7} {:>6} {:>6} {:>12} {:>12}\n", "method", w, "syscalls",
                     "mode sw", "CPU copy/B", "DMA copy/B", "faults", "skbs", "frags", "sim time", "CPU time");
  for (const auto& r : runs) {
    const auto& c = r["counters"];
    std::uint64_t faults = c["page_faults_minor"].get<std::uint64_t>() + c["page_faults_major"].get<std::uint64_t>();
    out << fmt::format("{:<{}} {:>8} {:>8} {:>11.2f} {:>11.2f} {:>7} {:>6} {:>6} {:>12} {:>12}\n",
                       r["name"].get<std::string>(), w, c["syscalls"].get<std::uint64_t>(),
                       c["mode_switches"].get<std::uint64_t>(), c["cpu_copies_per_byte"].get<double>(),
                       c["dma_copies_per_byte"].get<double>(), faults, c["skbs"].get<std::uint64_t>(),
                       c["sg_frags"].get<std::uint64_t>(), human_time(c["sim_time_ns"].get<double>()),
                       human_time(c["cpu_time_ns"].get<double>()));
  }
}

namespace {

// One row of the time table: a thread (or a local receiver) and its breakdown.
struct TimeRow {
  std::string label;
  const nlohmann::ordered_json* breakdown;
};

std::vector<TimeRow> time_rows(const std::vector<nlohmann::ordered_json>& runs) {
  std::vector<TimeRow> rows;
  for (const auto& r : runs) {
    const std::string run = r["name"].get<std::string>();
    const bool alone = r["threads"].size() == 1 && !r.contains("receiver");
    for (const auto& t : r["threads"])
      rows.push_back({alone && runs.size() > 1 ? run : fmt::format("{}/{}", run, t["name"].get<std::string>()),
                      &t["time_breakdown_ns"]});
    if (r.contains("receiver"))
      rows.push_back({fmt::format("{}/receiver", run), &r["receiver"]["counters"]["time_breakdown_ns"]});
  }
  return rows;
}

}  // namespace

// One row per thread: each row's times fit in its run (a sum over threads would not).
void print_breakdown(std::ostream& out, const std::vector<nlohmann::ordered_json>& runs) {
  const std::vector<TimeRow> rows = time_rows(runs);
  if (rows.empty()) return;
  std::vector<std::string> cats;
  for (const auto& [k, v] : rows[0].breakdown->items()) {
    bool used = false;
    for (const auto& row : rows) used |= row.breakdown->value(k, 0.0) > 0;
    if (used) cats.push_back(k);
  }
  out << "\nwhere each thread's time went (us; the NIC and the disk work in parallel):\n";
  std::size_t w = 12;
  for (const auto& row : rows) w = std::max(w, row.label.size());
  out << fmt::format("{:<{}}", "thread", w);
  for (const auto& c : cats) out << fmt::format(" {:>10}", c);
  out << fmt::format(" {:>10}\n", "total");
  for (const auto& row : rows) {
    out << fmt::format("{:<{}}", row.label, w);
    double sum = 0;
    for (const auto& c : cats) {
      const double v = row.breakdown->value(c, 0.0);
      sum += v;
      out << fmt::format(" {:>10.1f}", v / 1e3);
    }
    out << fmt::format(" {:>10.1f}\n", sum / 1e3);
  }
}

// A local receiver's path, kept apart from the copy table: real, and its own line.
void print_receivers(std::ostream& out, const std::vector<nlohmann::ordered_json>& runs) {
  for (const auto& r : runs) {
    if (!r.contains("receiver")) continue;
    const auto& c = r["receiver"]["counters"];
    out << fmt::format("  receiver of `{}` (net.receiver: local, not in the table): {} copying {} "
                       "out of the socket ({}, one per skb)\n",
                       r["name"].get<std::string>(), plural(c["syscalls"].get<std::uint64_t>(), "read() call", "read() calls"),
                       format_size(c["cpu_copy_bytes"].get<double>()),
                       plural(c["cpu_copies"].get<std::uint64_t>(), "CPU copy", "CPU copies"));
  }
}

void print_run(std::ostream& out, const nlohmann::ordered_json& run) {
  const auto& c = run["counters"];
  out << fmt::format("run `{}`\n", run["name"].get<std::string>());
  for (const auto& [k, v] : c.items()) {
    if (v.is_object()) continue;
    if (v.is_number_float()) out << fmt::format("  {:<28} {:.3f}\n", k, v.get<double>());
    else out << fmt::format("  {:<28} {}\n", k, v.dump());
  }
  out << "  syscalls by name:";
  for (const auto& [k, v] : c["syscalls_by_name"].items()) out << fmt::format(" {}={}", k, v.dump());
  out << "\n";
  if (run.contains("receiver")) print_receivers(out, {run});
  print_processes(out, run);
  print_breakdown(out, {run});
}

// Where a run has more than one process: each counter that is not 0 somewhere, per process.
void print_processes(std::ostream& out, const nlohmann::ordered_json& run) {
  const auto& procs = run["processes"];
  if (procs.size() < 2) return;
  std::size_t w = 10;
  for (const auto& p : procs) w = std::max(w, p["name"].get<std::string>().size());
  out << "\nper process:\n" << fmt::format("  {:<28}", "counter");
  for (const auto& p : procs) out << fmt::format(" {:>{}}", p["name"].get<std::string>(), w);
  out << "\n";
  for (const auto& [k, v] : procs[0]["counters"].items()) {
    if (v.is_object()) continue;
    bool used = false;
    for (const auto& p : procs) used |= p["counters"][k].get<double>() != 0;
    if (!used || k == "sim_time_ns") continue;
    out << fmt::format("  {:<28}", k);
    for (const auto& p : procs) {
      const auto& x = p["counters"][k];
      out << (x.is_number_float() ? fmt::format(" {:>{}.3f}", x.get<double>(), w) : fmt::format(" {:>{}}", x.dump(), w));
    }
    out << "\n";
  }
}

bool check_expectations(std::ostream& out, const Scenario& s, const std::vector<nlohmann::ordered_json>& runs) {
  bool ok = true;
  std::size_t checked = 0;
  for (const auto& [run, counters] : s.expect) {
    const nlohmann::ordered_json* r = nullptr;
    for (const auto& x : runs)
      if (x["name"] == run) r = &x;
    if (!r) continue;
    for (const auto& [name, want] : counters) {
      double got = (*r)["counters"][name].get<double>();
      ++checked;
      if (want.exact()) {
        if (std::fabs(got - want.lo) > 1e-9 * std::max(1.0, std::fabs(want.lo))) {
          out << fmt::format("{}: expect.{}.{}: expected {}, got {}\n", s.path, run, name, want.lo, got);
          ok = false;
        }
      } else if (got < want.lo || got > want.hi) {
        out << fmt::format("{}: expect.{}.{}: expected {}, got {}\n", s.path, run, name,
                           std::isinf(want.lo)   ? fmt::format("at most {}", want.hi)
                           : std::isinf(want.hi) ? fmt::format("at least {}", want.lo)
                                                 : fmt::format("between {} and {}", want.lo, want.hi),
                           got);
        ok = false;
      }
    }
  }
  if (checked == 0) {  // a check that checks nothing must not pass
    out << fmt::format("{}: nothing to check: no `expect:` counters for the runs that ran\n", s.path);
    return false;
  }
  if (ok) out << fmt::format("{}: {} expected counters match\n", s.path, checked);
  return ok;
}

void write_file_atomically(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(fmt::format("cannot write `{}`: {}", path, std::strerror(errno)));
    f << data;
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw std::runtime_error(fmt::format("cannot write `{}` (disk full?)", path));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write `{}`: {}", path, std::strerror(errno)));
  }
}

}  // namespace kiosim
