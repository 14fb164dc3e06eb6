// From a scenario to its runs: one per compared method (or one of its processes),
// times each value of the sweep, with `bytes: $name` parameters resolved.
#include <algorithm>
#include <fmt/format.h>

#include "sim/scenario/load_steps.h"
#include "sim/scenario/machine_keys.h"
#include "sim/scenario/methods.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

namespace kiosim {

namespace {

bool is_transfer_key(const std::string& key) {
  return key == "transfer.offset" || key == "transfer.chunk" || key == "transfer.bytes";
}

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

void resolve_params(std::vector<Op>& ops, const std::map<std::string, std::string>& values) {
  for (Op& o : ops) {
    if (!o.bytes_param.empty()) o.bytes = std::uint64_t(*parse_size(values.at(o.bytes_param)));
    resolve_params(o.body, values);
  }
}

// One sweep value (a transfer key's, a parameter's or a machine key's), checked.
void check_sweep_value(const Reader& r, const YAML::Node& v, const std::string& p, const Sweep& sweep, bool param_key,
                       const Scenario& s) {
  if (param_key) {
    r.size(v, p);
  } else if (is_transfer_key(sweep.key)) {
    std::uint64_t b = r.size(v, p);
    const FileSpec* f = s.file(s.transfer->file);
    if (sweep.key == "transfer.chunk" && b == 0) r.fail(v, p, "the chunk must be at least 1 byte");
    std::uint64_t total = s.transfer->bytes ? s.transfer->bytes : f->size - s.transfer->offset;
    if (sweep.key == "transfer.chunk" && total / b > kMaxOps / 2)
      r.fail(v, p, fmt::format("{} chunks is more than the limit of {} calls", total / b, kMaxOps / 2));
    if (sweep.key == "transfer.offset" && b >= f->size) r.fail(v, p, "the offset must be inside the file");
    if (sweep.key == "transfer.bytes" && b > f->size - s.transfer->offset) r.fail(v, p, "more bytes than the file has");
  } else {
    Machine probe = s.machine;
    machine_value(r, probe, v, sweep.key, p);
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
        const FileSpec* f = file(t->file);
        out.push_back({meth + suffix, {p}, m, t->bytes ? t->bytes : f->size - t->offset});
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

// What the base machine is checked for, checked again for each swept machine value:
// the page cache's minimum, cached files that must fit, the cores processes name.
void check_swept_machines(const Reader& r, const YAML::Node& sw, const Scenario& s) {
  if (!s.sweep || !find_machine_key(s.sweep->key)) return;
  std::size_t i = 0;
  for (const auto& v : sw["values"]) {
    std::string p = fmt::format("sweep.values[{}]", i++);
    Machine m = s.machine;
    apply_machine_value(m, *find_machine_key(s.sweep->key), v.Scalar());
    m.derive();
    if (m.page_cache_bytes < (1ULL << 20)) r.fail(v, p, "the page cache must hold at least 1MiB (256 pages)");
    for (const auto& f : s.files)
      if (f.cached && f.size > m.page_cache_bytes)
        r.fail(v, p,
               fmt::format("`{}` ({}) is cached, and cannot be all cached in a page cache of {}", f.name,
                           format_size(double(f.size)), format_size(double(m.page_cache_bytes))));
    for (const auto& proc : s.processes)
      for (auto c : proc.cores)
        if (c >= m.cpu.cores)
          r.fail(v, p, fmt::format("process `{}` runs on core {}, and this machine has {} cores", proc.name, c,
                                   m.cpu.cores));
  }
}

void read_sweep(const Reader& r, const YAML::Node& sw, Scenario& s) {
  r.keys(sw, "sweep", {"key", "values"}, {"key", "values"});
  Sweep sweep;
  sweep.key = r.name(sw["key"], "sweep.key");
  bool transfer_key = is_transfer_key(sweep.key);
  bool param_key = sweep.key.rfind("params.", 0) == 0 && s.params.count(sweep.key.substr(7));
  if (transfer_key && !s.transfer)
    r.fail(sw["key"], "sweep.key", "a transfer key can be swept only in a scenario with `compare:`");
  if (!transfer_key && !param_key && !find_machine_key(sweep.key)) {
    std::vector<std::string> names = {"transfer.offset", "transfer.chunk", "transfer.bytes"};
    for (const auto& mk : machine_keys()) names.emplace_back(mk.name);
    r.fail(sw["key"], "sweep.key",
           fmt::format("`{}` is neither a machine key, transfer.offset/chunk/bytes nor params.NAME", sweep.key) +
               did_you_mean(sweep.key, names));
  }
  YAML::Node vals = sw["values"];
  if (!vals.IsSequence() || vals.size() == 0 || vals.size() > 16)
    r.fail(vals, "sweep.values", "expected a list of 1 to 16 values");
  std::size_t i = 0;
  for (const auto& v : vals) {
    std::string p = fmt::format("sweep.values[{}]", i++);
    std::string text = r.scalar(v, p, "a value");
    check_sweep_value(r, v, p, sweep, param_key, s);
    sweep.values.push_back(text);
  }
  s.sweep = sweep;
}

}  // namespace kiosim
