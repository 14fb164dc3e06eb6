// Runs a thread's program op by op against the kernel, inside its actor.
#pragma once
#include "sim/kernel/kernel.h"
#include "sim/program/program.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

// `thread_index` replaces {thread} in file names.
void run_program(Kernel& k, Thread& t, const Scenario& s, const Program& p, unsigned thread_index);

}  // namespace kiosim
