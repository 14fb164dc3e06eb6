// Shared by the kernel-trace tests (test_kernel_trace.cpp, test_kernel_trace_kinds.cpp):
// the hand-written tracefs text records of tests/data/kernel-trace/, read whole (a test
// fails at once if its file is missing or empty).
#pragma once
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace kiosim::test {

inline std::string kernel_trace_data(const char* name) {
  std::ifstream in(std::string(KIOSIM_SOURCE_DIR) + "/tests/data/kernel-trace/" + name);
  std::ostringstream o;
  o << in.rdbuf();
  REQUIRE(!o.str().empty());
  return o.str();
}

}  // namespace kiosim::test
