#include "sim/host/what_if.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sim/scenario/machine_keys.h"
#include "sim/scenario/units.h"

namespace kiosim::host {

namespace {

// The host's value of a host-describing key as the key shows it; "" when kiosim does not
// read it unprivileged. nullopt: the key describes the program, not the host.
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
  if (key == "disk.queue_depth" || key == "disk.hw_queues" || key == "journal.mode") {
    source = std::string(key.substr(key.find('.') + 1));
    return std::string();  // not read: nr_requests per hctx, the mount's data=
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> why_what_if(const Scenario& s, const RunSpec& run, const HostFacts& f) {
  if (!s.sweep) return std::nullopt;
  const MachineKey* k = find_machine_key(s.sweep->key);
  if (!k) return std::nullopt;  // a transfer key (transfer.chunk): the program's own
  std::string source;
  auto host = host_value(k->name, f, source);
  if (!host) return std::nullopt;
  const std::string value = k->show(run.machine);
  if (!host->empty() && *host == value) return std::nullopt;
  const std::string host_says =
      host->empty() ? fmt::format("this host's {} is not read by kiosim", source)
                    : fmt::format("this host's {} is {}", source, *host);
  return fmt::format("run {} sets {}={}; {}: a what-if, not compared", run.name, k->name, value, host_says);
}

}  // namespace kiosim::host
