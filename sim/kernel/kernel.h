// sim/kernel/: the kernel's syscall paths, in subsystems that each own their state:
// accounting, interrupts, the block device, the page cache (filemap), writeback,
// the journal (jbd2), the TLBs, mm, network transmit, and the file and socket paths.
// It calls model/ for the mechanisms and sim/engine for time; no SimGrid here.
//
// Kernel is the facade: it builds the subsystems, wires them, starts the device and
// kernel-thread actors, keeps the processes and threads (kernel/fork.c, exit.c), and
// hands each system call to the subsystem that serves it. Counters and trace events
// are exactly those MODEL.md section 1 defines.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/accounting.h"
#include "sim/kernel/block_device.h"
#include "sim/kernel/file_io.h"
#include "sim/kernel/filemap.h"
#include "sim/kernel/interrupts.h"
#include "sim/kernel/io_uring.h"
#include "sim/kernel/kswapd.h"
#include "sim/kernel/jbd2.h"
#include "sim/kernel/mm.h"
#include "sim/kernel/net_tx.h"
#include "sim/kernel/objects.h"
#include "sim/kernel/sock_rx.h"
#include "sim/kernel/socket_io.h"
#include "sim/kernel/threadpool.h"
#include "sim/kernel/tlbs.h"
#include "sim/kernel/writeback.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

class Kernel {
 public:
  Kernel(const Machine& m, const std::vector<FileSpec>& files, Engine& engine, Trace& trace);

  void start_devices();
  void set_seed(std::uint64_t seed) { net_.set_seed(seed); }
  // `clients:` and their connections (sim/kernel/sock_rx.h), before start_devices.
  void set_clients(const ClientsSpec& c, std::uint64_t seed) { sock_rx_.configure(c, seed); }
  Process& new_process(const std::string& name);
  Thread& new_thread(Process& p, const std::string& name);
  void thread_started(Thread& t);
  void thread_finished(Thread& t);
  // Called by the run's supervisor: returns when every thread ended and the NIC drained.
  void wait_until_done();
  double end_ns() const { return end_ns_; }

