// The program walk both the simulator and real mode use (sim/program/walker.h):
// repeat, fork, names bound and unbound, {thread}, and where a sequential touch starts.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "sim/program/walker.h"

using namespace kiosim;

namespace {

// Records each op it is given, with the bindings the walk resolved.
struct Recorder {
  struct File {
    std::string name;
  };
  struct Socket {
    int id = 0;
  };
  struct Pipe {
    int id = 0;
  };
  struct Mapping {
    std::string of;
    std::uint64_t bytes = 8192;
  };

  std::vector<std::string> calls;
  void log(const std::string& s) { calls.push_back(s); }

  File open(const Op&, const std::string& file) { return {file}; }
  Socket socket(const Op&) { return {7}; }
  Pipe pipe(const Op&) { return {9}; }
  void close(const Op&, File& f) { log("close " + f.name); }
  void read(const Op& op, File& f) { log(std::string(to_string(op.kind)) + " " + f.name); }
  void uring_read(const Op&, File& f) { log("uring_read " + f.name); }
  void uring_setup(const Op&) { log("uring_setup"); }
  void uring_register(const Op&) { log("uring_register"); }
  template <class Sqes>
  void uring(const Op&, const Sqes& sqes) { log("uring " + std::to_string(sqes.size())); }
  void write_file(const Op&, File& f, Mapping* m) { log("write file " + f.name + (m ? " from " + m->of : "")); }
  void write_socket(const Op&, Socket& s, Mapping*) { log("write socket " + std::to_string(s.id)); }
  void send(const Op&, Socket& s) { log("send " + std::to_string(s.id)); }
  Mapping mmap(const Op&, File& f) { return {f.name}; }
  Mapping mmap_anon(const Op&) { return {"anon"}; }
  void munmap(const Op&, Mapping& m) { log("munmap " + m.of); }
  std::uint64_t mapped_bytes(const Mapping& m) const { return m.bytes; }
  void touch(const Op&, Mapping& m, std::uint64_t off) { log("touch " + m.of + " at " + std::to_string(off)); }
  void sendfile(const Op&, Socket& s, File& f) { log("sendfile " + f.name + " to " + std::to_string(s.id)); }
  void splice_to_pipe(const Op&, File& f, Pipe& p) { log("splice " + f.name + " to pipe " + std::to_string(p.id)); }
  void splice_from_pipe(const Op&, Pipe& p, Socket& s) {
    log("splice pipe " + std::to_string(p.id) + " to " + std::to_string(s.id));
  }
  void sleep(const Op&) { log("sleep"); }
  void fadvise(const Op&, File& f) { log("fadvise " + f.name); }
  void fsync(const Op& op, File& f) { log(std::string(to_string(op.kind)) + " " + f.name); }
  void fork_body_begins() { log("child body begins"); }
  void fork_body_ends() { log("child body ends"); }
  void fork_returned() { log("fork returned"); }
  void fork(const Op& op, const std::function<void(Recorder&)>& child) {
    log("fork " + op.as);
    child(*this);  // runs at once here; the simulator runs it as an actor of its own
  }
  struct Epoll {
    int id = 0;
  };
  struct Conns {
    std::vector<int> ids;
  };
  Conns accept(const Op&) { return {{0, 1, 2}}; }
  Epoll epoll_create(const Op&) { return {5}; }
  void epoll_ctl(const Op&, Epoll& e, Conns& c) { log("epoll_ctl " + std::to_string(e.id) + " x" + std::to_string(c.ids.size())); }
  void recv(const Op&, Conns& c) { log("recv " + std::to_string(c.ids.at(0))); }
  // Two connections ready, in this order.
  void epoll_wait(const Op&, Epoll&, const std::function<void(Conns)>& each) {
    log("epoll_wait");
    each({{2}});
    each({{0}});
  }
  void select(const Op& op, Conns& c, const std::function<void(Conns)>& each) {
    log(std::string(to_string(op.kind)) + " x" + std::to_string(c.ids.size()));
    each({{1}});
  }
  void queue_work(const Op&, Epoll& e, const std::function<void(Recorder&)>& work) {
    log("queue_work " + std::to_string(e.id));
    work(*this);  // at once here; the simulator runs it on a pool worker
  }
};

Op op(OpKind k, std::vector<std::pair<std::string Op::*, std::string>> fields = {}) {
  Op o;
  o.kind = k;
  for (auto& [field, value] : fields) o.*field = value;
  return o;
}

}  // namespace

