// Loading and validating scenario files and machine profiles. Every problem is
// found here, before anything runs, and reported with the file, line and column,
// the key path, what was expected, and a did-you-mean for misspelt keys.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>

#include "sim/trace/counters.h"
#include "sim/scenario/machine_keys.h"
#include "sim/scenario/methods.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

namespace fs = std::filesystem;

namespace kiosim {

InputError::InputError(std::string f, int l, int c, std::string k, std::string m)
    : std::runtime_error([&] {
        std::string where = f;
        if (l > 0) where += fmt::format(":{}:{}", l, c);
        std::string at = k.empty() ? "" : fmt::format(" at `{}`", k);
        return fmt::format("{}: error{}: {}", where, at, m);
      }()),
      file(std::move(f)), key_path(std::move(k)), message(std::move(m)), line(l), column(c) {}

const FileSpec* Scenario::file(const std::string& name) const {
  for (const auto& f : files)
    if (f.name == name) return &f;
  return nullptr;
}

namespace {

constexpr std::uint64_t kMaxOps = 10'000'000;           // ops executed by one run
constexpr double kMaxBytesMoved = 256.0 * (1ULL << 30);  // bytes moved by one run
constexpr std::uint32_t kMaxThreads = 256;

std::string kind_of(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return fmt::format("`{}`", n.Scalar());
    default: return "an undefined value";
  }
}

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& path, const std::string& msg) const {
    int line = 0, col = 0;
    if (n.IsDefined() && n.Mark().line >= 0) {
      line = n.Mark().line + 1;
      col = n.Mark().column + 1;
    }
    throw InputError(file_, line, col, path, msg);
  }

  void map(const YAML::Node& n, const std::string& path) const {
    if (!n.IsMap()) fail(n, path, fmt::format("expected a map of keys, found {}", kind_of(n)));
  }

  // Every key of `n` must be one of `allowed`; `required` ones must be present.
  void keys(const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed,
            const std::vector<std::string>& required = {}) const {
    map(n, path);
    std::set<std::string> seen;
    for (const auto& kv : n) {
      std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (!seen.insert(k).second) fail(kv.first, join(path, k), "this key is given twice");
      if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
      std::string msg = fmt::format("unknown key `{}`{}", k, path.empty() ? "" : " in " + path);
      if (auto s = closest(k, allowed)) msg += fmt::format("; did you mean `{}`?", *s);
      else msg += fmt::format("; expected one of: {}", list(allowed));
      fail(kv.first, join(path, k), msg);
    }
    for (const auto& r : required)
      if (!n[r]) fail(n, path, fmt::format("missing key `{}`", r));
  }

  static std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }
  static std::string list(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  std::string scalar(const YAML::Node& n, const std::string& path, std::string_view what) const {
    if (!n.IsScalar()) fail(n, path, fmt::format("expected {}, found {}", what, kind_of(n)));
    return n.Scalar();
  }
  std::string str(const YAML::Node& n, const std::string& path) const { return scalar(n, path, "a name or text"); }
  std::string name(const YAML::Node& n, const std::string& path) const {
    std::string s = scalar(n, path, "a name");
    if (s.empty() || s.size() > 200) fail(n, path, "expected a name of 1 to 200 characters");
    return s;
  }
  std::uint64_t size(const YAML::Node& n, const std::string& path, double max = kMaxBytesMoved) const {
    std::string s = scalar(n, path, "a size like 64KiB");
    auto v = parse_size(s);
    if (!v) fail(n, path, fmt::format("expected a size like 64KiB, 4MiB or 1GB, found `{}`", s));
    if (*v < 0) fail(n, path, fmt::format("a size cannot be negative (found `{}`)", s));
    if (*v > max) fail(n, path, fmt::format("`{}` is larger than the limit of {}", s, format_size(max)));
    return std::uint64_t(*v);
  }
  double time(const YAML::Node& n, const std::string& path) const {
    std::string s = scalar(n, path, "a time like 80us");
    auto v = parse_time_ns(s);
    if (!v) fail(n, path, fmt::format("expected a time like 80us, 1.5ms or 5s, found `{}`", s));
    if (*v < 0) fail(n, path, fmt::format("a time cannot be negative (found `{}`)", s));
    if (*v > 3600e9) fail(n, path, "a time above one hour of simulated time is refused");
    return *v;
  }
  std::uint64_t count(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi) const {
    std::string s = scalar(n, path, "a whole number");
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end || errno || std::floor(d) != d)
      fail(n, path, fmt::format("expected a whole number, found `{}`", s));
    if (d < double(lo) || d > double(hi)) fail(n, path, fmt::format("expected a number from {} to {}, found `{}`", lo, hi, s));
    return std::uint64_t(d);
  }
  bool boolean(const YAML::Node& n, const std::string& path) const {
    std::string s = scalar(n, path, "true or false");
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(n, path, fmt::format("expected true or false, found `{}`", s));
  }

  // A machine value from a profile, `set:` or --set.
  void machine_value(Machine& m, const YAML::Node& n, const std::string& key, const std::string& path) const {
    const MachineKey* k = find_machine_key(key);
    if (!k) {
      std::vector<std::string> names;
      for (const auto& mk : machine_keys()) names.emplace_back(mk.name);
      std::string msg = fmt::format("unknown machine key `{}`", key);
      if (auto s = closest(key, names)) msg += fmt::format("; did you mean `{}`?", *s);
      else msg += "; `kiosim keys` lists them";
      fail(n, path, msg);
    }
    std::string text = scalar(n, path, expected_text(k->type));
    if (auto err = apply_machine_value(m, *k, text)) fail(n, path, fmt::format("expected {}, found `{}`", *err, text));
  }

  // A profile: sections (cpu, nic, ...) of keys, or dotted keys at the top.
  void machine_map(Machine& m, const YAML::Node& n, const std::string& path, std::vector<std::string>* missing) const {
    map(n, path);
    std::set<std::string> given;
    std::vector<std::string> sections;
    for (const auto& mk : machine_keys()) {
      std::string sec(mk.name.substr(0, mk.name.find('.')));
      if (std::find(sections.begin(), sections.end(), sec) == sections.end()) sections.push_back(sec);
    }
    for (const auto& kv : n) {
      std::string k = kv.first.Scalar();
      if (k == "kiosim_machine" || k == "name" || k == "description") continue;
      if (kv.second.IsMap()) {
        if (std::find(sections.begin(), sections.end(), k) == sections.end()) {
          std::string msg = fmt::format("unknown machine section `{}`", k);
          if (auto s = closest(k, sections)) msg += fmt::format("; did you mean `{}`?", *s);
          else msg += "; expected one of: " + list(sections);
          fail(kv.first, join(path, k), msg);
        }
        for (const auto& kv2 : kv.second) {
          std::string full = k + "." + kv2.first.Scalar();
          machine_value(m, kv2.second, full, join(path, full));
          given.insert(full);
        }
      } else {
        machine_value(m, kv.second, k, join(path, k));
        given.insert(k);
      }
    }
    if (missing)
      for (const auto& mk : machine_keys())
        if (!given.count(std::string(mk.name))) missing->emplace_back(mk.name);
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

YAML::Node parse_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, 0, "", "cannot open the file (does it exist, and may you read it?)");
  try {
    return YAML::Load(in);
  } catch (const YAML::ParserException& e) {
    throw InputError(path, e.mark.line + 1, e.mark.column + 1, "", fmt::format("malformed YAML: {}", e.msg));
  }
}

