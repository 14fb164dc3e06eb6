// The steps load_scenario (scenario_loader.cpp) takes, each in a file of its own:
// the machine (machine_loader.cpp), the sweep (runs.cpp), the programs
// (program_loader.cpp) and the expected counters (expect.cpp).
#pragma once
#include <string>

#include "sim/scenario/reader.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

// One machine key's value, from a profile, `set:`, --set or a sweep.
void machine_value(const Reader& r, Machine& m, const YAML::Node& n, const std::string& key, const std::string& path);
// `machine:` (a named profile, a path or a map, or --machine), then `set:`, then --set.
void read_machine(const Reader& r, const YAML::Node& root, const LoadOptions& opt, Scenario& s);
// `sweep:` (read before the programs, so that `bytes: $name` knows every value).
void read_sweep(const Reader& r, const YAML::Node& sw, Scenario& s);
// Each swept machine value held to the base machine's checks (after the programs).
void check_swept_machines(const Reader& r, const YAML::Node& sw, const Scenario& s);
// `clients:` (sim/scenario/clients_loader.cpp; before the programs, which accept them).
void read_clients(const Reader& r, const YAML::Node& c, Scenario& s);
// epoll_ctl's op and events into `o`, and recv's checks (`conns`: how many its fd holds).
void read_epoll_ctl(const Reader& r, const YAML::Node& a, const std::string& path, Op& o);
void check_recv(const Reader& r, const YAML::Node& a, const std::string& path, const Op& o, std::uint64_t conns);
// `processes:`, their programs, and the run's limits.
void read_processes(const Reader& r, const YAML::Node& ps, Scenario& s);
// `expect:` (read last: it names the runs).
void read_expect(const Reader& r, const YAML::Node& e, Scenario& s);

}  // namespace kiosim
