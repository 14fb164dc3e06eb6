// sim/scenario/ owns the scenario file: reading and checking it (YAML, machine
// profiles, programs, sweeps, `expect:`) and expanding it into runs. It calls the
// program language (sim/program/) and the counter names (sim/trace/), nothing that runs.
//
// A scenario, loaded and validated: the machine, the files, and the runs it
// asks for (one per compared method, or one run of its processes).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/client_arrivals.h"
#include "sim/scenario/machine.h"
#include "sim/program/program.h"

namespace kiosim {

// A problem in the user's input: where, which key, and what was expected.
struct InputError : std::runtime_error {
  InputError(std::string file, int line, int column, std::string key_path, std::string message);
  std::string file, key_path, message;
  int line, column;
};

struct FileSpec {
  std::string name;
  std::uint64_t size = 0;
  bool cached = false;  // all its pages in the page cache before the run
  // Its filesystem supports nonblocking I/O (FMODE_NOWAIT, as ext4, xfs, btrfs): io_uring
  // tries a read inline. false: io_read cannot, and hands every read to io-wq.
  bool nowait = true;
};

// `clients:`: many connections to the server, each a cheap state machine driven by one
// actor (sim/kernel/sock_rx.h), not a thread each. All are connected when the run
// starts; each sends `requests` requests of `request_bytes`, `interval` apart.
struct ClientsSpec {
  std::uint32_t connections = 0;      // 0: no clients
  std::uint64_t requests = 1;         // per connection
  std::uint64_t request_bytes = 512;
  double interval_ns = 1e6;           // between one connection's requests (poisson: the mean)
  double start_ns = 0;                // connection 0's first request
  using Arrival = ClientArrivals::Kind;  // fixed, poisson, burst (model/client_arrivals.h)
  // fixed: connection c's request i at start + i x interval + c x interval / connections;
  // poisson: gaps drawn from the seed, of mean interval; burst: all at start + i x interval
  Arrival arrival = Arrival::fixed;
  std::uint64_t rcvbuf = 131072;      // each server socket's sk_rcvbuf (tcp_rmem[1])
};

struct ProcessSpec {
  std::string name = "proc";
  std::uint32_t threads = 1;
  std::vector<std::uint32_t> cores;  // thread i runs on cores[i % size]; empty: core i % cpu.cores
  Program program;
};

struct TransferSpec {
  std::string file;
  std::uint64_t chunk = 64 * 1024;
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;  // 0: to the end of the file
};

// One simulation: what one child process runs.
struct RunSpec {
  std::string name;  // the method, or "program"; with a sweep, followed by [key=value]
  std::vector<ProcessSpec> processes;
  Machine machine;   // the scenario's machine, with the sweep's value applied
  std::uint64_t transfer_bytes = 0;  // a compared method: what its sender must send, checked after the run
};

// Runs the scenario once per value of one key: a machine key (nic.max_frags) or a
// transfer key (transfer.offset, transfer.chunk, transfer.bytes).
struct Sweep {
  std::string key;
  std::vector<std::string> values;
};

// One expected counter: a number (lo == hi), or a range `{ min: a, max: b }` (either
// bound may be left out) for what only the simulator can say exactly (timing).
struct Expected {
  double lo = 0, hi = 0;
  bool exact() const { return lo == hi; }
};
// Expected counters, checked in beside the scenario (`expect:`): run -> counter -> value.
using Expectations = std::map<std::string, std::map<std::string, Expected>>;

struct Scenario {
  std::string path;
  std::string title, description;
  std::string machine_name;
  Machine machine;
  // The machine keys the scenario chose itself, as loaded into `machine`: the file's
  // `set:` (key, value as written, in order), then --set's "key=value". check keeps them
  // on a --machine profile and skips a run they make a what-if of the host (host/what_if.h).
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> command_line_sets;
  std::vector<FileSpec> files;
  std::optional<TransferSpec> transfer;
  std::vector<std::string> methods;
  std::vector<ProcessSpec> processes;
  Expectations expect;
  std::optional<Sweep> sweep;
  std::map<std::string, std::string> params;  // params: sizes a program names as $name
  std::optional<double> crash_at_ns;  // `crash_at:` or --crash-at: stop the machine then (sim/crash.h)
  std::uint64_t seed = 1;
  ClientsSpec clients;

  std::vector<RunSpec> runs() const;
  const FileSpec* file(const std::string& name) const;
};

struct LoadOptions {
  std::vector<std::string> sets;       // "key=value" from --set, applied after the file's set:
  std::string machines_dir;            // where named profiles live; empty: next to the scenarios
  std::string machine_file;            // --machine: a profile used instead of the scenario's machine:
};

// Loads and validates; throws InputError on any problem, before anything runs.
Scenario load_scenario(const std::string& path, const LoadOptions& opt = {});
// Loads a machine profile file (also used by `run --machine`).
Machine load_machine_file(const std::string& path);

// Limits, so that no file can make kiosim hang or eat memory.
inline constexpr std::uint64_t kMaxFileBytes = 64ULL << 30;       // the largest file the model holds page by page
inline constexpr std::uint64_t kMaxOps = 10'000'000;             // ops executed by one run
inline constexpr double kMaxBytesMoved = 256.0 * (1ULL << 30);    // bytes moved by one run
inline constexpr std::uint32_t kMaxThreads = 256;                 // threads of one run
inline constexpr std::uint64_t kMaxOpsWritten = 100'000;         // ops the programs hold, YAML aliases expanded
inline constexpr std::uint64_t kMaxProcesses = 1024;             // processes of one run, each fork counted
inline constexpr std::uint32_t kMaxNesting = 32;                 // repeat and fork bodies inside each other
inline constexpr std::uint32_t kMaxConnections = 100'000;       // clients.connections
inline constexpr std::uint32_t kMaxPoolWorkers = 1024;          // queue_work.workers (libuv's MAX_THREADPOOL_SIZE)

}  // namespace kiosim