// ---- programs ----------------------------------------------------------------------

enum class NameKind { file, socket, pipe, mapping };
std::string_view to_string(NameKind k) {
  switch (k) {
    case NameKind::file: return "a file descriptor";
    case NameKind::socket: return "a socket";
    case NameKind::pipe: return "a pipe";
    case NameKind::mapping: return "a mapping";
  }
  return "";
}

const std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>>& op_keys() {
  // op -> (allowed keys, required keys)
  static const std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> k = {
      {"open", {{"file", "as", "offset", "flags"}, {"file", "as"}}},
      {"fadvise", {{"fd", "advice", "offset", "bytes"}, {"fd", "advice"}}},
      {"fsync", {{"fd"}, {"fd"}}},
      {"fdatasync", {{"fd"}, {"fd"}}},
      {"socket", {{"as"}, {"as"}}},
      {"pipe", {{"as"}, {"as"}}},
      {"close", {{"fd"}, {"fd"}}},
      {"read", {{"fd", "bytes", "buf"}, {"fd", "bytes"}}},
      {"pread", {{"fd", "bytes", "offset", "buf"}, {"fd", "bytes", "offset"}}},
      {"uring_read", {{"fd", "bytes", "buf", "depth"}, {"fd", "bytes"}}},
      {"write", {{"fd", "bytes", "buf", "from"}, {"fd", "bytes"}}},
      {"send", {{"fd", "bytes", "buf", "zerocopy"}, {"fd", "bytes"}}},
      {"pwrite", {{"fd", "bytes", "offset", "buf", "from"}, {"fd", "bytes", "offset"}}},
      {"mmap", {{"fd", "as", "offset", "length", "shared", "write"}, {"as"}}},
      {"fork", {{"as", "do"}, {"do"}}},
      {"munmap", {{"map"}, {"map"}}},
      {"touch", {{"map", "offset", "bytes", "write", "sequential"}, {"map", "bytes"}}},
      {"sendfile", {{"out", "in", "bytes"}, {"out", "in", "bytes"}}},
      {"splice", {{"in", "out", "bytes"}, {"in", "out", "bytes"}}},
      {"sleep", {{"for"}, {"for"}}},
  };
  return k;
}

const std::map<std::string, OpKind>& op_kinds() {
  static const std::map<std::string, OpKind> k = {
      {"open", OpKind::open},     {"socket", OpKind::socket}, {"pipe", OpKind::pipe},     {"close", OpKind::close},
      {"read", OpKind::read},     {"pread", OpKind::pread},   {"write", OpKind::write},   {"pwrite", OpKind::pwrite},
      {"mmap", OpKind::mmap},     {"munmap", OpKind::munmap}, {"touch", OpKind::touch},   {"sendfile", OpKind::sendfile},
      {"splice", OpKind::splice}, {"sleep", OpKind::sleep},     {"fadvise", OpKind::fadvise}, {"fsync", OpKind::fsync}, {"fdatasync", OpKind::fdatasync},
      {"fork", OpKind::fork}, {"send", OpKind::send}, {"uring_read", OpKind::uring_read}};
  return k;
}

