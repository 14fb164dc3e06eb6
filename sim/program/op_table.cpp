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
      {"as", T::name, "the name the op binds (a descriptor, socket, pipe or mapping; fork: the child)"},
      {"file", T::name, "a file of `files:`; `{thread}` in it is the thread's index"},
      {"fd", T::name, "a descriptor bound earlier (write, send: or a socket)"},
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
       "write, send to a socket: O_NONBLOCK / MSG_DONTWAIT: returns what fits in the send buffer, EAGAIN if nothing"},
      {"until_done", T::boolean,
       "write, send: call again for the rest until `bytes` are written; after EAGAIN, poll(2) for POLLOUT first"},
      {"sequential", T::boolean, "touch: start where the last sequential touch of the mapping ended"},
      {"depth", T::count, "uring_read: reads submitted by one io_uring_enter (1 to 4096)"},
      {"entries", T::count, "uring_setup: the SQ ring's entries (1 to 32768, rounded up to a power of two)"},
      {"sqpoll", T::boolean, "uring_setup: IORING_SETUP_SQPOLL, a kernel thread polls the SQ ring"},
      {"idle", T::time, "uring_setup: sq_thread_idle, how long the SQPOLL thread spins without work (default 1s)"},
      {"buffers", T::count, "uring_register: how many buffers of `bytes` to register (pinned; 1 to 16384)"},
      {"link", T::boolean, "an SQE of uring: IOSQE_IO_LINK, the next SQE starts when this one completes"},
      {"fixed", T::count, "an SQE of uring: the index of the registered buffer it reads into or writes from"},
      {"for", T::time, "sleep: how long (`sleep: 5ms` is short for `sleep: { for: 5ms }`)"},
      {"do", T::ops, "the ops repeat runs, or fork's child runs; uring: the SQEs it submits"},
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
      {K::close, "close", {{"fd", req}}, false, C::call, "close",  //
       "close(2) a descriptor"},
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
      {K::pread, "pread", {{"fd", req}, {"bytes", req}, {"offset", req}, {"buf"}}, true, C::call, "pread",
       "pread(2) at an offset"},
      {K::pwrite, "pwrite", {{"fd", req}, {"bytes", req}, {"offset", req}, {"buf"}, {"from"}}, false, C::call, "pwrite",
       "pwrite(2) at an offset"},
      {K::read, "read", {{"fd", req}, {"bytes", req}, {"buf"}}, true, C::call, "read",
       "read(2) from the file position"},
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
       "one io_uring_enter: submits the SQEs of `do` (read, write, send, splice, fsync; `link`, `fixed`) and waits for all"},
      {K::uring_read, "uring_read", {{"fd", req}, {"bytes", req}, {"buf"}, {"depth"}}, false, C::per_depth,
       "io_uring_enter", "`depth` reads of `bytes` from the file position, submitted by one io_uring_enter"},
      {K::uring_register, "uring_register", {{"buffers", req}, {"bytes", req}}, true, C::call, "io_uring_register",
       "IORING_REGISTER_BUFFERS: `buffers` buffers of `bytes` pinned, counted against mm.memlock"},
      {K::uring_setup, "uring_setup", {{"entries", req}, {"sqpoll"}, {"idle"}}, true, C::call, "io_uring_setup",
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
