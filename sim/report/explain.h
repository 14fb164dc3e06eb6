// `kiosim explain`: a run's trace narrated one event per line, for people; with a
// time window, a line limit, lane and kind filters, and a summary that folds repeats
// ("x 4,096 like the above"). Reads a run's JSON (sim/run/run.h); no simulation.
#pragma once
#include <cstddef>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosim {

struct ExplainOptions {
  double from_ns = 0;
  double to_ns = std::numeric_limits<double>::infinity();
  std::size_t limit = 0;             // lines printed at most; 0: all
  std::vector<std::string> lanes;    // only these lanes (any of); empty: all
  std::vector<std::string> kinds;    // only these event kinds (any of); empty: all
  bool summary = false;              // fold repeated lines and repeated blocks of lines
};

// One narrated line: when, where, what.
struct ExplainLine {
  double t = 0;
  std::string lane;
  std::string kind;
  std::string text;
};

// The run's events as lines, in time order (filters applied, nothing folded).
std::vector<ExplainLine> explain_lines(const nlohmann::ordered_json& run, const ExplainOptions& opt = {});
// Prints them, folded with opt.summary, cut at opt.limit (saying how many were left out).
void print_explain(std::ostream& out, const nlohmann::ordered_json& run, const ExplainOptions& opt = {});
// Checks the filters against the run (unknown lanes or kinds: InputError with the choices).
void check_explain_filters(const nlohmann::ordered_json& run, const ExplainOptions& opt);

// "1 fragment", "2 fragments".
std::string plural(std::uint64_t n, const std::string& one, const std::string& many);

}  // namespace kiosim