class ProgramLoader {
 public:
  ProgramLoader(const Loader& l, const Scenario& s) : l_(l), s_(s) {}

  std::vector<Op> ops(const YAML::Node& n, const std::string& path, bool setup) {
    if (!n.IsSequence()) l_.fail(n, path, fmt::format("expected a list of ops, found {}", kind_of(n)));
    std::vector<Op> out;
    std::size_t i = 0;
    for (const auto& item : n) out.push_back(op(item, fmt::format("{}[{}]", path, i++), setup));
    return out;
  }

  // Ops the run executes and bytes it moves, for the limits.
  double ops_total = 0, bytes_total = 0;
  double weight = 1;  // product of the enclosing repeat counts

 private:
  void bind(const YAML::Node& n, const std::string& path, const std::string& name, NameKind k) {
    names_[name] = k;
    (void)n;
    (void)path;
  }
  void need(const YAML::Node& n, const std::string& path, const std::string& name, std::vector<NameKind> kinds) {
    auto it = names_.find(name);
    if (it == names_.end()) {
      std::vector<std::string> known;
      for (const auto& [k, _] : names_) known.push_back(k);
      std::string msg = fmt::format("`{}` is not bound by an earlier op (open, socket, pipe or mmap with `as:`)", name);
      if (auto s = closest(name, known)) msg += fmt::format("; did you mean `{}`?", *s);
      l_.fail(n, path, msg);
    }
    if (std::find(kinds.begin(), kinds.end(), it->second) == kinds.end()) {
      std::string want;
      for (auto k : kinds) want += (want.empty() ? "" : " or ") + std::string(to_string(k));
      l_.fail(n, path, fmt::format("`{}` is {}; this op needs {}", name, to_string(it->second), want));
    }
  }
  NameKind kind(const std::string& name) const { return names_.at(name); }

