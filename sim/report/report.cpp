#include "sim/report/report.h"

#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <stdexcept>
#include <unistd.h>

#include "sim/scenario/machine_keys.h"
#include "sim/scenario/units.h"
#include "sim/trace/schema.h"

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

std::string place_name(const std::string& p) {
  std::string s = p;
  for (char& c : s)
    if (c == '_') c = ' ';
  return s;
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

void print_breakdown(std::ostream& out, const std::vector<nlohmann::ordered_json>& runs) {
  if (runs.empty()) return;
  std::vector<std::string> cats;
  for (const auto& [k, v] : runs[0]["counters"]["time_breakdown_ns"].items()) {
    bool used = false;
    for (const auto& r : runs) used |= r["counters"]["time_breakdown_ns"][k].get<double>() > 0;
    if (used) cats.push_back(k);
  }
  out << "\nwhere each thread's time went (us; the NIC and the disk work in parallel):\n";
  const std::size_t w = name_width(runs);
  out << fmt::format("{:<{}}", "method", w);
  for (const auto& c : cats) out << fmt::format(" {:>10}", c);
  out << "\n";
  for (const auto& r : runs) {
    out << fmt::format("{:<{}}", r["name"].get<std::string>(), w);
    for (const auto& c : cats) out << fmt::format(" {:>10.1f}", r["counters"]["time_breakdown_ns"][c].get<double>() / 1e3);
    out << "\n";
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
  print_breakdown(out, {run});
}

void print_explain(std::ostream& out, const nlohmann::ordered_json& run) {
  std::vector<std::string> lanes;
  for (const auto& l : run["lanes"]) lanes.push_back(l["name"].get<std::string>());
  std::size_t w = 6;
  for (const auto& l : lanes) w = std::max(w, l.size());
  const auto& events = run["events"];
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    std::string kind = e["kind"].get<std::string>();
    // Page-list moves of neighbouring pages at one instant read better as one line.
    if (kind == "cache_insert" || kind == "activate" || kind == "deactivate" || kind == "evict") {
      std::int64_t first = e.value("page", std::int64_t(0)), last = first;
      while (i + 1 < events.size() && events[i + 1]["kind"] == kind && events[i + 1]["lane"] == e["lane"] &&
             events[i + 1]["t"] == e["t"] && events[i + 1].value("page", std::int64_t(-2)) == last + 1) {
        ++i;
        ++last;
      }
      static const std::map<std::string, std::string> what = {
          {"cache_insert", "enter the page cache (inactive list head)"},
          {"activate", "move to the active list"},
          {"deactivate", "move back to the inactive list"},
          {"evict", "are evicted from the page cache"}};
      std::string pages = first == last ? fmt::format("page {}", first) : fmt::format("pages {}-{}", first, last);
      std::string verb = what.at(kind);
      if (first == last && kind == "evict") verb = "is evicted from the page cache";
      out << fmt::format("{:>12}  {:<{}}  {} {}\n", human_time(e["t"].get<double>()),
                         lanes.at(e["lane"].get<std::size_t>()), w, pages, verb);
      continue;
    }
    std::string name = e.value("name", "");
    std::string from = place_name(e.value("from", "")), to = place_name(e.value("to", ""));
    std::uint64_t bytes = e.value("bytes", std::uint64_t(0)), pages = e.value("pages", std::uint64_t(0));
    std::string size = bytes ? format_size(double(bytes)) : "";
    std::string text;
    if (kind == "syscall_enter") text = fmt::format("{}() enters the kernel (mode switch)", name);
    else if (kind == "syscall_exit") text = fmt::format("{}() returns to user space (mode switch)", name);
    else if (kind == "cpu_copy") text = fmt::format("CPU copy {} -> {}, {} (CPU copy)", from, to, size);
    else if (kind == "dma_copy") text = fmt::format("DMA {} -> {}, {}{} (DMA copy)", from, to, size,
                                                     pages ? fmt::format(", {} {}", pages, from == "disk" ? "pages" : "fragments") : "");
    else if (kind == "page_ref_move" && name == schema::note::inflight_overwrite)
      text = fmt::format("write to page {}, which an skb or pipe still holds: it lands, the new bytes go out",
                         e.value("page", 0));
    else if (kind == "page_ref_move" && name == schema::note::ack)
      text = fmt::format("ACK: {} acknowledged, the skbs freed with their {} page references", size, pages);
    else if (kind == "page_ref_move") text = fmt::format("page references {} -> {}, {} pages, {} (no copy)", from, to, pages, size);
    else if (kind == "page_fault_minor" || kind == "page_fault_major")
      text = fmt::format("{} page fault on page {}{}, {} pages mapped", kind == "page_fault_major" ? "major" : "minor",
                         e.value("page", 0), e.value("user_mode", false) ? " in user mode (2 mode switches)" : " inside the kernel",
                         pages);
    else if (kind == "cow_fault") text = "copy-on-write fault: the page is copied (CPU copy 4KiB)";
    else if (kind == "skb_build") text = fmt::format("skb of {} queued{}", size, pages ? fmt::format(" with {} page fragments", pages) : " (linear)");
    else if (kind == "linearize" && name == schema::note::software_gso)
      text = fmt::format("software GSO: the skb cut into {} packets{}", pages,
                         bytes ? fmt::format(", {} copied by the CPU (no scatter-gather)", size) : "");
    else if (kind == "linearize") text = fmt::format("skb linearized: {} copied by the CPU", size);
    else if (kind == "interrupt") text = fmt::format("interrupt: {} completion", name);
    else if (kind == "readahead") text = fmt::format("{} readahead of {} pages from page {}", name, pages, e.value("page", 0));
    else if (kind == "block") text = fmt::format("sleeps: {} (context switch)", name);
    else if (kind == "writeback") text = fmt::format("writeback {} page cache -> disk", size);
    else if (kind == "cache_insert" && !name.empty())  // a write's note (sim/kernel/jbd2.cpp)
      text = fmt::format("{} (file {} page {})", name, e.value("file", 0), e.value("page", 0));
    else if (kind == "evict" || kind == "activate" || kind == "deactivate" || kind == "cache_insert")
      text = fmt::format("{} page {}", kind, e.value("page", 0));
    else text = kind + (name.empty() ? "" : " " + name);
    double t = e["t"].get<double>();
    std::string dur = e.contains("dur") ? fmt::format("  [{}]", human_time(e["dur"].get<double>())) : "";
    out << fmt::format("{:>12}  {:<{}}  {}{}\n", human_time(t), lanes.at(e["lane"].get<std::size_t>()), w, text, dur);
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
      if (std::fabs(got - want) > 1e-9 * std::max(1.0, std::fabs(want))) {
        out << fmt::format("{}: expect.{}.{}: expected {}, got {}\n", s.path, run, name, want, got);
        ok = false;
      }
    }
  }
  if (ok) out << fmt::format("{}: {} expected counters match\n", s.path, checked);
  return ok;
}

void write_file_atomically(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(fmt::format("cannot write `{}`", path));
    f << data;
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw std::runtime_error(fmt::format("cannot write `{}` (disk full?)", path));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write `{}`", path));
  }
}

}  // namespace kiosim
