// The reader of one process's program (`setup:` and `program:`), shared by
// program_loader.cpp (the ops of files, mappings, repeat and fork) and
// async_program_loader.cpp (connections, epoll, select, poll, the thread pool and
// io_uring). Internal to sim/scenario: read_processes (load_steps.h) is the entry.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/program/op_table.h"
#include "sim/scenario/reader.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/uring_loader.h"

namespace kiosim::program_load {

inline constexpr std::uint32_t kMaxEpolls = 4096;  // epoll instances of one run (each holds an interest list)

enum class NameKind { file, socket, pipe, mapping, epoll, conns };
inline std::string_view to_string(NameKind k) {
  switch (k) {
    case NameKind::file: return "a file descriptor";
    case NameKind::socket: return "a socket";
    case NameKind::pipe: return "a pipe";
    case NameKind::mapping: return "a mapping";
    case NameKind::epoll: return "an epoll instance";
    case NameKind::conns: return "connections (accept)";
  }
  return "";
}

// What the programs of all processes add up to, counted while they are read, so that
// a runaway (a huge repeat, a fork bomb, aliases that expand without end) stops at
// the op that passes a limit, before the rest is built.
struct LoadTotals {
  double ops = 0, bytes = 0;   // executed, times the enclosing repeats and the threads
  double processes = 0;        // the listed ones and every fork that would run
  double accepted = 0;         // connections accept takes, times the repeats and the threads
  double epolls = 0;           // epoll instances epoll_create makes, likewise
  std::uint64_t pool_threads = 0;  // thread pools' workers (queue_work), one pool per process
  std::uint64_t written = 0;   // ops read, YAML aliases expanded, `repeat: 0` included
};

class ProgramLoader {
 public:
  ProgramLoader(const Reader& r, const Scenario& s, LoadTotals& totals, std::uint32_t threads)
      : l_(r), s_(s), totals_(totals), threads_(threads) {}

  std::vector<Op> ops(const YAML::Node& n, const std::string& path, bool setup);

 private:
  Op op(const YAML::Node& n, const std::string& path, bool setup);

  // repeat and fork bodies inside each other: a bound on the walk's recursion.
  void nest(const YAML::Node& n, const std::string& path);

  Op repeat(const YAML::Node& n, const std::string& path, bool setup, Op& o);

  bool unbinds_any_of(const std::map<std::string, NameKind>& before) const;

  // What an op adds to the run's limits, times the enclosing repeat counts and the
  // process's threads; checked at once, so the op that passes a limit is named.
  void count(const Op& o, OpCost cost, const YAML::Node& n, const std::string& path);

  // The keys whose values are sizes, times and flags (the same in every op).
  void values(const YAML::Node& a, const std::string& p, Op& o);

  // `bytes: $name`: its default here, each swept value at run time; the largest, for the limits.
  std::uint64_t parameter(const YAML::Node& v, const std::string& path, Op& o) const;

  // The names an op binds and uses, and the checks that need them.
  void names(const YAML::Node& a, const std::string& p, Op& o, bool setup);
  // sim/scenario/async_program_loader.cpp: accept, epoll, select and poll, recv,
  // queue_work and io_uring.
  void async_names(const YAML::Node& a, const std::string& p, Op& o, bool setup);
  std::string ref_name(const YAML::Node& a, const std::string& p, const char* k, std::vector<NameKind> kinds);

  void open(const YAML::Node& a, const std::string& p, Op& o);

  void uring_read(const YAML::Node& a, const std::string& p, Op& o);

  void write(const YAML::Node& a, const std::string& p, const Op& o);

  void mmap(const YAML::Node& a, const std::string& p, Op& o);

  // A touch past a mapping's end is a SIGSEGV in Linux: refused, not clamped.
  void touch(const YAML::Node& a, const std::string& p, const Op& o);

  void advice(const YAML::Node& a, const std::string& p, Op& o);

  // The child sees the names bound so far; what it binds stays its own.
  void fork(const YAML::Node& a, const std::string& p, Op& o, bool setup);

  // queue_work: `do` runs on a pool worker with the names bound so far; what it binds
  // stays its own. One pool per process, made by the first queue_work.
  void queue_work(const YAML::Node& a, const std::string& p, Op& o, bool setup);

  // accept: connections of `clients:`, no more than there are.
  void accept(const YAML::Node& a, const std::string& p, Op& o);

  // epoll_wait, select, poll: `do` runs once for each ready connection, bound as `as`;
  // for the limits it counts once for every request the clients send.
  void ready_loop(const YAML::Node& a, const std::string& p, Op& o, bool setup);

  // open flags: a list of names (O_RDONLY, O_DIRECT ... in lower case, without O_).
  std::uint32_t open_flag_list(const YAML::Node& n, const std::string& path) const;

  // O_DIRECT: sizes and offsets in multiples of the disk's logical block (512 bytes),
  // or read(2) fails with EINVAL.
  void direct_alignment(const YAML::Node& a, const std::string& p, const Op& o) const;

  void bind(const std::string& name, NameKind k);
  // close and munmap: later ops may not use the name (EBADF, SIGSEGV in Linux).
  void unbind(const std::string& name, int line, const char* how);
  void need(const YAML::Node& n, const std::string& path, const std::string& name, std::vector<NameKind> kinds);
  NameKind kind(const std::string& name) const { return names_.at(name); }

  const Reader& l_;
  const Scenario& s_;
  LoadTotals& totals_;
  std::uint32_t threads_;
  double weight_ = 1;  // product of the enclosing repeat counts
  std::uint32_t depth_ = 0;  // repeat and fork bodies around the op being read
  std::map<std::string, NameKind> names_;
  std::map<std::string, std::string> gone_;  // closed or unmapped names, and where
  std::map<std::string, std::uint64_t> file_bytes_;  // descriptor -> its file's size (the smallest, with {thread})
  std::map<std::string, std::uint64_t> map_bytes_;   // mapping -> its length in whole pages
  std::set<std::string> direct_;  // descriptors opened with O_DIRECT
  std::set<std::string> append_;  // descriptors opened with O_APPEND
  std::map<std::string, std::uint64_t> conns_;  // connection set -> how many connections it holds
  UringLoadState uring_;          // the thread's io_uring, as the ops so far left it
  bool in_uring_ = false;         // reading the SQEs of a `uring`
  std::uint32_t pool_workers_ = 0;  // the process's thread pool, once a queue_work made it
};

}  // namespace kiosim::program_load
