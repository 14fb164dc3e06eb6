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
      host->empty() ? fmt::format("this host's {} is not readable", source)
                    : fmt::format("this host's {} is {}", source, *host);
  return fmt::format("run {} sets {}={}; {}: a what-if, not compared", run.name, k->name, value, host_says);
}

}  // namespace kiosim::host
