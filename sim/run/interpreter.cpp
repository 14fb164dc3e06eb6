#include "sim/run/interpreter.h"

#include <memory>
#include <stdexcept>

#include "sim/program/walker.h"

namespace kiosim {

namespace {

// The simulator's side of the walk: each op is one kernel call of one thread.
class KernelOps {
 public:
  // A struct file: fork's child shares it, offset and readahead state with it
  // (kernel/fork.c dup_fd copies the fd table, not the files), as real mode does.
  using File = std::shared_ptr<OpenFile>;
  using Socket = kiosim::Socket*;  // sockets and pipes belong to the kernel
  using Pipe = PipeObj*;
  using Mapping = kiosim::Mapping;
  using Epoll = EpollObj*;  // epoll instances belong to the kernel
  using Conns = ConnSet;

  KernelOps(Kernel& k, Thread& t, const Scenario& s) : k_(k), t_(t), s_(s) {}

  File open(const Op& op, const std::string& file) {
    return std::make_shared<OpenFile>(
        k_.open(t_, file_id(file), op.offset == kNoOffset ? 0 : op.offset, op.open_flags));
  }
  Socket socket(const Op&) { return &k_.socket(t_); }
  Pipe pipe(const Op&) { return &k_.pipe(t_); }
  void close(const Op&, File&) { k_.close(t_); }
  void read(const Op& op, File& f) {
    k_.reuse_buffer(t_, buffer_key(op.buf));  // read() overwrites the buffer
    k_.read(t_, *f, op.bytes, op.kind == OpKind::pread ? offset_of(op) : std::nullopt);
  }
  void uring_read(const Op& op, File& f) {
    k_.reuse_buffer(t_, buffer_key(op.buf));  // the reads land in the buffer
    k_.uring_read(t_, *f, op.bytes, op.depth);
  }
  void uring_setup(const Op& op) { k_.uring_setup(t_, op.entries, op.sqpoll, op.ns, op.iowq_max); }
  void uring_register(const Op& op) { k_.uring_register(t_, op.buffers, op.bytes); }
  // One io_uring_enter: the walker resolved each SQE's names.
  template <class Sqes>
  void uring(const Op&, const Sqes& sqes) {
    std::vector<UringSqe> out;
    for (const auto& w : sqes) {
      const Op& o = *w.op;
      UringSqe s;
      using O = UringSqe::Opcode;
      s.opcode = o.kind == OpKind::read || o.kind == OpKind::pread     ? O::read
                 : o.kind == OpKind::write || o.kind == OpKind::pwrite ? O::write
                 : o.kind == OpKind::send                              ? O::send
                 : o.kind == OpKind::recv                              ? O::recv
                 : o.kind == OpKind::splice                            ? O::splice
                 : o.kind == OpKind::fdatasync                         ? O::fdatasync
                                                                       : O::fsync;
      s.file = w.file ? w.file->get() : nullptr;
      s.socket = w.socket ? *w.socket : nullptr;
      s.pipe = w.pipe ? *w.pipe : nullptr;
      s.conns = w.conns;
      s.bytes = o.bytes;
      s.offset = offset_of(o);
      s.link = o.link;
      s.fixed = o.fixed;
      s.buffer = buffer_key(o.buf);
      s.zerocopy = o.zerocopy;
      if (s.opcode == O::read || s.opcode == O::recv) k_.reuse_buffer(t_, s.buffer);  // it lands in the buffer
      out.push_back(std::move(s));
    }
    k_.uring_enter(t_, out);
  }
  void write_socket(const Op& op, Socket& s, Mapping* from) {
    until_done(op, *s, [&](std::uint64_t left, SendWait w) { return k_.write_socket(t_, *s, left, WriteSource{from}, w); });
  }
  void write_file(const Op& op, File& f, Mapping* from) {
    k_.write_file(t_, *f, op.bytes, op.kind == OpKind::pwrite ? offset_of(op) : std::nullopt, WriteSource{from});
  }
  void send(const Op& op, Socket& s) {
    until_done(op, *s, [&](std::uint64_t left, SendWait w) {
      return k_.send(t_, *s, left, buffer_key(op.buf), op.zerocopy, w);
    });
  }
  Mapping mmap(const Op& op, File& f) {
    return k_.mmap(t_, *f, op.offset == kNoOffset ? 0 : op.offset, op.bytes, op.shared, op.writable);
  }
  Mapping mmap_anon(const Op& op) { return k_.mmap_anon(t_, op.bytes, op.writable); }  // MAP_ANONYMOUS
  void munmap(const Op&, Mapping& m) { k_.munmap(t_, m); }
  std::uint64_t mapped_bytes(const Mapping& m) const { return m.pages * kPageSize; }
  void touch(const Op& op, Mapping& m, std::uint64_t offset) { k_.touch(t_, m, offset, op.bytes, op.writable); }
  void sendfile(const Op& op, Socket& out, File& in) { k_.sendfile(t_, *out, *in, op.bytes); }
  void splice_to_pipe(const Op& op, File& in, Pipe& out) { k_.splice_file_to_pipe(t_, *in, *out, op.bytes); }
  void splice_from_pipe(const Op& op, Pipe& in, Socket& out) { k_.splice_pipe_to_socket(t_, *in, *out, op.bytes); }
  void sleep(const Op& op) { k_.sleep(t_, op.ns); }
  void fadvise(const Op& op, File& f) {
    k_.fadvise(t_, *f, op.offset == kNoOffset ? 0 : op.offset, op.bytes,
               op.advice == "dontneed" ? Advice::dontneed : Advice::willneed);
  }
  void fsync(const Op& op, File& f) { k_.fsync(t_, *f, op.kind == OpKind::fdatasync); }
  Conns accept(const Op& op) { return k_.accept(t_, std::uint32_t(op.count)); }
  Epoll epoll_create(const Op&) { return &k_.epoll_create(t_); }
  void epoll_ctl(const Op& op, Epoll& ep, Conns& c) { k_.epoll_ctl(t_, *ep, c, op.ctl, op.events); }
  void recv(const Op& op, Conns& c) {
    k_.reuse_buffer(t_, buffer_key(op.buf));  // recv overwrites the buffer
    k_.recv(t_, c, op.bytes, op.nonblock, op.until_eagain);
  }
  void epoll_wait(const Op& op, Epoll& ep, const std::function<void(Conns)>& each) {
    k_.epoll_wait(t_, *ep, op.maxevents, op.timeout_ns, op.until_idle, each);
  }
  void select(const Op& op, Conns& c, const std::function<void(Conns)>& each) {
    k_.select(t_, c, op.kind == OpKind::poll, op.timeout_ns, op.until_idle, each);
  }
  // Real mode's counting marks (walker.h): nothing to do in the simulator.
  void fork_body_begins() {}
  void fork_body_ends() {}
  void fork_returned() {}
  // The work runs on a pool worker of this process, with a handler of its own.
  void queue_work(const Op& op, Epoll& ep, std::function<void(KernelOps&)> run_work) {
    Kernel& k = k_;
    const Scenario& s = s_;
    k_.queue_work(t_, *ep, op.workers, [&k, &s, run_work](Thread& worker) {
      KernelOps ops(k, worker, s);
      run_work(ops);
    });
  }
  // The child is a process of its own, with one thread that runs as a new actor.
  void fork(const Op& op, std::function<void(KernelOps&)> run_child) {
    Kernel& k = k_;
    const Scenario& s = s_;
    k_.fork(t_, op.as, [&k, &s, run_child](Thread& child) {
      KernelOps ops(k, child, s);
      run_child(ops);
      k.thread_finished(child);
    });
  }

