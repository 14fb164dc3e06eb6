// The four transfer methods as canned programs in the program language: not
// special paths in the engine. `compare:` expands to one run per method.
#pragma once
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace kiosim {

const std::vector<std::string>& method_names();  // read_write, mmap_write, sendfile, splice
// The program one method runs for `t` on machine `m` (the file must exist in `s`).
Program method_program(const std::string& method, const TransferSpec& t, const Scenario& s, const Machine& m);

}  // namespace kiosim
