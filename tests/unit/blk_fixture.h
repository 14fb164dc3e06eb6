// Shared by the whole-run tests of the block layer and io_uring's ring
// (test_blk_mq_runs.cpp, test_io_uring_ring.cpp): the scenario text of one process that
// opens one file, `d` opened as `f`, and runs a program on it.
#pragma once
#include <string>

namespace kiosim::test {

// `set`: the inside of the `set:` line's braces, or empty for none; `size`: d's size
// ("1MiB"); `cached`: d's pages in the cache at the start; `direct`: opened O_DIRECT;
// `more_setup`: setup ops after the open, each after ", " (", {uring_setup: {...}}");
// `program`: the lines under `program:`, each indented 6 and ending in a newline.
inline std::string one_file_scenario(const std::string& set, const std::string& size, bool cached, bool direct,
                                     const std::string& more_setup, const std::string& program) {
  return "kiosim: 1\n" + (set.empty() ? std::string() : "set: { " + set + " }\n") + "files: [{name: d, size: " +
         size + ", cached: " + (cached ? "true" : "false") + "}]\n" + "processes:\n  - setup: [ {open: {file: d, as: f" +
         (direct ? ", flags: [direct]" : "") + "}}" + more_setup + " ]\n" + "    program:\n" + program;
}

}  // namespace kiosim::test
