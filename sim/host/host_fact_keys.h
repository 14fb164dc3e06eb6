// The host facts that are machine keys (issue 14, item 3): what calibrate writes from
// this machine's settings rather than from a benchmark, each with where it was read
// (the profile's comment, e.g. "/sys/block/vda/queue/read_ahead_kb: 8192"). A fact
// that could not be read keeps the key's default, and the comment says why. Facts the
// model has no key for (THP, the I/O scheduler, the kernel) are listed, not mapped.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "sim/host/host_facts.h"
#include "sim/scenario/machine.h"

namespace kiosim::host {

// Sets on `m` the keys that `f` gives and writes, for every key it is about, one line in
// `how` (keyed by the machine key's dotted name). Unreadable facts are "" in HostFacts;
// their keys keep m's value and their line starts with "default" (calibrate's mark for
// "not measured"). page_cache.size is set before the dirty ratios, which may derive
// from it (vm.dirty_bytes).
void apply_host_fact_keys(const HostFacts& f, Machine& m, std::map<std::string, std::string>& how);

// One line per fact of `f` that no machine key takes, saying what it was and why the model
// does not read it; for the profile's header.
std::vector<std::string> facts_without_keys(const HostFacts& f);

}  // namespace kiosim::host