  // The syscalls. Each returns bytes moved (or a handle). Errors are found at load time.
  OpenFile open(Thread& t, FileId f, std::uint64_t offset, std::uint32_t flags = 0) {
    return file_io_.open(t, f, offset, flags);
  }
  Socket& socket(Thread& t) { return socket_io_.socket(t); }
  PipeObj& pipe(Thread& t) { return socket_io_.pipe(t); }
  void close(Thread& t) { file_io_.close(t); }
  std::uint64_t read(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset) {
    return file_io_.read(t, f, bytes, offset);
  }
  std::uint64_t uring_read(Thread& t, OpenFile& f, std::uint64_t bytes, std::uint32_t depth) {
    return file_io_.uring_read(t, f, bytes, depth);
  }
  void uring_setup(Thread& t, std::uint32_t entries, bool sqpoll, double idle_ns, std::uint32_t iowq_max = 0) {
    uring_.setup(t, entries, sqpoll, idle_ns, iowq_max);
  }
  bool uring_register(Thread& t, std::uint32_t buffers, std::uint64_t bytes) {
    return uring_.register_buffers(t, buffers, bytes);
  }
  std::uint64_t uring_enter(Thread& t, const std::vector<UringSqe>& sqes) { return uring_.enter(t, sqes); }
  SendResult write_socket(Thread& t, Socket& s, std::uint64_t bytes, WriteSource src,
                          SendWait wait = SendWait::block) {
    return socket_io_.write(t, s, bytes, src, wait);
  }
  std::uint64_t write_file(Thread& t, OpenFile& f, std::uint64_t bytes, std::optional<std::uint64_t> offset,
                           WriteSource src) {
    return file_io_.write(t, f, bytes, offset, src);
  }
  Mapping mmap(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t length, bool shared,
                                bool writable) {
    return mm_.mmap(t, f, offset, length, shared, writable);
  }
  void munmap(Thread& t, Mapping& m) { mm_.munmap(t, m); }
  Mapping mmap_anon(Thread& t, std::uint64_t length, bool writable) {
    return mm_.mmap_anon(t, length, writable);
  }
  // fork(): a child process with a copy-on-write copy of the address space, and one
  // thread that runs `body` (which must end with thread_finished) as a new actor.
  Thread& fork(Thread& t, const std::string& child_name, std::function<void(Thread&)> body);
  void touch(Thread& t, Mapping& m, std::uint64_t offset, std::uint64_t bytes, bool write) {
    mm_.touch(t, m, offset, bytes, write);
  }
  std::uint64_t sendfile(Thread& t, Socket& out, OpenFile& in, std::uint64_t bytes) {
    return socket_io_.sendfile(t, out, in, bytes);
  }
  SendResult send(Thread& t, Socket& s, std::uint64_t bytes, const std::string& buffer, bool zerocopy,
                  SendWait wait = SendWait::block) {
    return socket_io_.send(t, s, bytes, buffer, zerocopy, wait);
  }
  void poll_writable(Thread& t, Socket& s) { socket_io_.poll_writable(t, s); }
  void reuse_buffer(Thread& t, const std::string& buffer) { socket_io_.reuse_buffer(t, buffer); }
  std::uint64_t splice_file_to_pipe(Thread& t, OpenFile& in, PipeObj& out, std::uint64_t bytes) {
    return socket_io_.splice_file_to_pipe(t, in, out, bytes);
  }
  std::uint64_t splice_pipe_to_socket(Thread& t, PipeObj& in, Socket& out, std::uint64_t bytes) {
    return socket_io_.splice_pipe_to_socket(t, in, out, bytes);
  }
  void sleep(Thread& t, double ns) { acct_.sleep(t, ns); }
  void fadvise(Thread& t, OpenFile& f, std::uint64_t offset, std::uint64_t bytes, Advice advice) {
    file_io_.fadvise(t, f, offset, bytes, advice);
  }
  void fsync(Thread& t, OpenFile& f, bool datasync) { file_io_.fsync(t, f, datasync); }
  // Many connections: the server's side (sim/kernel/sock_rx.h).
  ConnSet accept(Thread& t, std::uint32_t count) { return sock_rx_.accept(t, count); }
  EpollObj& epoll_create(Thread& t) { return sock_rx_.epoll_create(t); }
  void epoll_ctl(Thread& t, EpollObj& ep, const ConnSet& c, const std::string& ctl, std::uint32_t events) {
    sock_rx_.epoll_ctl(t, ep, c, ctl, events);
  }
  void epoll_wait(Thread& t, EpollObj& ep, std::uint32_t maxevents, double timeout_ns, bool until_idle,
                  const std::function<void(ConnSet)>& each) {
    sock_rx_.epoll_wait(t, ep, maxevents, timeout_ns, until_idle, each);
  }
  void select(Thread& t, const ConnSet& c, bool poll, double timeout_ns, bool until_idle,
              const std::function<void(ConnSet)>& each) {
    sock_rx_.select(t, c, poll, timeout_ns, until_idle, each);
  }
  std::uint64_t recv(Thread& t, const ConnSet& c, std::uint64_t bytes, bool nonblock, bool until_eagain) {
    return sock_rx_.recv(t, c, bytes, nonblock, until_eagain);
  }
  // libuv's thread pool (sim/kernel/threadpool.h): `work` runs on one of the process's workers.
  void queue_work(Thread& t, EpollObj& ep, std::uint32_t workers, std::function<void(Thread&)> work) {
    pool_.queue_work(t, ep, workers, std::move(work));
  }

  const PageCache& page_cache() const { return filemap_.cache(); }
  const std::vector<std::unique_ptr<Process>>& processes() const { return procs_; }
  const std::vector<std::unique_ptr<Thread>>& threads() const { return threads_; }
  std::uint64_t file_size(FileId f) const { return filemap_.file_size(f); }
  const Journal& journal() const { return jbd2_.journal(); }
  // net.receiver: local - the process the kernel made to read the socket (null: none).
  const Process* local_receiver() const { return receiver_; }
  bool pipes_empty() const { return socket_io_.pipes_empty(); }

 private:
  void after_interrupt();  // waiters re-check: the page cache changed, the run may be over

  Machine m_;
  Engine& engine_;
  Accounting acct_;
  std::unique_ptr<WaitQueue> idle_;
  Interrupts irq_;
  BlockDevice disk_;
  Filemap filemap_;
  Kswapd kswapd_;
  Writeback writeback_;
  Jbd2 jbd2_;
  Tlbs tlbs_;
  Mm mm_;
  NetTx net_;
  FileIo file_io_;
  SocketIo socket_io_;
  SockRx sock_rx_;
  IoUring uring_;
  ThreadPool pool_;

  std::vector<std::unique_ptr<Process>> procs_;
  std::vector<std::unique_ptr<Thread>> threads_;
  std::uint32_t next_asid_ = 1;
  Process* receiver_ = nullptr;
  int running_ = 0;
  double end_ns_ = 0;
};

}  // namespace kiosim
