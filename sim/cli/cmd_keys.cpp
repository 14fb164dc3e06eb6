// kiosim keys: every machine key with its default, unit and meaning.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/scenario/machine_keys.h"

namespace kiosim::cli {

Action add_keys(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("keys", "list the machine keys (for profiles, set: and --set)");
  c->add_flag("--json", *json, "print JSON");
  return [json] {
    Machine m;
    m.derive();
    if (*json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& k : machine_keys())
        out.push_back({{"key", k.name}, {"default", k.show(m)}, {"description", k.description}});
      std::cout << out.dump(2) << "\n";
      return 0;
    }
    // OSTEP's habit, as every command: the options first. Columns as wide as their
    // longest entry, so a long key never pushes its row out of line.
    std::cout << "ARG command   keys\n\n";
    std::size_t kw = 3, dw = 7;
    for (const auto& k : machine_keys()) {
      kw = std::max(kw, k.name.size());
      dw = std::max(dw, k.show(m).size());
    }
    std::cout << fmt::format("{:<{}}  {:<{}}  {}\n", "key", kw, "default", dw, "meaning");
    for (const auto& k : machine_keys())
      std::cout << fmt::format("{:<{}}  {:<{}}  {}\n", k.name, kw, k.show(m), dw, k.description);
    return 0;
  };
}

}  // namespace kiosim::cli