  Op op(const YAML::Node& n, const std::string& path, bool setup) {
    l_.map(n, path);
    Op o;
    o.line = n.Mark().line + 1;
    if (n["repeat"]) {
      if (setup) l_.fail(n, path, "repeat is not allowed in setup");
      l_.keys(n, path, {"repeat", "do"}, {"repeat", "do"});
      o.kind = OpKind::repeat;
      o.count = l_.count(n["repeat"], path + ".repeat", 0, kMaxOps);
      double saved = weight;
      weight *= double(o.count);
      o.body = ops(n["do"], path + ".do", setup);
      weight = saved;
      return o;
    }
    if (n.size() != 1)
      l_.fail(n, path, "an op is one key (open, read, write, mmap, sendfile, splice, ...) or `repeat` with `do`");
    auto kv = *n.begin();
    std::string opname = kv.first.Scalar();
    std::string p = path + "." + opname;
    auto it = op_kinds().find(opname);
    if (it == op_kinds().end()) {
      std::vector<std::string> all;
      for (const auto& [k, _] : op_kinds()) all.push_back(k);
      all.push_back("repeat");
      std::string msg = fmt::format("unknown op `{}`", opname);
      if (auto s = closest(opname, all)) msg += fmt::format("; did you mean `{}`?", *s);
      else msg += "; expected one of: " + Loader::list(all);
      l_.fail(kv.first, p, msg);
    }
    o.kind = it->second;
    static const std::set<OpKind> setup_ok = {OpKind::open, OpKind::socket, OpKind::pipe, OpKind::mmap,
                                              OpKind::read, OpKind::pread, OpKind::touch};
    if (setup && !setup_ok.count(o.kind))
      l_.fail(kv.first, p, "setup may only open, map, read or touch (to prepare the cache); put this op in program");
    YAML::Node a = kv.second;
    if (o.kind == OpKind::sleep && a.IsScalar()) {  // `sleep: 5ms`
      o.ns = l_.time(a, p);
      ops_total += weight;
      return o;
    }
    const auto& [allowed, required] = op_keys().at(opname);
    l_.keys(a, p, allowed, required);
    auto sz = [&](const char* k) { return l_.size(a[k], p + "." + k, kMaxBytesMoved); };
    if (a["bytes"] && a["bytes"].IsScalar() && !a["bytes"].Scalar().empty() && a["bytes"].Scalar()[0] == '$') {
      // A parameter: its default here, each swept value at run time.
      o.bytes_param = a["bytes"].Scalar().substr(1);
      auto param = s_.params.find(o.bytes_param);
      if (param == s_.params.end()) {
        std::vector<std::string> known;
        for (const auto& [name, _] : s_.params) known.push_back(name);
        std::string msg = fmt::format("no parameter `{}` in `params:`", o.bytes_param);
        if (auto sug = closest(o.bytes_param, known)) msg += fmt::format("; did you mean `${}`?", *sug);
        l_.fail(a["bytes"], p + ".bytes", msg);
      }
      double biggest = *parse_size(param->second);
      if (s_.sweep && s_.sweep->key == "params." + o.bytes_param)
        for (const auto& v : s_.sweep->values) biggest = std::max(biggest, *parse_size(v));
      o.bytes = std::uint64_t(biggest);  // the largest, for the limits below
    } else if (a["bytes"]) {
      o.bytes = sz("bytes");
    }
    if (a["length"]) o.bytes = sz("length");
    if (a["offset"]) o.offset = sz("offset");
    if (a["buf"]) o.buf = l_.name(a["buf"], p + ".buf");
    if (a["shared"]) o.shared = l_.boolean(a["shared"], p + ".shared");
    if (a["write"]) o.writable = l_.boolean(a["write"], p + ".write");
    if (a["zerocopy"]) o.zerocopy = l_.boolean(a["zerocopy"], p + ".zerocopy");
    if (a["sequential"]) o.sequential = l_.boolean(a["sequential"], p + ".sequential");
    if (o.sequential && a["offset"]) l_.fail(a["offset"], p + ".offset", "a sequential touch takes no offset");
    if (a["for"]) o.ns = l_.time(a["for"], p + ".for");
    auto ref = [&](const char* k, std::vector<NameKind> kinds) {
      std::string v = l_.name(a[k], p + "." + k);
      need(a[k], p + "." + k, v, kinds);
      return v;
    };
    switch (o.kind) {
      case OpKind::open: {
        o.file = l_.name(a["file"], p + ".file");
        if (o.file.find("{thread}") == std::string::npos && !s_.file(o.file)) {
          std::vector<std::string> known;
          for (const auto& f : s_.files) known.push_back(f.name);
          std::string msg = fmt::format("no file `{}` in `files:`", o.file);
          if (auto s = closest(o.file, known)) msg += fmt::format("; did you mean `{}`?", *s);
          l_.fail(a["file"], p + ".file", msg);
        }
        o.as = l_.name(a["as"], p + ".as");
        if (YAML::Node fl = a["flags"]) o.open_flags = open_flag_list(fl, p + ".flags");
        if (o.open_flags & open_flags::direct) direct_.insert(o.as);
        else direct_.erase(o.as);
        if (o.open_flags & open_flags::append) append_.insert(o.as);
        else append_.erase(o.as);
        if ((o.open_flags & open_flags::direct) && o.offset != kNoOffset && o.offset % 512)
          l_.fail(a["offset"], p + ".offset", "O_DIRECT needs an offset that is a multiple of 512 bytes");
        bind(a, p, o.as, NameKind::file);
        break;
      }
      case OpKind::socket:
        o.as = l_.name(a["as"], p + ".as");
        bind(a, p, o.as, NameKind::socket);
        break;
      case OpKind::pipe:
        o.as = l_.name(a["as"], p + ".as");
        bind(a, p, o.as, NameKind::pipe);
        break;
      case OpKind::close: o.fd = ref("fd", {NameKind::file}); break;
      case OpKind::fsync:
      case OpKind::fdatasync: o.fd = ref("fd", {NameKind::file}); break;
      case OpKind::read:
      case OpKind::pread:
        o.fd = ref("fd", {NameKind::file});
        direct_alignment(a, p, o);
        break;
      case OpKind::uring_read:
        o.fd = ref("fd", {NameKind::file});
        if (a["depth"]) o.depth = std::uint32_t(l_.count(a["depth"], p + ".depth", 1, 4096));
        if (o.bytes > (1ULL << 30))
          l_.fail(a["bytes"], p + ".bytes", "one io_uring read takes at most 1GiB (raise depth instead)");
        if (direct_.count(o.fd))
          l_.fail(a["fd"], p + ".fd", "uring_read of a file opened with O_DIRECT is not modelled (buffered reads only)");
        break;
      case OpKind::send:
        o.fd = ref("fd", {NameKind::socket});
        if (o.zerocopy && s_.machine.receiver_local)
          l_.fail(a["zerocopy"], p + ".zerocopy",
                  "MSG_ZEROCOPY needs a TCP or UDP socket; with net.receiver: local the socket is a socket pair "
                  "(af_unix), which refuses SO_ZEROCOPY");
        break;
      case OpKind::write:
      case OpKind::pwrite:
        o.fd = ref("fd", {NameKind::file, NameKind::socket});
        if (a["from"]) o.from = ref("from", {NameKind::mapping});
        if (o.kind == OpKind::pwrite && kind(o.fd) == NameKind::socket)
          l_.fail(a["fd"], p + ".fd", "pwrite needs a file; a socket has no offset");
        if (o.kind == OpKind::pwrite && append_.count(o.fd))
          l_.fail(a["fd"], p + ".fd",
                  "pwrite to a file opened with O_APPEND appends on Linux whatever the offset (pwrite(2), BUGS); "
                  "kiosim does not model that: use write, or open it without append");
        direct_alignment(a, p, o);
        break;
      case OpKind::mmap:
        if (a["fd"]) o.fd = ref("fd", {NameKind::file});
        else if (!a["length"] || o.bytes == 0)
          l_.fail(a, p, "an anonymous mapping (no `fd`) needs a `length` above 0");
        else if (a["offset"] || (a["shared"] && o.shared))
          l_.fail(a, p, "an anonymous mapping is private and has no offset (MAP_PRIVATE | MAP_ANONYMOUS)");
        o.as = l_.name(a["as"], p + ".as");
        if (o.offset != kNoOffset && o.offset % 4096)
          l_.fail(a["offset"], p + ".offset", "mmap needs a page-aligned offset (a multiple of 4KiB), like mmap(2)");
        bind(a, p, o.as, NameKind::mapping);
        break;
      case OpKind::munmap: o.from = ref("map", {NameKind::mapping}); break;
      case OpKind::touch: o.from = ref("map", {NameKind::mapping}); break;
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
      case OpKind::fadvise: {
        o.fd = ref("fd", {NameKind::file});
        o.advice = l_.name(a["advice"], p + ".advice");
        const std::vector<std::string> known = {"dontneed", "willneed"};
        if (std::find(known.begin(), known.end(), o.advice) == known.end()) {
          std::string msg = fmt::format("unknown advice `{}`; kiosim models dontneed and willneed", o.advice);
          if (auto sug = closest(o.advice, known)) msg += fmt::format("; did you mean `{}`?", *sug);
          l_.fail(a["advice"], p + ".advice", msg);
        }
        break;  // `bytes` is the range's length (0 or absent: to the end of the file)
      }
      case OpKind::fork: {
        // The child sees the names bound so far; what it binds stays its own.
        o.as = a["as"] ? l_.name(a["as"], p + ".as") : std::string("child");
        auto saved = names_;
        o.body = ops(a["do"], p + ".do", setup);
        names_ = std::move(saved);
        break;
      }
      case OpKind::sleep:
      case OpKind::repeat: break;
    }
    ops_total += weight * double(o.depth);
    bytes_total += weight * double(o.bytes) * double(o.depth);
    return o;
  }

