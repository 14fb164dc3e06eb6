// homework new: a template and a seed make a student's problem.
#pragma once
#include <cstdint>
#include <string>

#include "sim/homework/homework.h"
#include "sim/homework/rng.h"
#include "sim/scenario/scenario_text.h"

namespace kiosim::homework {

// The problem file's text: the template with every `${name}` replaced by the value drawn
// for it (params in the template's order, one SplitMix64 draw each, from `seed`), and a
// `problem:` section appended (so the problem's lines are the template's). A student id,
// when given, is recorded; its seed is fnv1a64(id). Loads the result as a scenario and
// checks that every question's runs and processes exist: InputError otherwise.
std::string make_problem(const std::string& template_path, std::uint64_t seed, const std::string& student = {});

// The values drawn for one parameter, as the problem writes them (sizes as 64KiB): one
// (NAME, value), or for a choose of maps one (NAME.KEY, value) per key. One draw each.
std::vector<std::pair<std::string, std::string>> draw(const ParamSpec& p, SplitMix64& rng);

// Every question's runs and processes exist in the scenario's runs.
void check_questions(const Homework& h, const Scenario& s);

}  // namespace kiosim::homework
