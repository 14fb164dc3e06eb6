#include "sim/host/system_cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "sim/host/measure.h"

namespace kiosim::host {

namespace {

using Counter = std::optional<std::uint64_t>;
using Pick = std::function<Counter(const SystemCounters&)>;

// The body's growth of one host counter in each repeat, or nothing when a repeat could not read it.
std::optional<std::vector<double>> deltas(const std::vector<Sample>& samples, const Pick& pick) {
  std::vector<double> v;
  for (const auto& s : samples) {
    Counter a = pick(s.system_before), b = pick(s.system_after);
    if (!a || !b) return std::nullopt;
    v.push_back(*b >= *a ? double(*b - *a) : 0.0);  // a counter that went back (a wrap) adds nothing
  }
  return v;
}

// The why-not line of the first repeat whose counters said one about `source` (a word of the line).
std::string why_not(const std::vector<Sample>& samples, const std::string& source) {
  for (const auto& s : samples)
    for (const auto* side : {&s.system_before, &s.system_after})
      for (const auto& line : side->why_not)
        if (line.find(source) != std::string::npos) return line;
  return source + " could not be read";
}

bool calls(const nlohmann::ordered_json& counters, const char* name) {
  return counters.contains("syscalls_by_name") && counters["syscalls_by_name"].is_object() &&
         counters["syscalls_by_name"].contains(name);
}

}  // namespace

SystemCells system_cells(const nlohmann::ordered_json& counters, const std::vector<Sample>& samples) {
  SystemCells out;
  if (samples.empty()) return out;
  auto add = [&](const char* figure, Family f, double predicted, const Pick& pick, const char* source,
                 const char* label) {
    auto v = deltas(samples, pick);
    if (v) out.cells.push_back(cell_of(figure, f, predicted, *v));
    else out.skipped.push_back(std::string(label) + ": " + why_not(samples, source));
  };
  const bool writes = calls(counters, "write") || calls(counters, "pwrite");
  const bool syncs = calls(counters, "fsync") || calls(counters, "fdatasync") || counter_of(counters, "fsync_wait_ns") > 0;
  // Dirty pages: a writer of files by write() alone.
  if (writes || counter_of(counters, "writeback_pages") > 0) {
    if (calls_only(counters, {"open", "close", "read", "pread", "write", "pwrite", "fsync", "fdatasync", "fadvise64"})) {
      add("pages_dirtied", Family::cache, counter_of(counters, "payload_bytes") / 4096,
          [](const SystemCounters& c) { return c.nr_dirtied; }, "/proc/vmstat", "pages dirtied");
    } else {
      out.skipped.push_back("pages dirtied: only for a process that dirties pages by write() alone (a store through "
                            "a shared mapping dirties pages no write() counts)");
    }
    add("writeback_pages", Family::io, counter_of(counters, "writeback_pages"),
        [](const SystemCounters& c) { return c.nr_written; }, "/proc/vmstat", "pages written back");
    std::vector<double> dirty, writeback;
    for (const auto& s : samples)
      if (s.system_after.dirty_bytes && s.system_after.writeback_bytes) {
        dirty.push_back(double(*s.system_after.dirty_bytes));
        writeback.push_back(double(*s.system_after.writeback_bytes));
      }
    if (dirty.size() == samples.size()) {
      out.host["dirty_bytes_after"] = median(dirty);
      out.host["writeback_bytes_after"] = median(writeback);
    }
  }
  // The time buffered writes spent off the CPU: throttled (or waiting for anything else).
  if (writes && calls_only(counters, {"open", "close", "write", "pwrite", "fsync", "fdatasync"})) {
    std::vector<double> blocked;
    for (const auto& s : samples) blocked.push_back(std::max(0.0, s.write_ns - s.sender.cpu_ns()));
    out.cells.push_back(cell_of("write_blocked_ns", Family::time,
                                counter_of(counters, "dirty_throttle_ns") + counter_of(counters, "reclaim_throttle_ns"),
                                blocked));
  }
  if (syncs) {
    std::vector<double> waits;
    for (const auto& s : samples) waits.push_back(s.sync_ns);
    out.cells.push_back(cell_of("fsync_wait_ns", Family::time, counter_of(counters, "fsync_wait_ns"), waits));
    add("journal_commits", Family::io, counter_of(counters, "journal_commits"),
        [](const SystemCounters& c) { return c.jbd2 ? Counter(c.jbd2->transactions) : std::nullopt; }, "jbd2",
        "journal commits");
    std::vector<double> commit_us;
    for (const auto& s : samples)
      if (s.system_after.jbd2 && s.system_after.jbd2->commit_us) commit_us.push_back(*s.system_after.jbd2->commit_us);
    if (commit_us.size() == samples.size()) out.host["jbd2_average_commit_us"] = median(commit_us);
  }
  if (calls(counters, "munmap") || counter_of(counters, "tlb_shootdowns") > 0)
    add("tlb_shootdowns", Family::interrupts, counter_of(counters, "tlb_shootdowns"),
        [](const SystemCounters& c) { return c.tlb_shootdowns; }, "/proc/interrupts", "TLB shootdowns");
  return out;
}

std::string system_cells_lines(const std::string& process, const SystemCells& c) {
  std::string text;
  if (!c.cells.empty()) {
    text = fmt::format("host  {:<22}", process);
    for (const auto& cell : c.cells) {
      bool ns = cell.figure.size() > 3 && cell.figure.compare(cell.figure.size() - 3, 3, "_ns") == 0;
      text += ns ? fmt::format(" | {} pred {:.3f} ms meas {:.3f} ms", cell.figure, cell.predicted / 1e6, cell.measured / 1e6)
                 : fmt::format(" | {} pred {:.0f} meas {:.0f}", cell.figure, cell.predicted, cell.measured);
    }
    if (c.host.contains("dirty_bytes_after"))
      text += fmt::format(" | host after: Dirty {:.0f} kB, Writeback {:.0f} kB",
                          c.host["dirty_bytes_after"].get<double>() / 1024,
                          c.host["writeback_bytes_after"].get<double>() / 1024);
    if (c.host.contains("jbd2_average_commit_us"))
      text += fmt::format(" | jbd2 average commit {:.0f} us", c.host["jbd2_average_commit_us"].get<double>());
    text += "\n";
  }
  for (const auto& why : c.skipped) text += fmt::format("SKIP {}: {}\n", process, why);
  return text;
}

}  // namespace kiosim::host
