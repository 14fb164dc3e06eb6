// Fuzz target: the scenario loader (load_scenario, then the expansion into runs).
// Any input must end in a scenario or an InputError: no crash, no hang, no
// unbounded allocation. Seeds: scenarios/, course/, tests/data/.
#include <cstdint>

#include "sim/scenario/scenario.h"
#include "tests/fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kiosim::fuzz::RemoveAtExit cleanup(".yaml");
  const std::string& path = kiosim::fuzz::write_input(data, size, ".yaml");
  try {
    kiosim::Scenario s = kiosim::load_scenario(path);
    (void)s.runs();
  } catch (const kiosim::InputError&) {
  }
  return 0;
}
