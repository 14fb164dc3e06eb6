// Real mode's `clients:` (the simulator's are sim/kernel/sock_rx.h's actor): a loopback
// TCP listener on 127.0.0.1, the measured process's connections made to it before the
// run (in its accept queue: the program's accept4 calls take them in the body), and a
// client process that sends each connection's requests at the times the simulated
// clients send them (model/client_arrivals.h, the scenario's seed), from the body's
// start. It is a process of its own, so that its CPU time, switches and calls are not
// the program's (getrusage); it shares our memory (clone CLONE_VM, as the receiver of
// runner.cpp: a fork would make the program's pages copy-on-write) and allocates
// nothing: the schedule and its buffers are made before it starts.
//
// The measured process gets the connections it would get in the simulated run when
// the processes accept in the order they are written (`first`, `count`). Sends are
// non-blocking (MSG_DONTWAIT): what the server's full receive window does not take
// waits at the client (a zero window) and is sent again before that connection's next
// request and, after the last, every millisecond until the body ends. The connections
// stay open until then: a close would make every level-triggered epoll_wait report
// the end of file.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.h"

namespace kiosim::host {

// Why the host cannot run `count` connections (file descriptors, the accept backlog,
// the size of the schedule), or nothing. Raises the soft RLIMIT_NOFILE up to the hard
// one when that is enough (unprivileged).
std::optional<std::string> why_no_clients(const ClientsSpec& spec, std::uint32_t count);

class HostClients {
 public:
  HostClients(const ClientsSpec& spec, std::uint64_t seed, std::uint32_t first, std::uint32_t count);
  ~HostClients();  // stops the client process if it runs, closes everything
  HostClients(const HostClients&) = delete;
  HostClients& operator=(const HostClients&) = delete;

  int listener() const { return listener_; }
  // Starts the client process (before the timed region): it waits for go().
  void start();
  // Its schedule counts from `t0_ns` (CLOCK_MONOTONIC): one write to it.
  void go(double t0_ns);
  // The schedule ran out: every request was sent or waits at the client (the
  // simulator's clients_done).
  bool done() const { return shared_.flags->done.load(std::memory_order_acquire) != 0; }
  // After the body: the client process exits and is reaped.
  void stop();
  // What each connection sends in all, and what was never sent (held at the client
  // by a zero window when stop() came).
  std::uint64_t bytes_per_connection() const { return spec_.requests * spec_.request_bytes; }
  std::uint64_t bytes_scheduled() const { return bytes_per_connection() * count_; }
  std::uint64_t bytes_held() const { return shared_.flags->held.load(); }
  std::uint32_t count() const { return count_; }

  // The client process's data: made before it starts, read by it only.
  struct Shared {
    std::vector<std::pair<double, std::uint32_t>> schedule;  // (ns after t0, connection)
    std::vector<int> fds;                                   // its ends of the connections
    std::vector<std::uint64_t> pending;                     // bytes held per connection
    std::vector<char> request;                              // one request's bytes
    int go_fd = -1;   // the go pipe: t0, then EOF = stop
    int other_fd = -1;  // our end of it, closed in the child
    // In a MAP_SHARED page: the program's forked children read `done` too, and fork
    // would give them a copy of anything else.
    struct Flags {
      std::atomic<int> done{0};
      std::atomic<std::uint64_t> held{0};
    };
    Flags* flags = nullptr;
  };

 private:
  // The constructor's work: the schedule, the shared flags, the listener and `count_`
  // connected sockets. On a throw the constructor releases what it opened.
  void open_connections(std::uint32_t first, std::uint64_t seed);
  void release();  // the destructor's: stops the client process, closes everything
  ClientsSpec spec_;
  std::uint32_t count_ = 0;
  int listener_ = -1;
  int go_w_ = -1;
  pid_t pid_ = -1;
  bool handed_ = false;  // the client ends are the child's (ours closed)
  Shared shared_;
  std::vector<char> stack_;
};

}  // namespace kiosim::host
