// Real mode's refusals, for the commands that measure (measure, calibrate, check).
#pragma once
#include <functional>

namespace kiosim::cli {

// Runs real-mode work for `command`: a size or setting the host cannot serve
// (host::Refused) is bad input, exit 2; a system call the host refused
// (host::HostError, which `needer` needed) fails the run, exit 1.
int on_host(const char* command, const char* needer, const std::function<int()>& body);

}  // namespace kiosim::cli
