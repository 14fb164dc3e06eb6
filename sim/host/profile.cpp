#include "sim/host/profile.h"

#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sim/scenario/machine_keys.h"
#include "sim/scenario/scenario.h"

namespace kiosim::host {

std::vector<std::string> missing_keys(const std::string& path) {
  std::set<std::string> given;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception&) {
    return {};  // load_machine_file reports it, with the place
  }
  if (root.IsMap())
    for (const auto& kv : root) {
      std::string k = kv.first.Scalar();
      if (kv.second.IsMap())
        for (const auto& kv2 : kv.second) given.insert(k + "." + kv2.first.Scalar());
      else
        given.insert(k);
    }
  std::vector<std::string> out;
  for (const auto& k : machine_keys())
    if (!given.count(std::string(k.name))) out.emplace_back(k.name);
  return out;
}

Machine load_profile(const std::string& path, std::ostream& warn, bool verbose) {
  Machine m = load_machine_file(path);  // throws InputError on a malformed profile
  const Machine defaults;
  const auto missing = missing_keys(path);
  if (missing.empty()) return m;
  warn << fmt::format("{}: warning: {} of the {} machine keys not given take their defaults{}\n", path,
                      missing.size(), machine_keys().size(), verbose ? ":" : " (--verbose lists them)");
  if (!verbose) return m;
  for (const auto& name : missing) {
    const MachineKey* k = find_machine_key(name);
    warn << fmt::format("{}: warning: no `{}`; using the default {}\n", path, name, k ? k->show(defaults) : "");
  }
  return m;
}

}  // namespace kiosim::host
