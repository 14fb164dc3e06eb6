// Real mode's side of the program walk (sim/program/walker.h): each op is its
// system calls, each counted under the op table's name while the body runs
// (sim/host/runner.cpp times the body and gives the counts back in a Sample).
#pragma once
#include <liburing.h>

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/host/fork_runner.h"
#include "sim/host/private_dir.h"
#include "sim/host/runner.h"
#include "sim/program/op_table.h"

namespace kiosim::host {

class HostClients;

// The program's buffers start on a page boundary: O_DIRECT needs aligned memory,
// and the simulator's buffers are page-aligned too.
template <class T>
struct PageAligned {
  using value_type = T;
  PageAligned() = default;
  template <class U>
  PageAligned(const PageAligned<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(4096))); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(4096)); }
  bool operator==(const PageAligned&) const { return true; }
};
using UserBuffer = std::vector<char, PageAligned<char>>;

class SyscallOps {
 public:
  struct File {
    int fd = -1;
    bool sync = false;  // O_DSYNC or O_SYNC: each write is a sync too
  };
  struct Socket {
    int fd = -1;  // the connection made before the run
  };
  struct Pipe {
    int r = -1, w = -1;
    std::uint64_t content = 0;  // bytes in the pipe, as far as we put them there
  };
  struct Mapping {
    char* addr = nullptr;
    std::size_t len = 0;
    std::uint64_t file_offset = 0;  // file offset of addr
    std::uint64_t cursor = 0;       // file offset the next write() from it starts at
  };

  // Many connections (sim/host/rx_ops.cpp): an epoll instance, and connections
  // accepted from the clients' listener (sim/host/host_clients.h).
  struct Epoll {
    int fd = -1;
  };
  struct Conns {
    std::vector<int> fds;
  };
  Conns accept(const Op& op);
  Epoll epoll_create(const Op& op);
  void epoll_ctl(const Op& op, Epoll& ep, Conns& set);
  void recv(const Op& op, Conns& c);
  void epoll_wait(const Op& op, Epoll& ep, const std::function<void(Conns)>& each);
  void select(const Op& op, Conns& set, const std::function<void(Conns)>& each);  // poll too
  // The run's clients: accept's listener, and whether they have sent everything.
  void set_clients(HostClients* c) { clients_ = c; }
  // The thread pool: real mode refuses it before the run (runnable.cpp).
  void queue_work(const Op&, Epoll&, const std::function<void(SyscallOps&)>&) { refused("queue_work"); }

  SyscallOps(const std::map<std::string, std::string>& paths, const PrivateDir& dir,
             std::map<std::string, UserBuffer>& buffers, int sock, Sample& out)
      : paths_(paths), dir_(dir), buffers_(buffers), sock_(sock), out_(out) {}
  ~SyscallOps();
  SyscallOps(const SyscallOps&) = delete;
  SyscallOps& operator=(const SyscallOps&) = delete;

  bool counted = false;  // the body: count each call

  // The ring uring_read submits to, made before the timed region.
  void make_ring(std::uint32_t depth);

  File open(const Op& op, const std::string& file);
  Socket socket(const Op& op);
  Pipe pipe(const Op& op);
  void close(const Op& op, File& f);
  void read(const Op& op, File& f);
  void uring_read(const Op& op, File& f);
  // io_uring's ring (sim/host/uring_ops.cpp): the thread's ring, its registered
  // buffers, one submission of the walk's SQEs (ProgramWalker<SyscallOps>::Sqe).
  void uring_setup(const Op& op);
  void uring_register(const Op& op);
  template <class Sqes>
  void uring(const Op& op, const Sqes& sqes) {
    std::vector<RingSqe> v;
    for (const auto& s : sqes)
      v.push_back({s.op, s.file ? s.file->fd : -1,
                   s.conns ? s.conns->fds.at(0) : s.socket ? s.socket->fd : -1, s.pipe});
    uring_submit(op, v);
  }
  // Timed: a buffered write's time into Sample::write_ns, an O_DSYNC/O_SYNC one's into sync_ns.
  void write_file(const Op& op, File& f, Mapping* from);
  void write_socket(const Op& op, Socket& s, Mapping* from) { write(op, s.fd, from); }
  void send(const Op& op, Socket& s);
  Mapping mmap(const Op& op, File& f);
  Mapping mmap_anon(const Op& op);  // MAP_PRIVATE | MAP_ANONYMOUS, op.bytes long
  void munmap(const Op& op, Mapping& m);
  // Whole pages, as the simulator maps them (at least one).
  std::uint64_t mapped_bytes(const Mapping& m) const { return std::max<std::uint64_t>(1, (m.len + 4095) / 4096) * 4096; }
  void touch(const Op& op, Mapping& m, std::uint64_t offset);
  void sendfile(const Op& op, Socket& out, File& in);
  // file -> pipe: one call fills what it can.
  void splice_to_pipe(const Op& op, File& in, Pipe& out);
  // pipe -> socket: move what is in the pipe.
  void splice_from_pipe(const Op& op, Pipe& in, Socket& out);
  void sleep(const Op& op);
  void fadvise(const Op& op, File& f);
  void fsync(const Op& op, File& f);
  // fork(2): the child runs the body with a SyscallOps of its own (sim/host/fork_runner.h).
  void fork(const Op& op, const std::function<void(SyscallOps&)>& run_child);
  // The walk's marks around a child's body and after fork returns in the parent.
  void fork_body_begins() { if (side_) side_->begins(); }
  void fork_body_ends() { if (side_) side_->ends(out_.syscalls_total, out_.rx); }
  void fork_returned() { children_.parent_resumes(); }
  // After the body: waits for the forked children, their usage into the Sample.
  void reap_children(Sample& out) { children_.reap(out); }
  std::int64_t fork_bookkeeping_faults() const { return children_.parent_bookkeeping_faults(); }
  [[noreturn]] static void refused(const char* op) {
    throw std::logic_error(std::string("kiosim: real mode reached `") + op + "`, which it refuses to run");
  }

 private:
  static std::string_view syscall(const Op& op) { return op_spec(op.kind).syscall; }
  // One SQE of `uring`, with the descriptors it names (splice: the pipe and the other end).
  struct RingSqe {
    const Op* op = nullptr;
    int file_fd = -1, socket_fd = -1;  // recv: socket_fd is the connection's
    Pipe* pipe = nullptr;
  };
  void uring_submit(const Op& op, const std::vector<RingSqe>& sqes);
  void close_ring();
  bool clients_done() const;
  // One call of `op` in the body; a call after the first moved less than asked.
  void count(const Op& op, bool first = true);
  char* buffer(const std::string& name, std::uint64_t bytes);
  // write or pwrite of a user buffer, or from a mapping where the last write from it ended.
  void write(const Op& op, int fd, Mapping* from);

  const std::map<std::string, std::string>& paths_;  // scenario file name -> path in the directory
  const PrivateDir& dir_;
  std::map<std::string, UserBuffer>& buffers_;
  int sock_;
  Sample& out_;
  std::unique_ptr<io_uring> ring_;
  bool sqpoll_ = false;              // the ring has an SQ thread (uring_setup sqpoll)
  std::vector<UserBuffer> fixed_;    // its registered buffers (uring_register)
  HostClients* clients_ = nullptr;
  std::vector<int> owned_fds_;       // accepted connections and epoll instances, closed at the end
  volatile std::uint64_t sink_ = 0;
  ForkedChildren children_;
  ForkedChildren::ChildSide* side_ = nullptr;  // in a forked child: where its counts go
};

}  // namespace kiosim::host
