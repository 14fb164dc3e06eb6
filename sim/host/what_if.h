// Runs that are what-ifs for this host: a run whose sweep, or the scenario's `set:`, or
// --set, sets a machine key that describes the host, not the program (the elevator, the
// fault-around window, the queue depth, the hardware queues, the journal mode), to a value
// this host does not have (the sweep's value wins over set: and --set, --set over set:, as
// they are applied). A machine profile's own values (calibrated here, or the default) are
// not what-ifs. Real mode runs on
// the host as it is, so such a run's cells would compare the model of another machine
// with this one: check skips them with this reason instead of counting misses. Where the
// host's fact equals the run's value (the host's scheduler is mq-deadline and so is the
// run's), the run is compared.
#pragma once
#include <optional>
#include <string>

#include "sim/host/host_facts.h"
#include "sim/scenario/scenario.h"

namespace kiosim::host {

// Why `run` of `s` is not compared on the host of `f`, in one line; nullopt: compare it.
std::optional<std::string> why_what_if(const Scenario& s, const RunSpec& run, const HostFacts& f);

}  // namespace kiosim::host
