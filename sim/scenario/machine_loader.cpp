// Machine profiles and a scenario's machine: sections of keys from
// sim/scenario/machine_keys.h, looked up by name or path, then `set:` and --set.
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "sim/scenario/load_steps.h"
#include "sim/scenario/machine_keys.h"
#include "sim/scenario/suggest.h"

namespace fs = std::filesystem;

namespace kiosim {

void machine_value(const Reader& r, Machine& m, const YAML::Node& n, const std::string& key, const std::string& path) {
  const MachineKey* k = find_machine_key(key);
  if (!k) {
    std::vector<std::string> names;
    for (const auto& mk : machine_keys()) names.emplace_back(mk.name);
    r.fail(n, path,
           fmt::format("unknown machine key `{}`", key) +
               did_you_mean(key, names, "; `kiosim keys` lists them"));
  }
  std::string text = r.scalar(n, path, expected_text(k->type));
  if (auto err = apply_machine_value(m, *k, text)) r.fail(n, path, fmt::format("expected {}, found `{}`", *err, text));
}

namespace {

// A profile: sections (cpu, nic, ...) of keys, or dotted keys at the top.
void machine_map(const Reader& r, Machine& m, const YAML::Node& n, const std::string& path) {
  r.map(n, path);
  std::vector<std::string> sections;
  for (const auto& mk : machine_keys()) {
    std::string sec(mk.name.substr(0, mk.name.find('.')));
    if (std::find(sections.begin(), sections.end(), sec) == sections.end()) sections.push_back(sec);
  }
  for (const auto& kv : n) {
    std::string k = kv.first.Scalar();
    if (k == "kiosim_machine" || k == "name" || k == "description") continue;
    if (!kv.second.IsMap()) {
      machine_value(r, m, kv.second, k, Reader::join(path, k));
      continue;
    }
    if (std::find(sections.begin(), sections.end(), k) == sections.end())
      r.fail(kv.first, Reader::join(path, k),
             fmt::format("unknown machine section `{}`", k) +
                 did_you_mean(k, sections, expected_one_of(sections)));
    for (const auto& kv2 : kv.second) {
      std::string full = k + "." + kv2.first.Scalar();
      machine_value(r, m, kv2.second, full, Reader::join(path, full));
    }
  }
}

// Named profiles are looked up beside the scenario, then in the source tree's scenarios/machines.
std::string find_profile(const std::string& name, const std::string& scenario_path, const std::string& dir_opt,
                         std::vector<std::string>& tried) {
  std::vector<fs::path> dirs;
  // From the scenario's absolute directory, so `named.yaml` and `../sc/named.yaml` look
  // in the same places; each place once.
  std::error_code aec;
  fs::path sdir = fs::absolute(fs::path(scenario_path), aec).lexically_normal().parent_path();
  if (!dir_opt.empty()) dirs.push_back(dir_opt);
  dirs.push_back(sdir / "machines");
  dirs.push_back(sdir.parent_path() / "machines");
  dirs.push_back(sdir.parent_path() / "scenarios" / "machines");
#ifdef KIOSIM_SOURCE_DIR
  dirs.push_back(fs::path(KIOSIM_SOURCE_DIR) / "scenarios" / "machines");
#endif
  for (const auto& d : dirs) {
    fs::path p = (d / (name + ".yaml")).lexically_normal();
    if (std::find(tried.begin(), tried.end(), p.string()) != tried.end()) continue;
    tried.push_back(p.string());
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

// `machine: NAME` or `machine: PATH.yaml` (absent: `default`): the profile's file.
std::string profile_file(const Reader& r, const YAML::Node& mn, const std::string& name, const std::string& scenario_path,
                         const LoadOptions& opt) {
  if (name.find('/') != std::string::npos || (name.size() > 5 && name.substr(name.size() - 5) == ".yaml")) {
    fs::path p = fs::path(name).is_absolute() ? fs::path(name) : fs::path(scenario_path).parent_path() / name;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) r.fail(mn, "machine", fmt::format("no machine profile file `{}`", p.string()));
    return p.string();
  }
  std::vector<std::string> tried;
  std::string file = find_profile(name, scenario_path, opt.machines_dir, tried);
  if (file.empty())
    r.fail(mn, "machine", fmt::format("no machine profile `{}` (looked for {})", name, Reader::list(tried)));
  return file;
}

// --set key=value, after the file's `set:`.
void apply_command_line_sets(const LoadOptions& opt, Machine& m) {
  for (const auto& kv : opt.sets) {
    auto eq = kv.find('=');
    Reader cl("--set");
    if (eq == std::string::npos)
      throw InputError("command line", 0, 0, "--set", fmt::format("expected key=value, found `{}`", kv));
    YAML::Node v(kv.substr(eq + 1));
    try {
      machine_value(cl, m, v, kv.substr(0, eq), kv.substr(0, eq));
    } catch (const InputError& e) {
      throw InputError("command line", 0, 0, "--set " + kv.substr(0, eq), e.message);
    }
  }
}

}  // namespace

Machine load_machine_file(const std::string& path) {
  YAML::Node root = parse_file(path);
  Reader r(path);
  Machine m;
  if (!root.IsMap()) r.fail(root, "", fmt::format("a machine profile is a map of sections, found {}", kind_of(root)));
  machine_map(r, m, root, "");
  if (root["name"]) m.name = r.str(root["name"], "name");
  m.derive();
  return m;
}

void read_machine(const Reader& r, const YAML::Node& root, const LoadOptions& opt, Scenario& s) {
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
    s.machine = load_machine_file(profile_file(r, mn, name, s.path, opt));
    s.machine_name = name;
  } else {
    machine_map(r, s.machine, mn, "machine");
    s.machine_name = "inline";
  }
  if (YAML::Node set = root["set"]) {
    r.map(set, "set");
    for (const auto& kv : set) {
      machine_value(r, s.machine, kv.second, kv.first.Scalar(), "set." + kv.first.Scalar());
      s.set.emplace_back(kv.first.Scalar(), kv.second.Scalar());
    }
  }
  apply_command_line_sets(opt, s.machine);
  s.command_line_sets = opt.sets;
  s.machine.derive();
  if (s.machine.page_cache_bytes < (1ULL << 20))
    throw InputError(s.path, 0, 0, "page_cache.size", "the page cache must hold at least 1MiB (256 pages)");
}

}  // namespace kiosim
