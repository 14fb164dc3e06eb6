// One walk of a thread's program, shared by the simulator (sim/run/interpreter.cpp)
// and real mode (sim/host/runner.cpp). The walk owns what the language means:
// `repeat`, `fork`, the names ops bind (open, socket, pipe, mmap `as`) and unbind
// (close, munmap), `{thread}` in file names, and where a sequential touch starts.
// What each op does is the handler's: one function per op kind.
//
// A handler H names what a binding holds (H::File, H::Socket, H::Pipe, H::Mapping,
// four distinct copyable types) and has these functions, each given the op and the
// bindings it names:
//   File open(op, file)            Socket socket(op)        Pipe pipe(op)
//   void close(op, File&)          read(op, File&)          uring_read(op, File&)
//   void write_file(op, File&, Mapping* from)      write_socket(op, Socket&, Mapping* from)
//   void send(op, Socket&)         Mapping mmap(op, File&)  Mapping mmap_anon(op)
//   void munmap(op, Mapping&)      std::uint64_t mapped_bytes(const Mapping&)
//   void touch(op, Mapping&, offset)                        sendfile(op, Socket& out, File& in)
//   void splice_to_pipe(op, File&, Pipe&)          splice_from_pipe(op, Pipe&, Socket&)
//   void sleep(op)   fadvise(op, File&)   fsync(op, File&)  (fdatasync too)
//   void uring_setup(op)   uring_register(op)
//   void uring(op, const std::vector<Sqe>&)   (a template: Sqe is ProgramWalker<H>::Sqe)
//   void fork(op, std::function<void(H& child)> run_child)
//   void queue_work(op, Epoll&, std::function<void(H& worker)> run_work)  (the loop's epoll instance)
//   void fork_body_begins(), fork_body_ends()   (on the child's H, around its body)
//   void fork_returned()                         (on the parent's, once fork returns)
//   Many connections (H::Epoll, H::Conns: an epoll instance, a set of connections):
//   Conns accept(op)   Epoll epoll_create(op)   void epoll_ctl(op, Epoll&, Conns&)
//   void recv(op, Conns&)   void epoll_wait(op, Epoll&, std::function<void(Conns)> each)
//   void select(op, Conns&, std::function<void(Conns)> each)   (poll too: op.kind says which)
//   (`each` runs the op's `do` with `as` bound to one ready connection)
//   (real mode counts a child's faults between the first two and restarts the parent's
//   count at the third, after the walk's own copies and frees; the simulator ignores them)
// This layer calls no kernel and no system call itself.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "sim/program/op_table.h"
#include "sim/program/program.h"

namespace kiosim {

// `{thread}` in a name replaced by the thread's index.
inline std::string expand_thread(std::string name, unsigned thread) {
  const std::string tag = "{thread}";
  for (auto pos = name.find(tag); pos != std::string::npos; pos = name.find(tag))
    name.replace(pos, tag.size(), std::to_string(thread));
  return name;
}

template <class H>
class ProgramWalker {
 public:
  using File = typename H::File;
  using Socket = typename H::Socket;
  using Pipe = typename H::Pipe;
  using Mapping = typename H::Mapping;
  using Epoll = typename H::Epoll;
  using Conns = typename H::Conns;
  // A name is what it was last bound as, as the loader sees it.
  using Binding = std::variant<File, Socket, Pipe, Mapping, Epoll, Conns>;
  using Names = std::map<std::string, Binding>;

  ProgramWalker(H& h, unsigned thread) : h_(h), thread_(thread) {}

  // One SQE of `uring`, with the bindings it names (splice: the pipe and the other end).
  struct Sqe {
    const Op* op = nullptr;
    File* file = nullptr;
    Socket* socket = nullptr;
    Pipe* pipe = nullptr;
    Conns* conns = nullptr;  // recv: the connection
  };

  void run(const std::vector<Op>& ops) {
    for (const Op& op : ops) step(op);
  }
  // What is still bound (real mode closes it when the run ends).
  const Names& names() const { return names_; }

 private:
  // The loader checked every name, so a missing one is a bug in kiosim, not in the scenario.
  template <class T>
  T& get(const Op& op, const std::string& name) {
    auto it = names_.find(name);
    T* v = it == names_.end() ? nullptr : std::get_if<T>(&it->second);
    if (!v) throw std::logic_error(unbound_message(op, name));
    return *v;
  }
  template <class T>
  bool is(const std::string& name) const {
    auto it = names_.find(name);
    return it != names_.end() && std::holds_alternative<T>(it->second);
  }
  static std::string unbound_message(const Op& op, const std::string& name) {
    return "kiosim: " + std::string(to_string(op.kind)) + " reached an unbound name `" + name + "`";
  }

  // From where the last sequential touch of this mapping ended, wrapping at its end.
  std::uint64_t touch_offset(const Op& op, const Mapping& m) {
    if (!op.sequential) return op.offset == kNoOffset ? 0 : op.offset;
    std::uint64_t& cur = touch_cursor_[op.from];
    if (cur >= h_.mapped_bytes(m)) cur = 0;
    std::uint64_t off = cur;
    cur += op.bytes;
    return off;
  }