 private:
  // One write or send, or with `until_done` the loop real programs write around it:
  //   while (left > 0) { n = write(fd, p, left); if (n < 0 && errno == EAGAIN) poll(POLLOUT); else left -= n; }
  // A blocking call copies everything, so its loop makes one call; a non-blocking one
  // returns what the send buffer takes (SendResult), and EAGAIN when it takes nothing.
  template <class Call>
  void until_done(const Op& op, kiosim::Socket& s, Call call) {
    const SendWait wait = op.nonblock ? SendWait::dontwait : SendWait::block;
    std::uint64_t left = op.bytes;
    do {
      const SendResult r = call(left, wait);
      left -= r.copied;
      if (r.eagain && op.until_done) k_.poll_writable(t_, s);
    } while (op.until_done && left > 0);
  }

  FileId file_id(const std::string& name) const {
    for (FileId i = 0; i < s_.files.size(); ++i)
      if (s_.files[i].name == name) return i;
    throw std::logic_error("kiosim: unknown file `" + name + "` reached the kernel");
  }
  // A user buffer, named per thread: what MSG_ZEROCOPY pins.
  std::string buffer_key(const std::string& buf) const { return t_.name + "/" + buf; }
  static std::optional<std::uint64_t> offset_of(const Op& op) {
    return op.offset == kNoOffset ? std::nullopt : std::optional<std::uint64_t>(op.offset);
  }

  Kernel& k_;
  Thread& t_;
  const Scenario& s_;
};

}  // namespace

void run_program(Kernel& k, Thread& t, const Scenario& s, const Program& p, unsigned thread_index) {
  KernelOps ops(k, t, s);
  ProgramWalker<KernelOps> walk(ops, thread_index);
  t.setup = true;
  walk.run(p.setup);
  t.setup = false;
  k.thread_started(t);
  walk.run(p.body);
  k.thread_finished(t);
}

}  // namespace kiosim