TEST_CASE("the walk binds names, expands {thread}, repeats and unbinds", "[walker]") {
  Op rd = op(OpKind::read, {{&Op::fd, "in"}});
  Op rep = op(OpKind::repeat);
  rep.count = 2;
  rep.body = {rd};
  std::vector<Op> prog = {op(OpKind::open, {{&Op::file, "data{thread}.bin"}, {&Op::as, "in"}}),
                          op(OpKind::socket, {{&Op::as, "s"}}),
                          rep,
                          op(OpKind::sendfile, {{&Op::in, "in"}, {&Op::out, "s"}}),
                          op(OpKind::write, {{&Op::fd, "s"}}),
                          op(OpKind::close, {{&Op::fd, "in"}})};
  Recorder r;
  ProgramWalker<Recorder> walk(r, 3);
  walk.run(prog);
  CHECK(r.calls == std::vector<std::string>{"read data3.bin", "read data3.bin", "sendfile data3.bin to 7",
                                            "write socket 7", "close data3.bin"});
  CHECK(walk.names().count("in") == 0);  // close unbound it
  CHECK(walk.names().count("s") == 1);
  CHECK_THROWS_AS(walk.run({rd}), std::logic_error);  // a name the loader would refuse
}

TEST_CASE("a sequential touch starts where the last one ended and wraps at the mapping's end", "[walker]") {
  Op touch = op(OpKind::touch, {{&Op::from, "m"}});
  touch.sequential = true;
  touch.bytes = 4096;
  Op at = op(OpKind::touch, {{&Op::from, "m"}});
  at.offset = 100;
  std::vector<Op> prog = {op(OpKind::open, {{&Op::file, "f"}, {&Op::as, "fd"}}),
                          op(OpKind::mmap, {{&Op::fd, "fd"}, {&Op::as, "m"}}), touch, touch, touch, at};
  Recorder r;
  ProgramWalker<Recorder> walk(r, 0);
  walk.run(prog);
  CHECK(r.calls == std::vector<std::string>{"touch f at 0", "touch f at 4096", "touch f at 0", "touch f at 100"});
}

TEST_CASE("a forked child starts with the parent's names, and what it binds or closes stays its own", "[walker]") {
  Op fork = op(OpKind::fork, {{&Op::as, "kid"}});
  fork.body = {op(OpKind::close, {{&Op::fd, "in"}}), op(OpKind::pipe, {{&Op::as, "p"}})};
  std::vector<Op> prog = {op(OpKind::open, {{&Op::file, "f"}, {&Op::as, "in"}}), fork,
                          op(OpKind::read, {{&Op::fd, "in"}})};
  Recorder r;
  ProgramWalker<Recorder> walk(r, 0);
  walk.run(prog);
  // Real mode's counting marks: around the child's body, and once fork returns in the parent.
  CHECK(r.calls == std::vector<std::string>{"fork kid", "child body begins", "close f", "child body ends",
                                            "fork returned", "read f"});
  CHECK(walk.names().count("in") == 1);
  CHECK(walk.names().count("p") == 0);
}

TEST_CASE("epoll_wait, select and poll run `do` once per ready connection, bound as `as`", "[walker]") {
  Op rv = op(OpKind::recv, {{&Op::fd, "r"}});
  Op wait = op(OpKind::epoll_wait, {{&Op::ep, "ep"}, {&Op::as, "r"}});
  wait.body = {rv};
  Op sel = op(OpKind::select, {{&Op::fd, "c"}, {&Op::as, "r"}});
  sel.body = {rv};
  Op pl = sel;
  pl.kind = OpKind::poll;
  std::vector<Op> prog = {op(OpKind::accept, {{&Op::as, "c"}}), op(OpKind::epoll_create, {{&Op::as, "ep"}}),
                          op(OpKind::epoll_ctl, {{&Op::ep, "ep"}, {&Op::fd, "c"}}), wait, sel, pl};
  Recorder r;
  ProgramWalker<Recorder> walk(r, 0);
  walk.run(prog);
  CHECK(r.calls == std::vector<std::string>{"epoll_ctl 5 x3", "epoll_wait", "recv 2", "recv 0", "select x3", "recv 1",
                                            "poll x3", "recv 1"});
}

TEST_CASE("queue_work runs `do` with the loop's names; what the work binds stays its own", "[walker]") {
  // The loop binds `c` and `ep`; the work reads `c` and binds `w`, which the loop
  // afterwards does not have: its recv of `c` still finds the connections.
  Op rv = op(OpKind::recv, {{&Op::fd, "c"}});
  Op work = op(OpKind::queue_work, {{&Op::ep, "ep"}});
  work.body = {rv, op(OpKind::accept, {{&Op::as, "w"}})};
  std::vector<Op> prog = {op(OpKind::accept, {{&Op::as, "c"}}), op(OpKind::epoll_create, {{&Op::as, "ep"}}), work, rv};
  Recorder r;
  ProgramWalker<Recorder> walk(r, 0);
  walk.run(prog);
  CHECK(r.calls == std::vector<std::string>{"queue_work 5", "recv 0", "recv 0"});
  CHECK(walk.names().count("w") == 0);
}