  void step(const Op& op) {
    switch (op.kind) {
      case OpKind::open: names_[op.as] = h_.open(op, expand_thread(op.file, thread_)); break;
      case OpKind::socket: names_[op.as] = h_.socket(op); break;
      case OpKind::pipe: names_[op.as] = h_.pipe(op); break;
      case OpKind::close:
        h_.close(op, get<File>(op, op.fd));
        names_.erase(op.fd);
        break;
      case OpKind::read:
      case OpKind::pread: h_.read(op, get<File>(op, op.fd)); break;
      case OpKind::uring_read: h_.uring_read(op, get<File>(op, op.fd)); break;
      case OpKind::write:
      case OpKind::pwrite: {
        Mapping* from = op.from.empty() ? nullptr : &get<Mapping>(op, op.from);
        if (is<Socket>(op.fd)) h_.write_socket(op, get<Socket>(op, op.fd), from);
        else h_.write_file(op, get<File>(op, op.fd), from);
        break;
      }
      case OpKind::send: h_.send(op, get<Socket>(op, op.fd)); break;
      case OpKind::mmap:
        names_[op.as] = op.fd.empty() ? h_.mmap_anon(op) : h_.mmap(op, get<File>(op, op.fd));
        break;
      case OpKind::munmap:
        h_.munmap(op, get<Mapping>(op, op.from));
        names_.erase(op.from);
        break;
      case OpKind::touch: {
        Mapping& m = get<Mapping>(op, op.from);
        h_.touch(op, m, touch_offset(op, m));
        break;
      }
      case OpKind::sendfile: h_.sendfile(op, get<Socket>(op, op.out), get<File>(op, op.in)); break;
      case OpKind::splice:
        if (is<Pipe>(op.out)) h_.splice_to_pipe(op, get<File>(op, op.in), get<Pipe>(op, op.out));
        else h_.splice_from_pipe(op, get<Pipe>(op, op.in), get<Socket>(op, op.out));
        break;
      case OpKind::sleep: h_.sleep(op); break;
      case OpKind::fadvise: h_.fadvise(op, get<File>(op, op.fd)); break;
      case OpKind::fsync:
      case OpKind::fdatasync: h_.fsync(op, get<File>(op, op.fd)); break;
      case OpKind::fork: fork(op); break;
      case OpKind::queue_work: queue_work(op); break;
      case OpKind::uring_setup: h_.uring_setup(op); break;
      case OpKind::uring_register: h_.uring_register(op); break;
      case OpKind::uring: h_.uring(op, sqes(op)); break;
      case OpKind::repeat:
        for (std::uint64_t i = 0; i < op.count; ++i) run(op.body);
        break;
      case OpKind::accept: names_[op.as] = h_.accept(op); break;
      case OpKind::epoll_create: names_[op.as] = h_.epoll_create(op); break;
      case OpKind::epoll_ctl: h_.epoll_ctl(op, get<Epoll>(op, op.ep), get<Conns>(op, op.fd)); break;
      case OpKind::recv: h_.recv(op, get<Conns>(op, op.fd)); break;
      case OpKind::epoll_wait: h_.epoll_wait(op, get<Epoll>(op, op.ep), each_ready(op)); break;
      case OpKind::select:
      case OpKind::poll: {
        Conns set = get<Conns>(op, op.fd);  // a copy: `do` may rebind the name
        h_.select(op, set, each_ready(op));
        break;
      }
    }
  }

  // epoll_wait, select, poll: `do` once for a ready connection, bound as `as`.
  std::function<void(Conns)> each_ready(const Op& op) {
    return [this, &op](Conns ready) {
      names_[op.as] = std::move(ready);
      run(op.body);
    };
  }

  std::vector<Sqe> sqes(const Op& op) {
    std::vector<Sqe> out;
    for (const Op& o : op.body) {
      Sqe s;
      s.op = &o;
      if (o.kind == OpKind::splice) {
        const bool to_pipe = is<Pipe>(o.out);
        s.pipe = &get<Pipe>(op, to_pipe ? o.out : o.in);
        if (to_pipe) s.file = &get<File>(op, o.in);
        else s.socket = &get<Socket>(op, o.out);
      } else if (o.kind == OpKind::recv) {
        s.conns = &get<Conns>(op, o.fd);
      } else if (is<Socket>(o.fd)) {
        s.socket = &get<Socket>(op, o.fd);
      } else {
        s.file = &get<File>(op, o.fd);
      }
      out.push_back(s);
    }
    return out;
  }

  // The child starts with copies of the parent's bindings (and touch cursors), taken
  // now; what it binds stays its own.
  void fork(const Op& op) {
    h_.fork(op, [names = names_, cursors = touch_cursor_, body = &op.body, thread = thread_](H& child) {
      ProgramWalker w(child, thread);
      w.names_ = names;
      w.touch_cursor_ = cursors;
      child.fork_body_begins();
      w.run(*body);
      child.fork_body_ends();
    });
    h_.fork_returned();
  }

  // A worker runs `do` with the loop's bindings as they are now (they are shared in a
  // process; what the work binds stays its own).
  void queue_work(const Op& op) {
    h_.queue_work(op, get<Epoll>(op, op.ep),
                  [names = names_, cursors = touch_cursor_, body = &op.body, thread = thread_](H& worker) {
                    ProgramWalker w(worker, thread);
                    w.names_ = names;
                    w.touch_cursor_ = cursors;
                    w.run(*body);
                  });
  }

  H& h_;
  unsigned thread_;
  Names names_;
  std::map<std::string, std::uint64_t> touch_cursor_;  // sequential touches, per mapping name
};

}  // namespace kiosim
