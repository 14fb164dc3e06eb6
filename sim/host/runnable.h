// Which runs of a scenario real mode can measure on this host, and why not the others,
// in one line each (check --all skips them with it). Real mode runs one process at a
// time (REAL-MODE.md; `threads: N` as N pthreads of it), so a run of several independent processes is split
// into one measured run per process, each checked against that process's counters in
// the whole simulated run. Nothing here runs the program: it reads the ops and the host.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace kiosim::host {

// What the temp dir offers, probed once: its file system type and whether an open with
// O_DIRECT succeeds there (tmpfs refuses it with EINVAL before Linux 6.6).
struct TempDirAbilities {
  std::string fs;        // "tmpfs", "ext4"
  bool o_direct = true;
};
TempDirAbilities probe_temp_dir(const std::string& dir);

// What real mode needs of the host for these ops that this host lacks, said for a person
// ("run `x`: process `p`: fork (line 12): real mode does not run fork yet"), or nothing.
// `clients` is the scenario's: the connections a process accepts must fit the host (host_clients.h).
std::optional<std::string> why_not_measurable(const RunSpec& run, const TempDirAbilities& host,
                                              const ClientsSpec& clients = {});

// The connections a process accepts from `clients:` (every accept's count, x `repeat`,
// x threads), or nothing when one is in a loop of epoll_wait, select or poll.
std::optional<std::uint32_t> connections_accepted(const ProcessSpec& p);
// The first of them in the simulated run, when the processes accept in the order they
// are written (0 when that would pass clients.connections).
std::uint32_t first_connection(const Scenario& s, const std::string& process);

// The run as real mode measures it: itself when it has one process, else one run per
// process; named "<run>/<process>", or "<process>" alone when the run is "program".
std::vector<RunSpec> per_process(const RunSpec& run);
// Whether the ops open a file with O_DIRECT (its reads then bypass the page cache); a
// program's setup counts too: a file opened there with O_DIRECT is read so in the body.
bool opens_direct(const std::vector<Op>& ops);
bool opens_direct(const Program& p);

}  // namespace kiosim::host
