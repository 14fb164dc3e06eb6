// Loading a machine profile for real mode (`check --machine`): a malformed profile
// is an error (InputError with file:line:col, from the loader); a key the profile
// does not give falls back to the default: one warning line says how many did, and
// with `verbose` one line per key names it and its default.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario/machine.h"

namespace kiosim::host {

// The machine keys (dotted names) a profile file does not give.
std::vector<std::string> missing_keys(const std::string& path);
// load_machine_file, plus the warning about missing keys on `warn`.
Machine load_profile(const std::string& path, std::ostream& warn, bool verbose = false);

}  // namespace kiosim::host
