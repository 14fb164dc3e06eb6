// Fuzz target: the machine-profile loader (load_machine_file, as `--machine` and
// `machine: PATH` read a profile). Any input ends in a machine or an InputError.
#include <cstdint>

#include "sim/scenario/scenario.h"
#include "tests/fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kiosim::fuzz::RemoveAtExit cleanup(".machine.yaml");
  const std::string& path = kiosim::fuzz::write_input(data, size, ".machine.yaml");
  try {
    (void)kiosim::load_machine_file(path);
  } catch (const kiosim::InputError&) {
  }
  return 0;
}
