// The registry of machine keys: one entry per field of Machine, with its unit,
// default (from Machine's initialisers), range and description. Loading,
// `--set key=value`, `kiosim keys`, the trace header and did-you-mean all use it.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/machine.h"

namespace kiosim {

enum class KeyType { boolean, integer, fraction, size, time, rate, frequency, choice };

struct MachineKey {
  std::string_view name;         // "nic.max_frags"
  KeyType type;
  std::string_view description;
  double min = 0, max = 0;       // in base units (bytes, ns, bytes/s, Hz); ignored for bool/choice
  std::vector<std::string_view> choices;
  std::function<void(Machine&, double, std::string_view)> set;  // number, or the choice
  std::function<std::string(const Machine&)> show;              // as a person writes it
  std::function<double(const Machine&)> number;                 // base units (choices: index)
};

const std::vector<MachineKey>& machine_keys();
const MachineKey* find_machine_key(std::string_view name);
std::string_view expected_text(KeyType t);  // "a size like 64KiB"

// Parses `text` for key `k` and applies it; on failure returns what was expected.
std::optional<std::string> apply_machine_value(Machine& m, const MachineKey& k, std::string_view text);

}  // namespace kiosim
