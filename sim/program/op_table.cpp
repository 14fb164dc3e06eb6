#include "sim/program/op_table.h"

#include <stdexcept>

namespace kiosim {

std::string_view to_string(OpKeyType t) {
  switch (t) {
    case OpKeyType::name: return "name";
    case OpKeyType::size: return "size";
    case OpKeyType::time: return "time";
    case OpKeyType::boolean: return "bool";
    case OpKeyType::count: return "count";
    case OpKeyType::list: return "list";
    case OpKeyType::ops: return "ops";
  }
  return "?";
}

const std::vector<OpKeyInfo>& op_key_infos() {
  using T = OpKeyType;
  static const std::vector<OpKeyInfo> keys = {
      {"as", T::name,
       "the name the op binds (a descriptor, socket, pipe or mapping; fork: the child; epoll_wait, select, poll: the "
       "ready connection in `do`)"},
      {"file", T::name, "a file of `files:`; `{thread}` in it is the thread's index"},
      {"fd", T::name, "a descriptor bound earlier (write, send: or a socket; epoll_ctl, recv, select, poll: connections)"},
      {"in", T::name, "where sendfile or splice takes its bytes: a descriptor or a pipe"},
      {"out", T::name, "where sendfile or splice puts its bytes: a socket or a pipe"},
      {"map", T::name, "a mapping bound by mmap"},
      {"from", T::name, "write from this mapping instead of a user buffer"},
      {"buf", T::name, "the user buffer (default `buf`)"},
      {"bytes", T::size, "how many bytes; `$name` takes the parameter `params.name`"},
      {"length", T::size, "mmap: the mapping's length (0 or absent: the whole file)"},
      {"offset", T::size, "the file offset (touch: the offset in the mapping)"},
      {"flags", T::list, "open flags: rdonly, wronly, rdwr, creat, append, direct, dsync, sync"},
      {"advice", T::name, "fadvise: dontneed or willneed"},
      {"shared", T::boolean, "mmap: MAP_SHARED (true, the default) or MAP_PRIVATE"},
      {"write", T::boolean, "mmap: PROT_WRITE; touch: write to the pages, not read them"},
      {"zerocopy", T::boolean, "send: MSG_ZEROCOPY"},
      {"nonblock", T::boolean,
       "write, send to a socket: O_NONBLOCK / MSG_DONTWAIT: returns what fits in the send buffer, EAGAIN if nothing; "
       "recv: returns what is queued, EAGAIN if nothing"},
      {"until_done", T::boolean,
       "write, send: call again for the rest until `bytes` are written; after EAGAIN, poll(2) for POLLOUT first"},
      {"sequential", T::boolean, "touch: start where the last sequential touch of the mapping ended"},
      {"count", T::count, "accept: how many connections of `clients:` (default 1)"},
      {"ep", T::name,
       "epoll_ctl, epoll_wait: an epoll instance bound by epoll_create; queue_work: the one the loop waits in"},
      {"op", T::name, "epoll_ctl: add, mod or del"},
      {"events", T::list, "epoll_ctl: in, out (EPOLLIN, EPOLLOUT; default [in])"},
      {"et", T::boolean, "epoll_ctl: edge-triggered (EPOLLET): reported once per arrival, not while data remains"},
      {"exclusive", T::boolean, "epoll_ctl: EPOLLEXCLUSIVE: an arrival wakes one of the instances watching the socket"},
      {"maxevents", T::count, "epoll_wait: the most ready descriptors one call returns (1 to 65536; default 64)"},
      {"timeout", T::time, "epoll_wait, select, poll: how long a call waits (absent: for ever)"},
      {"until_idle", T::boolean,
       "epoll_wait, select, poll: call again until a call times out after the clients sent their last request"},
      {"until_eagain", T::boolean, "recv: call again until it returns EAGAIN (needs `nonblock`)"},
      {"depth", T::count, "uring_read: reads submitted by one io_uring_enter (1 to 4096)"},
      {"entries", T::count, "uring_setup: the SQ ring's entries (1 to 32768, rounded up to a power of two)"},
      {"sqpoll", T::boolean, "uring_setup: IORING_SETUP_SQPOLL, a kernel thread polls the SQ ring"},
      {"idle", T::time, "uring_setup: sq_thread_idle, how long the SQPOLL thread spins without work (default 1s)"},
      {"iowq_max", T::count,
       "uring_setup: io-wq's bounded workers at most (IORING_REGISTER_IOWQ_MAX_WORKERS; 1 to 4096; default "
       "min(SQ entries, 4 x cores))"},
      {"buffers", T::count, "uring_register: how many buffers of `bytes` to register (pinned; 1 to 16384)"},
      {"link", T::boolean, "an SQE of uring: IOSQE_IO_LINK, the next SQE starts when this one completes"},
      {"fixed", T::count, "an SQE of uring: the index of the registered buffer it reads into or writes from"},
      {"workers", T::count,
       "queue_work: the pool's threads (UV_THREADPOOL_SIZE: 1 to 1024, default 4); the first queue_work makes the pool"},
      {"for", T::time, "sleep: how long (`sleep: 5ms` is short for `sleep: { for: 5ms }`)"},
      {"do", T::ops,
       "the ops repeat runs, fork's child runs, or epoll_wait, select and poll run for each ready connection; uring: "
       "the SQEs it submits; queue_work: what a pool worker runs"},
      {"repeat", T::count, "how many times to run `do`"},
  };
  return keys;
}

const OpKeyInfo& op_key_info(std::string_view name) {
  for (const auto& k : op_key_infos())
    if (k.name == name) return k;
  throw std::out_of_range("kiosim: no op key `" + std::string(name) + "`");
}

const std::vector<OpSpec>& op_specs() {
  using K = OpKind;
  using C = OpCost;
  constexpr bool req = true;
  // kind, name, keys, setup may use it, cost, real mode's syscall name, summary
  static const std::vector<OpSpec> ops = {
      {K::accept, "accept", {{"as", req}, {"count"}}, false, C::call, "accept4",
       "accept4(2) `count` connections of `clients:`, bound as one name (one call each)"},
      {K::close, "close", {{"fd", req}}, false, C::call, "close",  //
       "close(2) a descriptor"},
      {K::epoll_create, "epoll_create", {{"as", req}}, false, C::call, "epoll_create1",  //
       "epoll_create1(2): an epoll instance"},
      {K::epoll_ctl, "epoll_ctl", {{"ep", req}, {"fd", req}, {"op", req}, {"events"}, {"et"}, {"exclusive"}}, false,
       C::call, "epoll_ctl", "epoll_ctl(2) for each connection of `fd` (one call each)"},
      {K::epoll_wait, "epoll_wait", {{"ep", req}, {"as", req}, {"do", req}, {"maxevents"}, {"timeout"}, {"until_idle"}},
       false, C::loop, "epoll_wait", "epoll_wait(2), then `do` for each ready connection, bound as `as`"},
      {K::fadvise, "fadvise", {{"fd", req}, {"advice", req}, {"offset"}, {"bytes"}}, false, C::call, "fadvise64",
       "posix_fadvise(2): `dontneed` drops the range from the cache, `willneed` reads it in"},
      {K::fdatasync, "fdatasync", {{"fd", req}}, false, C::call, "fdatasync",
       "fdatasync(2): like fsync, but no commit when only the mtime changed"},
      {K::fork, "fork", {{"as"}, {"do", req}}, false, C::call, "",
       "fork(2): a child process runs `do` with the parent's mappings and descriptors"},
      {K::fsync, "fsync", {{"fd", req}}, false, C::call, "fsync",
       "fsync(2): the data to its place, then the journal commit that holds the inode"},
      {K::mmap, "mmap", {{"fd"}, {"as", req}, {"offset"}, {"length"}, {"shared"}, {"write"}}, true, C::call, "mmap",
       "mmap(2) of a file (`fd`), or anonymous memory (no `fd`, a `length`)"},
      {K::munmap, "munmap", {{"map", req}}, false, C::call, "munmap",  //
       "munmap(2) a mapping"},
      {K::open, "open", {{"file", req}, {"as", req}, {"offset"}, {"flags"}}, true, C::call, "open",
       "open(2) a file of `files:`"},
      {K::pipe, "pipe", {{"as", req}}, true, C::call, "pipe",  //
       "pipe(2)"},
      {K::poll, "poll", {{"fd", req}, {"as", req}, {"do", req}, {"timeout"}, {"until_idle"}}, false, C::loop, "poll",
       "poll(2) every connection of `fd` (each one polled per call), then `do` for each ready one"},
      {K::pread, "pread", {{"fd", req}, {"bytes", req}, {"offset", req}, {"buf"}}, true, C::call, "pread",
       "pread(2) at an offset"},
      {K::pwrite, "pwrite", {{"fd", req}, {"bytes", req}, {"offset", req}, {"buf"}, {"from"}}, false, C::call, "pwrite",
       "pwrite(2) at an offset"},
      {K::queue_work, "queue_work", {{"ep", req}, {"do", req}, {"workers"}}, false, C::call, "",
       "uv_queue_work: `do` runs on a thread pool's worker; its completion wakes the loop's epoll_wait (`ep`) "
       "through an eventfd"},
      {K::read, "read", {{"fd", req}, {"bytes", req}, {"buf"}}, true, C::call, "read",
       "read(2) from the file position"},
      {K::recv, "recv", {{"fd", req}, {"bytes", req}, {"buf"}, {"nonblock"}, {"until_eagain"}}, false, C::call,
       "recvfrom", "recv(2) from a connection: what is queued, up to `bytes` (blocking: waits for a byte)"},
      {K::select, "select", {{"fd", req}, {"as", req}, {"do", req}, {"timeout"}, {"until_idle"}}, false, C::loop,
       "select", "select(2) over the connections of `fd` (at most 1024: FD_SETSIZE), then `do` for each ready one"},
      {K::send, "send", {{"fd", req}, {"bytes", req}, {"buf"}, {"zerocopy"}, {"nonblock"}, {"until_done"}}, false, C::call, "send",
       "send(2) to a socket, with MSG_ZEROCOPY or without"},
      {K::sendfile, "sendfile", {{"out", req}, {"in", req}, {"bytes", req}}, false, C::call, "sendfile",
       "sendfile(2) from a file to a socket"},
      {K::sleep, "sleep", {{"for", req}}, false, C::call, "",  //
       "the thread sleeps (`sleep: 5ms` for short)"},
      {K::socket, "socket", {{"as", req}}, true, C::call, "socket",  //
       "a TCP connection to the receiver"},
      {K::splice, "splice", {{"in", req}, {"out", req}, {"bytes", req}}, false, C::call, "splice",
       "splice(2): file -> pipe or pipe -> socket"},
      {K::touch, "touch", {{"map", req}, {"offset"}, {"bytes", req}, {"write"}, {"sequential"}}, true, C::call, "",
       "user code reads or writes a mapping: its faults cross into the kernel"},
      {K::uring, "uring", {{"do", req}}, false, C::body, "io_uring_enter",
       "one io_uring_enter: submits the SQEs of `do` (read, write, send, recv, splice, fsync; `link`, `fixed`) and waits for all"},
      {K::uring_read, "uring_read", {{"fd", req}, {"bytes", req}, {"buf"}, {"depth"}}, false, C::per_depth,
       "io_uring_enter", "`depth` reads of `bytes` from the file position, submitted by one io_uring_enter"},
      {K::uring_register, "uring_register", {{"buffers", req}, {"bytes", req}}, true, C::call, "io_uring_register",
       "IORING_REGISTER_BUFFERS: `buffers` buffers of `bytes` pinned, counted against mm.memlock"},
      {K::uring_setup, "uring_setup", {{"entries", req}, {"sqpoll"}, {"idle"}, {"iowq_max"}}, true, C::call, "io_uring_setup",
       "io_uring_setup(2): the thread's ring, with SQPOLL or without"},
      {K::write, "write", {{"fd", req}, {"bytes", req}, {"buf"}, {"from"}, {"nonblock"}, {"until_done"}}, false, C::call, "write",
       "write(2) to a file or socket, from a user buffer or a mapping"},
      {K::repeat, "repeat", {{"repeat", req}, {"do", req}}, false, C::body, "",  //
       "`repeat: N` beside `do: [...]`: runs `do` N times"},
  };
  return ops;
}

std::vector<std::string> OpSpec::key_names() const {
  std::vector<std::string> out;
  for (const auto& k : keys) out.emplace_back(k.name);
  return out;
}

std::vector<std::string> OpSpec::required_keys() const {
  std::vector<std::string> out;
  for (const auto& k : keys)
    if (k.required) out.emplace_back(k.name);
  return out;
}

const OpSpec* find_op(std::string_view name) {
  for (const auto& o : op_specs())
    if (o.name == name) return &o;
  return nullptr;
}

const OpSpec& op_spec(OpKind k) {
  for (const auto& o : op_specs())
    if (o.kind == k) return o;
  throw std::logic_error("kiosim: an op kind missing from the op table");
}

std::vector<std::string> op_names() {
  std::vector<std::string> out;
  for (const auto& o : op_specs()) out.emplace_back(o.name);
  return out;
}

std::string_view to_string(OpKind k) { return op_spec(k).name; }

}  // namespace kiosim
