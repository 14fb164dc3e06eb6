// The answer key: each question's answer computed from the problem's runs, with the
// reasoning taken from the run (the counters, and the events that determine them by
// the rules of sim/trace/schema.h).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/homework/homework.h"
#include "sim/scenario/scenario.h"

namespace kiosim::homework {

struct KeyAnswer {
  std::string id;
  double number = 0;  // counter, ratio; time in the question's unit
  std::string text;   // as an answers file writes it: 32, 1.5, 181.154us, sendfile, yes
  std::vector<std::string> reasoning;
};

// Simulates the problem's runs (with their traces) and answers every question.
std::vector<KeyAnswer> compute_key(const Homework& h, const Scenario& s, unsigned jobs = 0);
// The same from results already simulated (with events).
std::vector<KeyAnswer> answers_from(const Homework& h, const std::vector<nlohmann::ordered_json>& results);

// A time in ns in `unit` (ns, us, ms, s).
double in_unit(double ns, const std::string& unit);

}  // namespace kiosim::homework
