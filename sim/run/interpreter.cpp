#include "sim/run/interpreter.h"

#include <map>
#include <memory>
#include <stdexcept>

namespace kiosim {

namespace {

std::string expand(std::string name, unsigned thread) {
  const std::string tag = "{thread}";
  for (auto pos = name.find(tag); pos != std::string::npos; pos = name.find(tag))
    name.replace(pos, tag.size(), std::to_string(thread));
  return name;
}

// The names a thread has bound. The loader checked every reference, so a missing
// name here is a bug in kiosim, not in the scenario.
struct Names {
  std::map<std::string, std::unique_ptr<OpenFile>> files;
  std::map<std::string, Socket*> sockets;
  std::map<std::string, PipeObj*> pipes;
  std::map<std::string, std::unique_ptr<Mapping>> maps;
  std::map<std::string, std::uint64_t> touch_cursor;  // sequential touches, per mapping

  template <class M>
  static auto& get(M& m, const std::string& n) {
    auto it = m.find(n);
    if (it == m.end()) throw std::logic_error("kiosim: unbound name `" + n + "` reached the kernel");
    return *it->second;
  }
  Mapping* mapping_or_null(const std::string& n) {
    if (n.empty()) return nullptr;
    return &get(maps, n);
  }
};

class Interpreter {
 public:
  Interpreter(Kernel& k, Thread& t, const Scenario& s, unsigned idx) : k_(k), t_(t), s_(s), idx_(idx) {}

  void run(const std::vector<Op>& ops) {
    for (const Op& op : ops) step(op);
  }

 private:
  FileId file_id(const std::string& name) {
    std::string n = expand(name, idx_);
    for (FileId i = 0; i < s_.files.size(); ++i)
      if (s_.files[i].name == n) return i;
    throw std::logic_error("kiosim: unknown file `" + n + "` reached the kernel");
  }
  // A user buffer, named per thread: what MSG_ZEROCOPY pins.
  std::string buffer_key(const std::string& buf) const { return t_.name + "/" + buf; }
  std::optional<std::uint64_t> offset_of(const Op& op) {
    return op.offset == kNoOffset ? std::nullopt : std::optional<std::uint64_t>(op.offset);
  }

  void step(const Op& op) {
    switch (op.kind) {
      case OpKind::open:
        names_.files[op.as] =
            k_.open(t_, file_id(op.file), op.offset == kNoOffset ? 0 : op.offset, op.open_flags);
        break;
      case OpKind::socket: names_.sockets[op.as] = &k_.socket(t_); break;
      case OpKind::pipe: names_.pipes[op.as] = &k_.pipe(t_); break;
      case OpKind::close:
        k_.close(t_);
        names_.files.erase(op.fd);
        break;
      case OpKind::send:
        k_.send(t_, *names_.sockets.at(op.fd), op.bytes, buffer_key(op.buf), op.zerocopy);
        break;
      case OpKind::read:
      case OpKind::pread:
        k_.reuse_buffer(t_, buffer_key(op.buf));  // read() overwrites the buffer
        k_.read(t_, Names::get(names_.files, op.fd), op.bytes, op.kind == OpKind::pread ? offset_of(op) : std::nullopt);
        break;
      case OpKind::uring_read:
        k_.reuse_buffer(t_, buffer_key(op.buf));  // the reads land in the buffer
        k_.uring_read(t_, Names::get(names_.files, op.fd), op.bytes, op.depth);
        break;
      case OpKind::write:
      case OpKind::pwrite: {
        WriteSource src{names_.mapping_or_null(op.from)};
        if (names_.sockets.count(op.fd)) k_.write_socket(t_, *names_.sockets[op.fd], op.bytes, src);
        else
          k_.write_file(t_, Names::get(names_.files, op.fd), op.bytes,
                        op.kind == OpKind::pwrite ? offset_of(op) : std::nullopt, src);
        break;
      }
      case OpKind::mmap:
        if (op.fd.empty()) {  // MAP_ANONYMOUS
          names_.maps[op.as] = k_.mmap_anon(t_, op.bytes, op.writable);
          break;
        }
        names_.maps[op.as] = k_.mmap(t_, Names::get(names_.files, op.fd), op.offset == kNoOffset ? 0 : op.offset,
                                     op.bytes, op.shared, op.writable);
        break;
      case OpKind::munmap:
        k_.munmap(t_, Names::get(names_.maps, op.from));
        names_.maps.erase(op.from);
        break;
      case OpKind::touch: {
        Mapping& m = Names::get(names_.maps, op.from);
        std::uint64_t off = op.offset == kNoOffset ? 0 : op.offset;
        if (op.sequential) {  // from where the last sequential touch ended, wrapping at the end
          std::uint64_t& cur = names_.touch_cursor[op.from];
          if (cur >= m.pages * kPageSize) cur = 0;
          off = cur;
          cur += op.bytes;
        }
        k_.touch(t_, m, off, op.bytes, op.writable);
        break;
      }
      case OpKind::sendfile:
        k_.sendfile(t_, Names::get(names_.sockets, op.out), Names::get(names_.files, op.in), op.bytes);
        break;
      case OpKind::splice:
        if (names_.pipes.count(op.out))
          k_.splice_file_to_pipe(t_, Names::get(names_.files, op.in), *names_.pipes[op.out], op.bytes);
        else
          k_.splice_pipe_to_socket(t_, Names::get(names_.pipes, op.in), Names::get(names_.sockets, op.out), op.bytes);
        break;
      case OpKind::sleep: k_.sleep(t_, op.ns); break;
      case OpKind::fadvise:
        k_.fadvise(t_, Names::get(names_.files, op.fd), op.offset == kNoOffset ? 0 : op.offset, op.bytes,
                   op.advice == "dontneed" ? Advice::dontneed : Advice::willneed);
        break;
      case OpKind::fork: {
        // The child inherits the bindings: copies of the mappings (same virtual pages)
        // and descriptors, the same sockets and pipes.
        auto names = std::make_shared<Names>();
        for (const auto& [n, f] : names_.files) names->files[n] = std::make_unique<OpenFile>(*f);
        for (const auto& [n, m] : names_.maps) names->maps[n] = std::make_unique<Mapping>(*m);
        names->sockets = names_.sockets;
        names->pipes = names_.pipes;
        names->touch_cursor = names_.touch_cursor;
        Kernel& k = k_;
        const Scenario& s = s_;
        unsigned idx = idx_;
        const std::vector<Op>* body = &op.body;
        k_.fork(t_, op.as, [&k, &s, idx, body, names](Thread& child) {
          Interpreter in(k, child, s, idx);
          in.names_ = std::move(*names);
          in.run(*body);
          k.thread_finished(child);
        });
        break;
      }
      case OpKind::fsync:
      case OpKind::fdatasync:
        k_.fsync(t_, Names::get(names_.files, op.fd), op.kind == OpKind::fdatasync);
        break;
      case OpKind::repeat:
        for (std::uint64_t i = 0; i < op.count; ++i) run(op.body);
        break;
    }
  }

  Kernel& k_;
  Thread& t_;
  const Scenario& s_;
  unsigned idx_;
  Names names_;
};

}  // namespace

void run_program(Kernel& k, Thread& t, const Scenario& s, const Program& p, unsigned thread_index) {
  Interpreter in(k, t, s, thread_index);
  t.setup = true;
  in.run(p.setup);
  t.setup = false;
  k.thread_started(t);
  in.run(p.body);
  k.thread_finished(t);
}

}  // namespace kiosim
