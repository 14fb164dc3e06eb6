// kiosim check's machine for the prediction (check_shared.h).
#include <iostream>

#include "sim/cli/check_shared.h"
#include "sim/host/profile.h"
#include "sim/scenario/machine_keys.h"

namespace kiosim::cli::check {

// The scenario's machine for the prediction: the scenario's, or the --machine profile
// with the scenario's `set:` and then --set on top (as `run --machine` has them: what the
// scenario and the user chose stays chosen); the receiver local, as real mode has it.
void apply_machine(const CheckArgs& a, Scenario& base, std::string& machine_name) {
  machine_name = base.machine_name;
  if (!a.machine.empty()) {
    base.machine = host::load_profile(a.machine, std::cerr, a.verbose);
    machine_name = a.machine;
    for (const auto& [key, value] : base.set)  // validated by the loader
      if (const MachineKey* k = find_machine_key(key)) apply_machine_value(base.machine, *k, value);
    for (const auto& kv : base.command_line_sets) {
      auto eq = kv.find('=');
      const MachineKey* k = eq == std::string::npos ? nullptr : find_machine_key(kv.substr(0, eq));
      if (k) apply_machine_value(base.machine, *k, kv.substr(eq + 1));
    }
  }
  base.machine.receiver_local = true;  // real mode's receiver is a process on this machine
  base.machine.derive();
}

}  // namespace kiosim::cli::check
