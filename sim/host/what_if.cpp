#include "sim/host/what_if.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sim/scenario/machine_keys.h"
#include "sim/scenario/units.h"

namespace kiosim::host {

namespace {

// The host's value of a host-describing key as the key shows it; "" when kiosim does not
// read it (not readable). nullopt: the key describes the program, not the host.
std::optional<std::string> host_value(std::string_view key, const HostFacts& f, std::string& source) {
  if (key == "disk.scheduler") {
    source = "scheduler";  // queue/scheduler's [selected] one
    return f.io_scheduler;
  }
  if (key == "mm.fault_around") {
    source = "fault_around_bytes";
    // debugfs, root only: unreadable, it is Linux's default (do_fault_around: 64 KiB).
    const bool number = !f.fault_around.empty() &&
                        std::all_of(f.fault_around.begin(), f.fault_around.end(), [](char c) { return std::isdigit(c); });
    return number ? format_size(std::stod(f.fault_around)) : std::string("64KiB");
  }
  if (key == "disk.queue_depth") {
    source = "queue depth (mq/0/nr_tags)";
    return f.queue_depth;  // "" when not readable
  }
  if (key == "disk.hw_queues") {
    source = "hardware queues (mq/)";
    return f.hw_queues;
  }
  if (key == "journal.mode") {
    // The mount's data= (ext4_show_options); an ext4 without a journal still says ordered.
    source = "ext4 data= mode";
    return f.data_mode;
  }
  return std::nullopt;
}

// The host's fact for `k`, against the run's value; nullopt: the same, or a program key.
std::optional<std::string> differs(const MachineKey& k, const RunSpec& run, const HostFacts& f, std::string_view from) {
  std::string source;
  auto host = host_value(k.name, f, source);
  if (!host) return std::nullopt;
  const std::string value = k.show(run.machine);
  if (!host->empty() && *host == value) return std::nullopt;
  const std::string host_says =
      host->empty() ? fmt::format("this host's {} is not readable", source)
                    : fmt::format("this host's {} is {}", source, *host);
  return fmt::format("run {} sets {}={}{}; {}: a what-if, not compared", run.name, k.name, value, from, host_says);
}

// Where the scenario chose `key` (not by its sweep): "--set", "set:" or "" (the profile's).
std::string_view chosen_by(const Scenario& s, std::string_view key) {
  for (const auto& kv : s.command_line_sets)
    if (std::string_view(kv).substr(0, kv.find('=')) == key) return "--set";
  for (const auto& [k, v] : s.set)
    if (k == key) return "set:";
  return {};
}

}  // namespace

std::optional<std::string> why_what_if(const Scenario& s, const RunSpec& run, const HostFacts& f) {
  if (s.sweep)
    if (const MachineKey* k = find_machine_key(s.sweep->key))  // not a transfer key (transfer.chunk): the program's
      if (auto why = differs(*k, run, f, "")) return why;
  // A key the scenario's `set:` or --set chose, the sweep not overriding it; the profile's
  // own values (calibrated from this host, or the default) are not a what-if.
  for (const char* name : {"disk.scheduler", "mm.fault_around", "disk.queue_depth", "disk.hw_queues", "journal.mode"}) {
    if (s.sweep && s.sweep->key == name) continue;
    const std::string_view by = chosen_by(s, name);
    if (by.empty()) continue;
    const std::string from = by == "--set" ? " (--set)" : " (the scenario's set:)";
    if (auto why = differs(*find_machine_key(name), run, f, from)) return why;
  }
  return std::nullopt;
}

}  // namespace kiosim::host
