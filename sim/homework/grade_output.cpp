#include "sim/homework/grade_output.h"

#include <fmt/format.h>

#include <filesystem>

namespace kiosim::homework {

namespace {

std::string name_of(const StudentGrade& g) {
  return g.student.empty() ? std::filesystem::path(g.file).stem().string() : g.student;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string num(double v) { return fmt::format("{:g}", v); }

std::string test_output(const QuestionGrade& q) {
  std::string given = q.given.empty() ? "none" : q.given;
  return fmt::format("{}. Your answer: {}; the simulator's: {}.", q.output, given, q.expected);
}

}  // namespace

void print_grades(std::ostream& out, const std::vector<StudentGrade>& grades) {
  for (const auto& g : grades) {
    out << fmt::format("{} ({}): {} of {} points\n", name_of(g), g.file, num(g.score), num(g.max_score));
    std::size_t w = 8;
    for (const auto& q : g.questions) w = std::max(w, q.id.size());
    out << fmt::format("  {:<{}} {:>7}  {:<12} {:<14} {}\n", "question", w, "score", "answer", "key", "");
    for (const auto& q : g.questions)
      out << fmt::format("  {:<{}} {:>7}  {:<12} {:<14} {}\n", q.id, w, num(q.score) + "/" + num(q.points),
                         q.given.empty() ? "-" : q.given, q.expected, q.output);
    out << "\n";
  }
}

nlohmann::ordered_json grades_json(const std::vector<StudentGrade>& grades) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& g : grades) {
    nlohmann::ordered_json s;
    s["student"] = name_of(g);
    s["file"] = g.file;
    s["score"] = g.score;
    s["max_score"] = g.max_score;
    s["messages"] = g.messages;
    for (const auto& q : g.questions)
      s["questions"].push_back({{"id", q.id}, {"score", q.score}, {"max_score", q.points}, {"answer", q.given},
                                {"key", q.expected}, {"output", q.output}});
    all.push_back(s);
  }
  return {{"grades", all}};
}

std::string grades_csv(const Homework& h, const std::vector<StudentGrade>& grades) {
  std::string out = "student,file";
  for (const auto& q : h.questions) out += "," + csv_field(q.id);
  out += ",score,max_score\n";
  for (const auto& g : grades) {
    out += csv_field(name_of(g)) + "," + csv_field(g.file);
    for (const auto& q : g.questions) out += "," + num(q.score);
    out += "," + num(g.score) + "," + num(g.max_score) + "\n";
  }
  return out;
}

nlohmann::ordered_json gradescope_results(const Homework& h, const StudentGrade& g) {
  nlohmann::ordered_json r;
  r["score"] = g.score;
  std::string messages;
  for (const auto& m : g.messages) messages += m + "\n";
  r["output"] = messages.empty() ? "Every question has an answer." : messages;
  r["tests"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < g.questions.size(); ++i) {
    const auto& q = g.questions[i];
    r["tests"].push_back({{"name", fmt::format("{}: {}", q.id, h.questions[i].ask)},
                          {"score", q.score},
                          {"max_score", q.points},
                          {"output", test_output(q)},
                          {"visibility", q.visibility}});
  }
  return r;
}

}  // namespace kiosim::homework