  // open flags: a list of names (O_RDONLY, O_DIRECT ... in lower case, without O_).
  std::uint32_t open_flag_list(const YAML::Node& n, const std::string& path) const {
    if (!n.IsSequence()) l_.fail(n, path, fmt::format("expected a list of flags like [direct], found {}", kind_of(n)));
    const std::vector<std::string> known = {"rdonly", "wronly", "rdwr", "creat", "append", "direct", "dsync", "sync"};
    std::uint32_t flags = 0;
    std::size_t i = 0;
    for (const auto& f : n) {
      std::string p = fmt::format("{}[{}]", path, i++);
      std::string v = l_.name(f, p);
      if (std::find(known.begin(), known.end(), v) == known.end()) {
        std::string msg = fmt::format("unknown open flag `{}`", v);
        if (auto sug = closest(v, known)) msg += fmt::format("; did you mean `{}`?", *sug);
        else msg += "; expected some of: " + Loader::list(known);
        l_.fail(f, p, msg);
      }
      if (v == "direct") flags |= open_flags::direct;
      if (v == "append") flags |= open_flags::append;
      if (v == "dsync") flags |= open_flags::dsync;
      if (v == "sync") flags |= open_flags::sync;
    }
    return flags;
  }
  // O_DIRECT: sizes and offsets in multiples of the disk's logical block (512 bytes),
  // or read(2) fails with EINVAL.
  void direct_alignment(const YAML::Node& a, const std::string& p, const Op& o) const {
    if (!direct_.count(o.fd)) return;
    if (o.bytes % 512)
      l_.fail(a["bytes"], p + ".bytes",
              fmt::format("`{}` was opened with O_DIRECT: bytes must be a multiple of 512 (the disk's logical "
                          "block), or the call fails with EINVAL",
                          o.fd));
    if (o.offset != kNoOffset && o.offset % 512)
      l_.fail(a["offset"], p + ".offset",
              fmt::format("`{}` was opened with O_DIRECT: the offset must be a multiple of 512", o.fd));
  }

  const Loader& l_;
  const Scenario& s_;
  std::map<std::string, NameKind> names_;
  std::set<std::string> direct_;  // descriptors opened with O_DIRECT
  std::set<std::string> append_;  // descriptors opened with O_APPEND
};

