// What `homework grade` writes: a table per student, JSON, a class CSV (one row per
// student, one column per question) and Gradescope's results.json.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/homework/grade.h"

namespace kiosim::homework {

void print_grades(std::ostream& out, const std::vector<StudentGrade>& grades);
nlohmann::ordered_json grades_json(const std::vector<StudentGrade>& grades);
std::string grades_csv(const Homework& h, const std::vector<StudentGrade>& grades);
// https://gradescope-autograders.readthedocs.io/en/latest/specs/: top-level `score`,
// `output`, and `tests[]` with name, score, max_score, output, visibility.
nlohmann::ordered_json gradescope_results(const Homework& h, const StudentGrade& g);

}  // namespace kiosim::homework
