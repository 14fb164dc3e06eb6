// `processes:` and their programs: each op checked against the op table
// (sim/program/op_table.h), each name it uses bound by an earlier op, and the
// run held to the limits on ops and bytes moved.
#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

#include "sim/program/op_table.h"
#include "sim/program/walker.h"
#include "sim/scenario/load_steps.h"
#include "sim/scenario/program_loader.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"
#include "sim/scenario/uring_loader.h"

namespace kiosim {

namespace program_load {

std::vector<Op> ProgramLoader::ops(const YAML::Node& n, const std::string& path, bool setup) {
  if (!n.IsSequence()) l_.fail(n, path, fmt::format("expected a list of ops, found {}", kind_of(n)));
  std::vector<Op> out;
  std::size_t i = 0;
  for (const auto& item : n) out.push_back(op(item, fmt::format("{}[{}]", path, i++), setup));
  return out;
}

Op ProgramLoader::op(const YAML::Node& n, const std::string& path, bool setup) {
  if (++totals_.written > kMaxOpsWritten)
    l_.fail(n, path,
            fmt::format("the programs hold more than {} ops once YAML aliases (*name) are expanded, counting "
                        "every repeat's body once; that is the limit",
                        kMaxOpsWritten));
  l_.map(n, path);
  Op o;
  o.line = n.Mark().line + 1;
  if (n["repeat"] && in_uring_) l_.fail(n, path, "an SQE of uring is one op: no repeat inside `do`");
  if (n["repeat"]) return repeat(n, path, setup, o);
  if (n.size() != 1)
    l_.fail(n, path, "an op is one key (open, read, write, mmap, sendfile, splice, ...) or `repeat` with `do`");
  auto kv = *n.begin();
  std::string opname = kv.first.Scalar();
  std::string p = path + "." + opname;
  const OpSpec* spec = find_op(opname);
  if (!spec || spec->kind == OpKind::repeat)  // `repeat` is written beside `do`, not as a map
    l_.fail(kv.first, p,
            fmt::format("unknown op `{}`", opname) +
                did_you_mean(opname, op_names(), expected_one_of(op_names())));
  o.kind = spec->kind;
  if (in_uring_ && !uring_sqe_kind(o.kind))
    l_.fail(kv.first, p,
            fmt::format("an SQE of uring is read, pread, write, pwrite, send, recv, splice, fsync or fdatasync; not `{}`",
                        opname));
  if (setup && !spec->in_setup)
    l_.fail(kv.first, p, "setup may only open, map, read or touch (to prepare the cache); put this op in program");
  YAML::Node a = kv.second;
  if (o.kind == OpKind::sleep && a.IsScalar()) {  // `sleep: 5ms`
    o.ns = l_.time(a, p);
    count(o, spec->cost, kv.first, p);
    return o;
  }
  std::vector<std::string> allowed = spec->key_names();
  if (in_uring_) allowed.insert(allowed.end(), uring_sqe_keys().begin(), uring_sqe_keys().end());
  l_.keys(a, p, allowed, spec->required_keys());
  values(a, p, o);
  names(a, p, o, setup);
  if (in_uring_) load_uring_sqe(l_, a, p, o, uring_);
  count(o, spec->cost, kv.first, p);
  return o;
}

// repeat and fork bodies inside each other: a bound on the walk's recursion.
void ProgramLoader::nest(const YAML::Node& n, const std::string& path) {
  if (++depth_ > kMaxNesting)
    l_.fail(n, path, fmt::format("repeat and fork nest more than {} deep; that is the limit", kMaxNesting));
}

Op ProgramLoader::repeat(const YAML::Node& n, const std::string& path, bool setup, Op& o) {
  if (setup) l_.fail(n, path, "repeat is not allowed in setup");
  const OpSpec& spec = op_spec(OpKind::repeat);
  l_.keys(n, path, spec.key_names(), spec.required_keys());
  o.kind = OpKind::repeat;
  o.count = l_.count(n["repeat"], path + ".repeat", 0, kMaxOps);
  nest(n, path);
  double saved = weight_;
  weight_ *= double(o.count);
  auto before = names_;
  o.body = ops(n["do"], path + ".do", setup);
  // The second time round, the body finds what the first left (a close, a munmap):
  // read it once more for the names, counting nothing twice.
  if (o.count > 1 && unbinds_any_of(before)) {
    LoadTotals counted = totals_;
    ops(n["do"], path + ".do", setup);
    counted.written = totals_.written;  // the reading itself counts (aliases, nesting)
    totals_ = counted;
  }
  weight_ = saved;
  --depth_;
  return o;
}

bool ProgramLoader::unbinds_any_of(const std::map<std::string, NameKind>& before) const {
  for (const auto& [name, k] : before) {
    auto it = names_.find(name);
    if (it == names_.end() || it->second != k) return true;
  }
  return false;
}

// What an op adds to the run's limits, times the enclosing repeat counts and the
// process's threads; checked at once, so the op that passes a limit is named.
void ProgramLoader::count(const Op& o, OpCost cost, const YAML::Node& n, const std::string& path) {
  if (cost == OpCost::body) return;  // its body counted itself
  double calls = cost == OpCost::per_depth ? double(o.depth) : 1.0;
  if (o.kind == OpKind::accept) calls = double(o.count);          // one accept4 per connection
  if (o.kind == OpKind::epoll_ctl) calls = double(conns_[o.fd]);  // one epoll_ctl per connection
  totals_.ops += weight_ * calls * threads_;
  totals_.bytes += weight_ * double(o.bytes) * calls * threads_;
  if (totals_.ops > double(kMaxOps))
    l_.fail(n, path,
            fmt::format("with the repeats around it, the programs would run {:.0f} ops; the limit is {}",
                        totals_.ops, kMaxOps));
  if (totals_.bytes > kMaxBytesMoved)
    l_.fail(n, path,
            fmt::format("with the repeats around it, the programs would move {}; the limit is {}",
                        format_size(totals_.bytes), format_size(kMaxBytesMoved)));
}

// The keys whose values are sizes, times and flags (the same in every op).
void ProgramLoader::values(const YAML::Node& a, const std::string& p, Op& o) {
  auto sz = [&](const char* k) { return l_.size(a[k], p + "." + k, kMaxBytesMoved); };
  if (a["bytes"] && a["bytes"].IsScalar() && !a["bytes"].Scalar().empty() && a["bytes"].Scalar()[0] == '$')
    o.bytes = parameter(a["bytes"], p + ".bytes", o);
  else if (a["bytes"])
    o.bytes = sz("bytes");
  if (a["length"]) o.bytes = sz("length");
  if (a["offset"]) o.offset = sz("offset");
  if (a["buf"]) o.buf = l_.name(a["buf"], p + ".buf");
  if (a["shared"]) o.shared = l_.boolean(a["shared"], p + ".shared");
  if (a["write"]) o.writable = l_.boolean(a["write"], p + ".write");
  if (a["zerocopy"]) o.zerocopy = l_.boolean(a["zerocopy"], p + ".zerocopy");
  if (a["nonblock"]) o.nonblock = l_.boolean(a["nonblock"], p + ".nonblock");
  if (a["until_done"]) o.until_done = l_.boolean(a["until_done"], p + ".until_done");
  if (a["sequential"]) o.sequential = l_.boolean(a["sequential"], p + ".sequential");
  if (o.sequential && a["offset"]) l_.fail(a["offset"], p + ".offset", "a sequential touch takes no offset");
  if (a["for"]) o.ns = l_.time(a["for"], p + ".for");
  if (a["timeout"]) o.timeout_ns = l_.time(a["timeout"], p + ".timeout");
  if (a["until_idle"]) o.until_idle = l_.boolean(a["until_idle"], p + ".until_idle");
  if (a["until_eagain"]) o.until_eagain = l_.boolean(a["until_eagain"], p + ".until_eagain");
}

// `bytes: $name`: its default here, each swept value at run time; the largest, for the limits.
std::uint64_t ProgramLoader::parameter(const YAML::Node& v, const std::string& path, Op& o) const {
  o.bytes_param = v.Scalar().substr(1);
  auto param = s_.params.find(o.bytes_param);
  if (param == s_.params.end()) {
    std::vector<std::string> known;
    for (const auto& [name, _] : s_.params) known.push_back(name);
    l_.fail(v, path,
            fmt::format("no parameter `{}` in `params:`", o.bytes_param) +
                did_you_mean_param(o.bytes_param, known));
  }
  double biggest = *parse_size(param->second);
  if (s_.sweep && s_.sweep->key == "params." + o.bytes_param)
    for (const auto& value : s_.sweep->values) biggest = std::max(biggest, *parse_size(value));
  return std::uint64_t(biggest);
}

// The names an op binds and uses, and the checks that need them.
void ProgramLoader::names(const YAML::Node& a, const std::string& p, Op& o, bool setup) {
  auto ref = [&](const char* k, std::vector<NameKind> kinds) { return ref_name(a, p, k, std::move(kinds)); };
  switch (o.kind) {
    case OpKind::open: open(a, p, o); break;
    case OpKind::socket:
    case OpKind::pipe:
      o.as = l_.name(a["as"], p + ".as");
      bind(o.as, o.kind == OpKind::socket ? NameKind::socket : NameKind::pipe);
      break;
    case OpKind::close:
      o.fd = ref("fd", {NameKind::file});
      unbind(o.fd, o.line, "closed");
      break;
    case OpKind::fsync:
    case OpKind::fdatasync: o.fd = ref("fd", {NameKind::file}); break;
    case OpKind::read:
    case OpKind::pread:
      o.fd = ref("fd", {NameKind::file});
      direct_alignment(a, p, o);
      break;
    case OpKind::uring_read:
      o.fd = ref("fd", {NameKind::file});
      uring_read(a, p, o);
      break;
    case OpKind::send:
      o.fd = ref("fd", {NameKind::socket});
      if (o.zerocopy && s_.machine.receiver_local)
        l_.fail(a["zerocopy"], p + ".zerocopy",
                "MSG_ZEROCOPY needs a TCP or UDP socket; with net.receiver: local the socket is a socket pair "
                "(af_unix), which refuses SO_ZEROCOPY");
      if (o.zerocopy && o.nonblock)
        l_.fail(a["nonblock"], p + ".nonblock",
                "a non-blocking MSG_ZEROCOPY send is not modelled: kiosim's zero-copy sends block until the "
                "buffer is pinned and queued; drop `nonblock` or `zerocopy`");
      break;
    case OpKind::write:
    case OpKind::pwrite:
      o.fd = ref("fd", {NameKind::file, NameKind::socket});
      if (a["from"]) o.from = ref("from", {NameKind::mapping});
      write(a, p, o);
      break;
    case OpKind::mmap:
      if (a["fd"]) o.fd = ref("fd", {NameKind::file});
      mmap(a, p, o);
      break;
    case OpKind::munmap:
      o.from = ref("map", {NameKind::mapping});
      unbind(o.from, o.line, "unmapped");
      break;
    case OpKind::touch:
      o.from = ref("map", {NameKind::mapping});
      touch(a, p, o);
      break;
    case OpKind::sendfile:
      o.out = ref("out", {NameKind::socket});
      o.in = ref("in", {NameKind::file});
      break;
    case OpKind::splice:
      o.in = ref("in", {NameKind::file, NameKind::pipe});
      o.out = ref("out", {NameKind::pipe, NameKind::socket});
      if ((kind(o.in) == NameKind::pipe) == (kind(o.out) == NameKind::pipe))
        l_.fail(a, p, "splice moves file -> pipe or pipe -> socket: exactly one side must be a pipe");
      break;
    case OpKind::fadvise:
      o.fd = ref("fd", {NameKind::file});
      advice(a, p, o);
      break;
    case OpKind::fork: fork(a, p, o, setup); break;
    case OpKind::queue_work:
    case OpKind::accept:
    case OpKind::epoll_create:
    case OpKind::epoll_ctl:
    case OpKind::recv:
    case OpKind::epoll_wait:
    case OpKind::select:
    case OpKind::poll:
    case OpKind::uring_setup:
    case OpKind::uring_register:
    case OpKind::uring: async_names(a, p, o, setup); break;
    case OpKind::sleep:
    case OpKind::repeat: break;
  }
}

// The name an op's key `k` refers to, checked to be bound, and as one of `kinds`.
std::string ProgramLoader::ref_name(const YAML::Node& a, const std::string& p, const char* k, std::vector<NameKind> kinds) {
  std::string v = l_.name(a[k], p + "." + k);
  need(a[k], p + "." + k, v, kinds);
  return v;
}

void ProgramLoader::open(const YAML::Node& a, const std::string& p, Op& o) {
  o.file = l_.name(a["file"], p + ".file");
  std::uint64_t smallest = ~0ULL;  // of the files it names, one per thread with `{thread}`
  for (std::uint32_t t = 0; t < threads_; ++t) {
    std::string name = expand_thread(o.file, t);
    const FileSpec* f = s_.file(name);
    if (!f) {
      std::vector<std::string> known;
      for (const auto& x : s_.files) known.push_back(x.name);
      std::string which = name == o.file ? "" : fmt::format(" (`{}` for thread {})", o.file, t);
      l_.fail(a["file"], p + ".file",
              fmt::format("no file `{}`{} in `files:`", name, which) + did_you_mean(name, known));
    }
    smallest = std::min(smallest, f->size);
    if (name == o.file) break;  // no `{thread}`: one file for every thread
  }
  o.as = l_.name(a["as"], p + ".as");
  file_bytes_[o.as] = smallest;
  if (YAML::Node fl = a["flags"]) o.open_flags = open_flag_list(fl, p + ".flags");
  if (o.open_flags & open_flags::direct) direct_.insert(o.as);
  else direct_.erase(o.as);
  if (o.open_flags & open_flags::append) append_.insert(o.as);
  else append_.erase(o.as);
  if ((o.open_flags & open_flags::direct) && o.offset != kNoOffset && o.offset % 512)
    l_.fail(a["offset"], p + ".offset", "O_DIRECT needs an offset that is a multiple of 512 bytes");
  bind(o.as, NameKind::file);
}

void ProgramLoader::uring_read(const YAML::Node& a, const std::string& p, Op& o) {
  if (a["depth"]) o.depth = std::uint32_t(l_.count(a["depth"], p + ".depth", 1, 4096));
  if (o.bytes > (1ULL << 30))
    l_.fail(a["bytes"], p + ".bytes", "one io_uring read takes at most 1GiB (raise depth instead)");
}

void ProgramLoader::write(const YAML::Node& a, const std::string& p, const Op& o) {
  if (o.nonblock && kind(o.fd) != NameKind::socket)
    l_.fail(a["nonblock"], p + ".nonblock",
            "`nonblock` is for a socket: on a regular file Linux ignores O_NONBLOCK (open(2)), a write there "
            "never returns EAGAIN");
  if (o.kind == OpKind::pwrite && kind(o.fd) == NameKind::socket)
    l_.fail(a["fd"], p + ".fd", "pwrite needs a file; a socket has no offset");
  if (o.kind == OpKind::pwrite && append_.count(o.fd))
    l_.fail(a["fd"], p + ".fd",
            "pwrite to a file opened with O_APPEND appends on Linux whatever the offset (pwrite(2), BUGS); "
            "kiosim does not model that: use write, or open it without append");
  direct_alignment(a, p, o);
}

void ProgramLoader::mmap(const YAML::Node& a, const std::string& p, Op& o) {
  if (!a["fd"] && (!a["length"] || o.bytes == 0))
    l_.fail(a, p, "an anonymous mapping (no `fd`) needs a `length` above 0");
  if (!a["fd"] && (a["offset"] || (a["shared"] && o.shared)))
    l_.fail(a, p, "an anonymous mapping is private and has no offset (MAP_PRIVATE | MAP_ANONYMOUS)");
  o.as = l_.name(a["as"], p + ".as");
  if (o.offset != kNoOffset && o.offset % 4096)
    l_.fail(a["offset"], p + ".offset", "mmap needs a page-aligned offset (a multiple of 4KiB), like mmap(2)");
  // Its length in whole pages, as mmap(2) maps them; a whole file that is empty when
  // the run starts may grow first (writes), so its length is not known here.
  std::uint64_t from = o.offset == kNoOffset ? 0 : o.offset;
  std::uint64_t size = a["fd"] ? file_bytes_[o.fd] : 0;
  std::uint64_t length = o.bytes ? o.bytes : size > from ? size - from : 0;
  map_bytes_[o.as] = length ? (length + kPageSize - 1) / kPageSize * kPageSize : ~0ULL;
  bind(o.as, NameKind::mapping);
}

// A touch past a mapping's end is a SIGSEGV in Linux: refused, not clamped.
void ProgramLoader::touch(const YAML::Node& a, const std::string& p, const Op& o) {
  std::uint64_t len = map_bytes_[o.from];
  if (len == ~0ULL) return;  // not known at load time
  std::uint64_t off = o.sequential || o.offset == kNoOffset ? 0 : o.offset;
  if (off + o.bytes > len || (o.sequential && len % std::max<std::uint64_t>(o.bytes, 1)))
    l_.fail(a["bytes"], p + ".bytes",
            fmt::format("touch of {} at offset {} runs past the end of `{}` ({} mapped){}: in Linux the "
                        "program would die of SIGSEGV",
                        format_size(double(o.bytes)), off, o.from, format_size(double(len)),
                        o.sequential ? "; a sequential touch must divide the mapping's length" : ""));
}

void ProgramLoader::advice(const YAML::Node& a, const std::string& p, Op& o) {
  o.advice = l_.name(a["advice"], p + ".advice");
  const std::vector<std::string> known = {"dontneed", "willneed"};
  if (std::find(known.begin(), known.end(), o.advice) == known.end())
    l_.fail(a["advice"], p + ".advice",
            fmt::format("unknown advice `{}`; kiosim models dontneed and willneed", o.advice) +
                did_you_mean(o.advice, known));
  // `bytes` is the range's length (0 or absent: to the end of the file)
}

// The child sees the names bound so far; what it binds stays its own.
void ProgramLoader::fork(const YAML::Node& a, const std::string& p, Op& o, bool setup) {
  o.as = a["as"] ? l_.name(a["as"], p + ".as") : std::string("child");
  totals_.processes += weight_ * threads_;
  if (totals_.processes > double(kMaxProcesses))
    l_.fail(a, p,
            fmt::format("with the repeats around it, the run would make {:.0f} processes; the limit is {}",
                        totals_.processes, kMaxProcesses));
  nest(a, p);
  auto saved = names_;
  const UringLoadState ring = uring_;
  uring_ = {};  // the child has no ring of its own until it sets one up
  o.body = ops(a["do"], p + ".do", setup);
  names_ = std::move(saved);
  uring_ = ring;
  --depth_;
}

// open flags: a list of names (O_RDONLY, O_DIRECT ... in lower case, without O_).
std::uint32_t ProgramLoader::open_flag_list(const YAML::Node& n, const std::string& path) const {
  if (!n.IsSequence()) l_.fail(n, path, fmt::format("expected a list of flags like [direct], found {}", kind_of(n)));
  const std::vector<std::string> known = {"rdonly", "wronly", "rdwr", "creat", "append", "direct", "dsync", "sync"};
  std::uint32_t flags = 0;
  std::size_t i = 0;
  for (const auto& f : n) {
    std::string p = fmt::format("{}[{}]", path, i++);
    std::string v = l_.name(f, p);
    if (std::find(known.begin(), known.end(), v) == known.end())
      l_.fail(f, p,
              fmt::format("unknown open flag `{}`", v) +
                  did_you_mean(v, known, "; expected some of: " + Reader::list(known)));
    if (v == "direct") flags |= open_flags::direct;
    if (v == "append") flags |= open_flags::append;
    if (v == "dsync") flags |= open_flags::dsync;
    if (v == "sync") flags |= open_flags::sync;
  }
  return flags;
}

// O_DIRECT: sizes and offsets in multiples of the disk's logical block (512 bytes),
// or read(2) fails with EINVAL.
void ProgramLoader::direct_alignment(const YAML::Node& a, const std::string& p, const Op& o) const {
  if (!direct_.count(o.fd)) return;
  // A swept `bytes: $name` that is not a multiple of 512 gets Linux's behaviour at run
  // time instead: the call fails with EINVAL and moves nothing (FileIo::refuse_misaligned).
  if (o.bytes % 512)
    l_.fail(a["bytes"], p + ".bytes",
            fmt::format("`{}` was opened with O_DIRECT: bytes must be a multiple of 512 (the disk's logical "
                        "block), or the call fails with EINVAL",
                        o.fd));
  if (o.offset != kNoOffset && o.offset % 512)
    l_.fail(a["offset"], p + ".offset",
            fmt::format("`{}` was opened with O_DIRECT: the offset must be a multiple of 512", o.fd));
}

void ProgramLoader::bind(const std::string& name, NameKind k) {
  names_[name] = k;
  gone_.erase(name);
}

// close and munmap: later ops may not use the name (EBADF, SIGSEGV in Linux).
void ProgramLoader::unbind(const std::string& name, int line, const char* how) {
  names_.erase(name);
  gone_[name] = fmt::format("{} at line {}", how, line);
}

void ProgramLoader::need(const YAML::Node& n, const std::string& path, const std::string& name, std::vector<NameKind> kinds) {
  auto it = names_.find(name);
  if (it == names_.end() && gone_.count(name))
    l_.fail(n, path,
            fmt::format("`{}` was {} and not bound again: in Linux this call would fail (EBADF) or fault "
                        "(SIGSEGV)",
                        name, gone_.at(name)));
  if (it == names_.end()) {
    std::vector<std::string> known;
    for (const auto& [k, _] : names_) known.push_back(k);
    l_.fail(n, path,
            fmt::format("`{}` is not bound by an earlier op (open, socket, pipe, mmap, accept or epoll_create "
                        "with `as:`)",
                        name) +
                did_you_mean(name, known));
  }
  if (std::find(kinds.begin(), kinds.end(), it->second) == kinds.end()) {
    std::string want;
    for (auto k : kinds) want += (want.empty() ? "" : " or ") + std::string(to_string(k));
    l_.fail(n, path, fmt::format("`{}` is {}; this op needs {}", name, to_string(it->second), want));
  }
}

}  // namespace program_load


void read_processes(const Reader& r, const YAML::Node& ps, Scenario& s) {
  if (!ps.IsSequence() || ps.size() == 0) r.fail(ps, "processes", "expected a list of processes");
  if (ps.size() > 64) r.fail(ps, "processes", "at most 64 processes");
  std::size_t i = 0;
  program_load::LoadTotals totals;
  totals.processes = double(ps.size());
  std::uint64_t threads = 0;
  for (const auto& pn : ps) {
    std::string p = fmt::format("processes[{}]", i++);
    r.keys(pn, p, {"name", "threads", "cores", "setup", "program"}, {"program"});
    ProcessSpec spec;
    spec.name = pn["name"] ? r.name(pn["name"], p + ".name") : fmt::format("proc{}", i - 1);
    if (pn["threads"]) spec.threads = std::uint32_t(r.count(pn["threads"], p + ".threads", 1, kMaxThreads));
    threads += spec.threads;
    if (YAML::Node cs = pn["cores"]) {
      if (!cs.IsSequence() || cs.size() == 0)
        r.fail(cs, p + ".cores", fmt::format("expected a list of cores like [0, 1], found {}", kind_of(cs)));
      std::size_t j = 0;
      for (const auto& c : cs)
        spec.cores.push_back(std::uint32_t(r.count(c, fmt::format("{}.cores[{}]", p, j++), 0, s.machine.cpu.cores - 1)));
    }
    if (threads > kMaxThreads) r.fail(pn, p, fmt::format("at most {} threads in all", kMaxThreads));
    program_load::ProgramLoader pl(r, s, totals, spec.threads);
    if (pn["setup"]) spec.program.setup = pl.ops(pn["setup"], p + ".setup", true);
    spec.program.body = pl.ops(pn["program"], p + ".program", false);
    s.processes.push_back(std::move(spec));
  }
}

}  // namespace kiosim
