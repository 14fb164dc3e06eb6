// load_scenario: a scenario file read and validated top down. Every problem is
// found here, before anything runs, and reported with the file, line and column,
// the key path, what was expected, and a did-you-mean for misspelt keys. The
// machine, sweep, programs and `expect:` are read by the steps in load_steps.h.
#include <algorithm>
#include <fmt/format.h>

#include "sim/scenario/load_steps.h"
#include "sim/scenario/scenario_text.h"
#include "sim/scenario/methods.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

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

void read_params(const Reader& r, const YAML::Node& ps, Scenario& s) {
  r.map(ps, "params");
  for (const auto& kv : ps) {
    std::string name = kv.first.Scalar();
    r.size(kv.second, "params." + name);
    s.params[name] = kv.second.Scalar();
  }
}

void read_files(const Reader& r, const YAML::Node& files, Scenario& s) {
  if (!files.IsSequence()) r.fail(files, "files", fmt::format("expected a list of files, found {}", kind_of(files)));
  std::size_t i = 0;
  for (const auto& f : files) {
    std::string p = fmt::format("files[{}]", i++);
    r.keys(f, p, {"name", "size", "cached", "nowait"}, {"name", "size"});
    FileSpec fs_;
    fs_.name = r.name(f["name"], p + ".name");
    fs_.size = r.size(f["size"], p + ".size", double(kMaxFileBytes));
    if (f["cached"]) fs_.cached = r.boolean(f["cached"], p + ".cached");
    if (f["nowait"]) fs_.nowait = r.boolean(f["nowait"], p + ".nowait");
    if (s.file(fs_.name)) r.fail(f["name"], p + ".name", fmt::format("a second file named `{}`", fs_.name));
    if (fs_.cached && fs_.size > s.machine.page_cache_bytes)
      r.fail(f["cached"], p + ".cached",
             fmt::format("`{}` ({}) cannot be all cached in a page cache of {}", fs_.name, format_size(double(fs_.size)),
                         format_size(double(s.machine.page_cache_bytes))));
    s.files.push_back(fs_);
  }
}

// compare.transfer: what every method moves.
TransferSpec read_transfer(const Reader& r, const YAML::Node& t, const Scenario& s) {
  r.keys(t, "compare.transfer", {"file", "to", "chunk", "offset", "bytes"}, {"file"});
  TransferSpec ts;
  ts.file = r.name(t["file"], "compare.transfer.file");
  const FileSpec* f = s.file(ts.file);
  if (!f) {
    std::vector<std::string> known;
    for (const auto& x : s.files) known.push_back(x.name);
    r.fail(t["file"], "compare.transfer.file",
           fmt::format("no file `{}` in `files:`", ts.file) + did_you_mean(ts.file, known));
  }
  if (t["to"] && r.str(t["to"], "compare.transfer.to") != "socket")
    r.fail(t["to"], "compare.transfer.to", "transfers go to `socket` (a TCP connection to the receiver)");
  if (t["chunk"]) ts.chunk = r.size(t["chunk"], "compare.transfer.chunk", double(1ULL << 30));
  if (ts.chunk == 0) r.fail(t["chunk"], "compare.transfer.chunk", "the chunk must be at least 1 byte");
  if (t["offset"]) ts.offset = r.size(t["offset"], "compare.transfer.offset");
  if (ts.offset >= f->size) r.fail(t["offset"] ? t["offset"] : t, "compare.transfer.offset", "the offset must be inside the file");
  if (t["bytes"]) ts.bytes = r.size(t["bytes"], "compare.transfer.bytes");
  if (ts.bytes > f->size - ts.offset)
    r.fail(t["bytes"], "compare.transfer.bytes", fmt::format("the file has only {} bytes after the offset", f->size - ts.offset));
  std::uint64_t total = ts.bytes ? ts.bytes : f->size - ts.offset;
  if (total / ts.chunk > kMaxOps / 2)
    r.fail(t["chunk"], "compare.transfer.chunk",
           fmt::format("{} chunks is more than the limit of {} calls", total / ts.chunk, kMaxOps / 2));
  return ts;
}

void read_compare(const Reader& r, const YAML::Node& c, Scenario& s) {
  r.keys(c, "compare", {"transfer", "methods"}, {"transfer", "methods"});
  s.transfer = read_transfer(r, c["transfer"], s);
  YAML::Node ms = c["methods"];
  const auto& all = method_names();
  if (!ms.IsSequence() || ms.size() == 0) r.fail(ms, "compare.methods", "expected a list of methods: " + Reader::list(all));
  std::size_t i = 0;
  for (const auto& m : ms) {
    std::string p = fmt::format("compare.methods[{}]", i++);
    std::string name = r.name(m, p);
    if (std::find(all.begin(), all.end(), name) == all.end())
      r.fail(m, p, fmt::format("unknown method `{}`", name) + did_you_mean(name, all, expected_one_of(all)));
    if (std::find(s.methods.begin(), s.methods.end(), name) != s.methods.end())
      r.fail(m, p, fmt::format("`{}` is listed twice", name));
    s.methods.push_back(name);
  }
}

}  // namespace

namespace {

Scenario load_root(const YAML::Node& root, const std::string& path, const LoadOptions& opt) {
  Reader r(path);
  Scenario s;
  s.path = path;
  if (!root.IsMap())
    r.fail(root, "", fmt::format("a scenario is a map of keys (kiosim, title, files, ...), found {}", kind_of(root)));
  r.keys(root, "",
         {"kiosim", "title", "description", "machine", "set", "files", "compare", "processes", "expect", "seed", "sweep",
          "params", "crash_at", "homework", "problem", "clients"},  // homework, problem: sim/homework reads them
         {"kiosim"});
  if (r.count(root["kiosim"], "kiosim", 0, 1000000) != 1)
    r.fail(root["kiosim"], "kiosim", "this kiosim reads scenario format version 1");
  if (root["title"]) s.title = r.str(root["title"], "title");
  if (root["description"]) s.description = r.str(root["description"], "description");
  if (root["crash_at"]) s.crash_at_ns = r.time(root["crash_at"], "crash_at");  // sim/run/crash.h
  if (root["seed"]) s.seed = r.count(root["seed"], "seed", 0, ~0ULL >> 12);
  if (YAML::Node ps = root["params"]) read_params(r, ps, s);
  read_machine(r, root, opt, s);
  if (YAML::Node files = root["files"]) read_files(r, files, s);

  if (root["compare"] && root["processes"])
    r.fail(root["processes"], "processes", "a scenario has `compare:` or `processes:`, not both");
  if (!root["compare"] && !root["processes"])
    r.fail(root, "", "a scenario needs `compare:` (the methods side by side) or `processes:`");
  if (YAML::Node c = root["compare"]) read_compare(r, c, s);
  if (YAML::Node sw = root["sweep"]) read_sweep(r, sw, s);  // before the programs: `bytes: $name` knows every value
  if (YAML::Node c = root["clients"]) read_clients(r, c, s);
  if (YAML::Node ps = root["processes"]) read_processes(r, ps, s);
  if (YAML::Node sw = root["sweep"]) check_swept_machines(r, sw, s);
  if (YAML::Node e = root["expect"]) read_expect(r, e, s);
  return s;
}

}  // namespace

Scenario load_scenario(const std::string& path, const LoadOptions& opt) { return load_root(parse_file(path), path, opt); }

Scenario load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& opt) {
  return load_root(parse_text(text, path), path, opt);
}

}  // namespace kiosim
