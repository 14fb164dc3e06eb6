// `kiosim run PROBLEM` prints every option and the questions (no answers, OSTEP's way);
// `kiosim run PROBLEM -c` (--answers) adds each answer with the reasoning from the run.
#pragma once
#include <ostream>
#include <string>

namespace kiosim::homework {

// InputError when the file is a template (no `problem:`), saying how to make a problem.
void require_problem(const std::string& path);

// Returns the exit code (0; InputError for a bad file).
int run_problem(std::ostream& out, const std::string& path, bool answers, bool json, unsigned jobs);

}  // namespace kiosim::homework