// Named profiles are looked up beside the scenario, then in the source tree's scenarios/machines.
std::string find_profile(const std::string& name, const std::string& scenario_path, const std::string& dir_opt,
                         std::vector<std::string>& tried) {
  std::vector<fs::path> dirs;
  fs::path sdir = fs::path(scenario_path).parent_path();
  if (!dir_opt.empty()) dirs.push_back(dir_opt);
  dirs.push_back(sdir / "machines");
  dirs.push_back(sdir.parent_path() / "machines");
  dirs.push_back(sdir.parent_path() / "scenarios" / "machines");
#ifdef KIOSIM_SOURCE_DIR
  dirs.push_back(fs::path(KIOSIM_SOURCE_DIR) / "scenarios" / "machines");
#endif
  for (const auto& d : dirs) {
    fs::path p = d / (name + ".yaml");
    tried.push_back(p.string());
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

}  // namespace

Machine load_machine_file(const std::string& path) {
  YAML::Node root = parse_file(path);
  Loader l(path);
  Machine m;
  if (!root.IsMap()) l.fail(root, "", fmt::format("a machine profile is a map of sections, found {}", kind_of(root)));
  l.machine_map(m, root, "", nullptr);
  if (root["name"]) m.name = l.str(root["name"], "name");
  m.derive();
  return m;
}

namespace {
// Applies one sweep value to a run's machine and transfer (validated at load time).
void apply_sweep_value(const std::string& key, const std::string& value, Machine& m, std::optional<TransferSpec>& t) {
  if (key.rfind("transfer.", 0) == 0) {
    std::uint64_t v = std::uint64_t(*parse_size(value));
    if (key == "transfer.offset") t->offset = v;
    else if (key == "transfer.chunk") t->chunk = v;
    else t->bytes = v;
    return;
  }
  apply_machine_value(m, *find_machine_key(key), value);
}
}  // namespace

namespace {
void resolve_params(std::vector<Op>& ops, const std::map<std::string, std::string>& values) {
  for (Op& o : ops) {
    if (!o.bytes_param.empty()) o.bytes = std::uint64_t(*parse_size(values.at(o.bytes_param)));
    resolve_params(o.body, values);
  }
}
}  // namespace

std::vector<RunSpec> Scenario::runs() const {
  std::vector<RunSpec> out;
  std::vector<std::string> values = sweep ? sweep->values : std::vector<std::string>{""};
  for (const auto& value : values) {
    Machine m = machine;
    std::optional<TransferSpec> t = transfer;
    std::string suffix;
    std::map<std::string, std::string> values_of = params;
    if (sweep) {
      if (sweep->key.rfind("params.", 0) == 0) values_of[sweep->key.substr(7)] = value;
      else apply_sweep_value(sweep->key, value, m, t);
      suffix = "[" + sweep->key + "=" + value + "]";
    }
    if (t) {
      for (const auto& meth : methods) {
        ProcessSpec p;
        p.name = "sender";
        p.program = method_program(meth, *t, *this, m);
        out.push_back({meth + suffix, {p}, m});
      }
    } else {
      std::vector<ProcessSpec> procs = processes;
      for (auto& p : procs) {
        resolve_params(p.program.setup, values_of);
        resolve_params(p.program.body, values_of);
      }
      out.push_back({"program" + suffix, procs, m});
    }
  }
  return out;
}

namespace {
void read_sweep(const Loader& l, const YAML::Node& sw, Scenario& s) {
  l.keys(sw, "sweep", {"key", "values"}, {"key", "values"});
  Sweep sweep;
  sweep.key = l.name(sw["key"], "sweep.key");
  bool transfer_key = sweep.key == "transfer.offset" || sweep.key == "transfer.chunk" || sweep.key == "transfer.bytes";
  bool param_key = sweep.key.rfind("params.", 0) == 0 && s.params.count(sweep.key.substr(7));
  if (transfer_key && !s.transfer)
    l.fail(sw["key"], "sweep.key", "a transfer key can be swept only in a scenario with `compare:`");
  if (!transfer_key && !param_key && !find_machine_key(sweep.key)) {
    std::vector<std::string> names = {"transfer.offset", "transfer.chunk", "transfer.bytes"};
    for (const auto& mk : machine_keys()) names.emplace_back(mk.name);
    std::string msg = fmt::format("`{}` is neither a machine key, transfer.offset/chunk/bytes nor params.NAME", sweep.key);
    if (auto sug = closest(sweep.key, names)) msg += fmt::format("; did you mean `{}`?", *sug);
    l.fail(sw["key"], "sweep.key", msg);
  }
  YAML::Node vals = sw["values"];
  if (!vals.IsSequence() || vals.size() == 0 || vals.size() > 16)
    l.fail(vals, "sweep.values", "expected a list of 1 to 16 values");
  std::size_t i = 0;
  for (const auto& v : vals) {
    std::string p = fmt::format("sweep.values[{}]", i++);
    std::string text = l.scalar(v, p, "a value");
    if (param_key) {
      l.size(v, p);
    } else if (transfer_key) {
      std::uint64_t b = l.size(v, p);
      const FileSpec* f = s.file(s.transfer->file);
      if (sweep.key == "transfer.chunk" && b == 0) l.fail(v, p, "the chunk must be at least 1 byte");
      if (sweep.key == "transfer.offset" && b >= f->size) l.fail(v, p, "the offset must be inside the file");
      if (sweep.key == "transfer.bytes" && b > f->size - s.transfer->offset) l.fail(v, p, "more bytes than the file has");
    } else {
      Machine probe = s.machine;
      l.machine_value(probe, v, sweep.key, p);
    }
    sweep.values.push_back(text);
  }
  s.sweep = sweep;
}
}  // namespace

Scenario load_scenario(const std::string& path, const LoadOptions& opt) {
  YAML::Node root = parse_file(path);
  Loader l(path);
  Scenario s;
  s.path = path;
  if (!root.IsMap()) l.fail(root, "", fmt::format("a scenario is a map of keys (kiosim, title, files, ...), found {}", kind_of(root)));
  l.keys(root, "", {"kiosim", "title", "description", "machine", "set", "files", "compare", "processes", "expect", "seed",
                   "sweep", "params", "crash_at"},
         {"kiosim"});
  if (l.count(root["kiosim"], "kiosim", 0, 1000000) != 1)
    l.fail(root["kiosim"], "kiosim", "this kiosim reads scenario format version 1");
  if (root["title"]) s.title = l.str(root["title"], "title");
  if (root["description"]) s.description = l.str(root["description"], "description");
  if (root["crash_at"]) s.crash_at_ns = l.time(root["crash_at"], "crash_at");  // sim/crash.h
  if (root["seed"]) s.seed = l.count(root["seed"], "seed", 0, ~0ULL >> 12);
  if (YAML::Node ps = root["params"]) {
    l.map(ps, "params");
    for (const auto& kv : ps) {
      std::string name = kv.first.Scalar();
      l.size(kv.second, "params." + name);
      s.params[name] = kv.second.Scalar();
    }
  }

  // The machine: a named profile, a path, or a map; then set:, then --set.
  YAML::Node mn = root["machine"];
  if (!opt.machine_file.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(opt.machine_file, ec))
      throw InputError("command line", 0, 0, "--machine",
                       fmt::format("no machine profile file `{}` (--machine takes a path; a named profile goes in "
                                   "the scenario's `machine:`)",
                                   opt.machine_file));
    s.machine = load_machine_file(opt.machine_file);
    s.machine_name = opt.machine_file;
  } else if (!mn || mn.IsScalar()) {
    std::string name = mn ? mn.Scalar() : "default";
    std::string file;
    std::vector<std::string> tried;
    if (name.find('/') != std::string::npos || (name.size() > 5 && name.substr(name.size() - 5) == ".yaml")) {
      fs::path p = fs::path(name).is_absolute() ? fs::path(name) : fs::path(path).parent_path() / name;
      file = p.string();
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) l.fail(mn, "machine", fmt::format("no machine profile file `{}`", file));
    } else {
      file = find_profile(name, path, opt.machines_dir, tried);
      if (file.empty())
        l.fail(mn, "machine", fmt::format("no machine profile `{}` (looked for {})", name, Loader::list(tried)));
    }
    s.machine = load_machine_file(file);
    s.machine_name = name;
  } else {
    l.machine_map(s.machine, mn, "machine", nullptr);
    s.machine_name = "inline";
  }
  if (YAML::Node set = root["set"]) {
    l.map(set, "set");
    for (const auto& kv : set) l.machine_value(s.machine, kv.second, kv.first.Scalar(), "set." + kv.first.Scalar());
  }
  for (const auto& kv : opt.sets) {
    auto eq = kv.find('=');
    Loader cl("--set");
    if (eq == std::string::npos)
      throw InputError("command line", 0, 0, "--set", fmt::format("expected key=value, found `{}`", kv));
    YAML::Node v(kv.substr(eq + 1));
    try {
      cl.machine_value(s.machine, v, kv.substr(0, eq), kv.substr(0, eq));
    } catch (const InputError& e) {
      throw InputError("command line", 0, 0, "--set " + kv.substr(0, eq), e.message);
    }
  }
  s.machine.derive();
  if (s.machine.page_cache_bytes < (1ULL << 20))
    throw InputError(path, 0, 0, "page_cache.size", "the page cache must hold at least 1MiB (256 pages)");

  // Files.
  if (YAML::Node files = root["files"]) {
    if (!files.IsSequence()) l.fail(files, "files", fmt::format("expected a list of files, found {}", kind_of(files)));
    std::size_t i = 0;
    for (const auto& f : files) {
      std::string p = fmt::format("files[{}]", i++);
      l.keys(f, p, {"name", "size", "cached"}, {"name", "size"});
      FileSpec fs_;
      fs_.name = l.name(f["name"], p + ".name");
      fs_.size = l.size(f["size"], p + ".size", double(kMaxFileBytes));
      if (f["cached"]) fs_.cached = l.boolean(f["cached"], p + ".cached");
      if (s.file(fs_.name)) l.fail(f["name"], p + ".name", fmt::format("a second file named `{}`", fs_.name));
      if (fs_.cached && fs_.size > s.machine.page_cache_bytes)
        l.fail(f["cached"], p + ".cached",
               fmt::format("`{}` ({}) cannot be all cached in a page cache of {}", fs_.name, format_size(double(fs_.size)),
                           format_size(double(s.machine.page_cache_bytes))));
      s.files.push_back(fs_);
    }
  }

  if (root["compare"] && root["processes"]) l.fail(root["processes"], "processes", "a scenario has `compare:` or `processes:`, not both");
  if (!root["compare"] && !root["processes"]) l.fail(root, "", "a scenario needs `compare:` (the methods side by side) or `processes:`");

  if (YAML::Node c = root["compare"]) {
    l.keys(c, "compare", {"transfer", "methods"}, {"transfer", "methods"});
    YAML::Node t = c["transfer"];
    l.keys(t, "compare.transfer", {"file", "to", "chunk", "offset", "bytes"}, {"file"});
    TransferSpec ts;
    ts.file = l.name(t["file"], "compare.transfer.file");
    const FileSpec* f = s.file(ts.file);
    if (!f) {
      std::vector<std::string> known;
      for (const auto& x : s.files) known.push_back(x.name);
      std::string msg = fmt::format("no file `{}` in `files:`", ts.file);
      if (auto sug = closest(ts.file, known)) msg += fmt::format("; did you mean `{}`?", *sug);
      l.fail(t["file"], "compare.transfer.file", msg);
    }
    if (t["to"] && l.str(t["to"], "compare.transfer.to") != "socket")
      l.fail(t["to"], "compare.transfer.to", "transfers go to `socket` (a TCP connection to the receiver)");
    if (t["chunk"]) ts.chunk = l.size(t["chunk"], "compare.transfer.chunk", double(1ULL << 30));
    if (ts.chunk == 0) l.fail(t["chunk"], "compare.transfer.chunk", "the chunk must be at least 1 byte");
    if (t["offset"]) ts.offset = l.size(t["offset"], "compare.transfer.offset");
    if (ts.offset >= f->size) l.fail(t["offset"] ? t["offset"] : t, "compare.transfer.offset", "the offset must be inside the file");
    if (t["bytes"]) ts.bytes = l.size(t["bytes"], "compare.transfer.bytes");
    if (ts.bytes > f->size - ts.offset)
      l.fail(t["bytes"], "compare.transfer.bytes", fmt::format("the file has only {} bytes after the offset", f->size - ts.offset));
    std::uint64_t total = ts.bytes ? ts.bytes : f->size - ts.offset;
    if (total / ts.chunk > kMaxOps / 2)
      l.fail(t["chunk"], "compare.transfer.chunk", fmt::format("{} chunks is more than the limit of {} calls", total / ts.chunk, kMaxOps / 2));
    s.transfer = ts;
    YAML::Node ms = c["methods"];
    if (!ms.IsSequence() || ms.size() == 0) l.fail(ms, "compare.methods", "expected a list of methods: " + Loader::list(method_names()));
    std::size_t i = 0;
    for (const auto& m : ms) {
      std::string p = fmt::format("compare.methods[{}]", i++);
      std::string name = l.name(m, p);
      const auto& all = method_names();
      if (std::find(all.begin(), all.end(), name) == all.end()) {
        std::string msg = fmt::format("unknown method `{}`", name);
        if (auto sug = closest(name, all)) msg += fmt::format("; did you mean `{}`?", *sug);
        else msg += "; expected one of: " + Loader::list(all);
        l.fail(m, p, msg);
      }
      if (std::find(s.methods.begin(), s.methods.end(), name) != s.methods.end())
        l.fail(m, p, fmt::format("`{}` is listed twice", name));
      s.methods.push_back(name);
    }
  }

  // The sweep is read before the programs, so that `bytes: $name` knows every value.
  if (YAML::Node sw = root["sweep"]) read_sweep(l, sw, s);

  if (YAML::Node ps = root["processes"]) {
    if (!ps.IsSequence() || ps.size() == 0) l.fail(ps, "processes", "expected a list of processes");
    if (ps.size() > 64) l.fail(ps, "processes", "at most 64 processes");
    std::size_t i = 0;
    double ops = 0, bytes = 0;
    std::uint64_t threads = 0;
    for (const auto& pn : ps) {
      std::string p = fmt::format("processes[{}]", i++);
      l.keys(pn, p, {"name", "threads", "cores", "setup", "program"}, {"program"});
      ProcessSpec spec;
      spec.name = pn["name"] ? l.name(pn["name"], p + ".name") : fmt::format("proc{}", i - 1);
      if (pn["threads"]) spec.threads = std::uint32_t(l.count(pn["threads"], p + ".threads", 1, kMaxThreads));
      threads += spec.threads;
      if (YAML::Node cs = pn["cores"]) {
        if (!cs.IsSequence() || cs.size() == 0)
          l.fail(cs, p + ".cores", fmt::format("expected a list of cores like [0, 1], found {}", kind_of(cs)));
        std::size_t j = 0;
        for (const auto& c : cs)
          spec.cores.push_back(std::uint32_t(l.count(c, fmt::format("{}.cores[{}]", p, j++), 0, s.machine.cpu.cores - 1)));
      }
      ProgramLoader pl(l, s);
      if (pn["setup"]) spec.program.setup = pl.ops(pn["setup"], p + ".setup", true);
      spec.program.body = pl.ops(pn["program"], p + ".program", false);
      ops += pl.ops_total * spec.threads;
      bytes += pl.bytes_total * spec.threads;
      s.processes.push_back(std::move(spec));
    }
    if (threads > kMaxThreads) l.fail(ps, "processes", fmt::format("at most {} threads in all", kMaxThreads));
    if (ops > double(kMaxOps))
      l.fail(ps, "processes", fmt::format("the programs would run {:.0f} ops; the limit is {}", ops, kMaxOps));
    if (bytes > kMaxBytesMoved)
      l.fail(ps, "processes", fmt::format("the programs would move {}; the limit is {}", format_size(bytes), format_size(kMaxBytesMoved)));
  }


  if (YAML::Node e = root["expect"]) {
    l.map(e, "expect");
    std::vector<std::string> runs;
    for (const auto& r : s.runs()) runs.push_back(r.name);
    for (const auto& kv : e) {
      std::string run = kv.first.Scalar();
      if (std::find(runs.begin(), runs.end(), run) == runs.end()) {
        std::string msg = fmt::format("`{}` is not a run of this scenario (runs: {})", run, Loader::list(runs));
        l.fail(kv.first, "expect." + run, msg);
      }
      l.map(kv.second, "expect." + run);
      for (const auto& cv : kv.second) {
        std::string cname = cv.first.Scalar();
        std::string p = "expect." + run + "." + cname;
        const auto& names = counter_names();
        if (std::find(names.begin(), names.end(), cname) == names.end()) {
          std::string msg = fmt::format("unknown counter `{}`", cname);
          if (auto sug = closest(cname, names)) msg += fmt::format("; did you mean `{}`?", *sug);
          l.fail(cv.first, p, msg);
        }
        std::string v = l.scalar(cv.second, p, "a number");
        char* end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end) l.fail(cv.second, p, fmt::format("expected a number, found `{}`", v));
        s.expect[run][cname] = d;
      }
    }
  }
  return s;
}

}  // namespace kiosim
