#include "sim/homework/grade.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/scenario/reader.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

namespace kiosim::homework {

namespace {

using K = AnswerSpec::Kind;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// A number as people write it: 1,024 or 1_024 or 1.5e3.
std::optional<double> number(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ',' || c == '_' || c == ' '; }), s.end());
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A time: `181.2us`, `181.2 us`, `0.18ms`, or a bare number in the question's unit.
std::optional<double> time_in(const std::string& s, const std::string& unit) {
  if (auto v = number(s)) return *v;
  std::string t = s;
  t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
  if (auto ns = parse_time_ns(t)) return in_unit(*ns, unit);
  return std::nullopt;
}

std::string expected_form(const Question& q) {
  switch (q.answer.kind) {
    case K::counter: return "a whole number (a counter)";
    case K::ratio: return "a number (a ratio)";
    case K::time: return fmt::format("a time such as 12.5{} (a bare number is in {})", q.answer.unit, q.answer.unit);
    case K::faster: return fmt::format("one of {}", fmt::join(q.answer.runs, ", ")) + " (or tie)";
    case K::yesno: return "yes or no";
  }
  return {};
}

bool within(double given, double key, double tol, bool relative) {
  return std::fabs(given - key) <= (relative ? tol * std::fabs(key) : tol) + 1e-12 * std::fabs(key);
}

// The credit (0 to 1) of a parsed numeric answer: tolerance, then the partial bands.
double numeric_credit(const Question& q, double given, double key, std::string& output) {
  const AnswerSpec& a = q.answer;
  if (within(given, key, a.tolerance, a.tolerance_relative)) {
    output = "right";
    return 1.0;
  }
  for (const auto& b : q.partial)
    if (within(given, key, b.within, b.relative)) {
      output = fmt::format("close: {}% of the points", b.credit * 100);
      return b.credit;
    }
  output = "wrong";
  return 0;
}

// Grades one answer: its credit, 0 to 1, or -1 when it is malformed.
double credit(const Question& q, const KeyAnswer& k, const std::string& given, std::string& output) {
  std::optional<double> v;
  switch (q.answer.kind) {
    case K::counter:
      v = number(given);
      if (v && (*v != std::floor(*v) || *v < 0)) v.reset();
      break;
    case K::ratio: v = number(given); break;
    case K::time: v = time_in(given, q.answer.unit); break;
    case K::faster: {  // a run's name; RUN/PROCESS may be answered as RUN
      auto run_part = [](const std::string& x) { return x.substr(0, x.find('/')); };
      std::string g = given == "tie" ? given : "";
      for (const auto& r : q.answer.runs)
        if (given == r || given == run_part(r)) g = r;
      if (g.empty()) return -1;
      output = g == k.text ? "right" : "wrong";
      return g == k.text ? 1 : 0;
    }
    case K::yesno: {
      std::string g = lower(given);
      bool yes = g == "yes" || g == "y" || g == "true", no = g == "no" || g == "n" || g == "false";
      if (!yes && !no) return -1;
      output = std::string(yes ? "yes" : "no") == k.text ? "right" : "wrong";
      return output == "right" ? 1 : 0;
    }
  }
  if (!v) return -1;
  return numeric_credit(q, *v, k.number, output);
}

int line_of(const YAML::Node& n) { return n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string at(const std::string& file, int line) { return line > 0 ? fmt::format("{}:{}", file, line) : file; }

}  // namespace

std::string answers_student(const std::string& answers_path, std::string& seed) {
  try {
    YAML::Node root = parse_file(answers_path);
    if (!root.IsMap()) return {};
    if (root["seed"] && root["seed"].IsScalar()) seed = root["seed"].Scalar();
    return root["student"] && root["student"].IsScalar() ? root["student"].Scalar() : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

StudentGrade grade_answers(const Homework& h, const std::vector<KeyAnswer>& key, const std::string& path) {
  StudentGrade g;
  g.file = path;
  YAML::Node root;
  try {
    root = parse_file(path);
    if (!root.IsMap()) {
      g.messages.push_back(fmt::format("{}: error: an answers file is a map, one answer per question id (`{}: 42`), found {}",
                                       at(path, line_of(root)), h.questions[0].id, kind_of(root)));
      root = YAML::Node(YAML::NodeType::Map);
    }
  } catch (const InputError& e) {
    g.messages.push_back(e.what());
    root = YAML::Node(YAML::NodeType::Map);
  }
  std::vector<std::string> ids;
  for (const auto& q : h.questions) ids.push_back(q.id);
  for (const auto& kv : root) {
    std::string id = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (id == "student" || id == "seed" || std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
    g.messages.push_back(fmt::format("{}: error: `{}` is not a question of this homework", at(path, line_of(kv.first)), id) +
                         did_you_mean(id, ids, expected_one_of(ids)));
  }
  if (root["student"] && root["student"].IsScalar()) g.student = root["student"].Scalar();
  for (std::size_t i = 0; i < h.questions.size(); ++i) {
    const Question& q = h.questions[i];
    QuestionGrade qg{q.id, q.points, 0, "", key[i].text, "", q.visibility};
    g.max_score += q.points;
    YAML::Node a = root[q.id];
    if (!a) {
      qg.output = "no answer";
      g.messages.push_back(fmt::format("{}: error: question `{}`: no answer (0 of {} points)", path, q.id, q.points));
    } else if (!a.IsScalar()) {
      qg.output = "malformed";
      g.messages.push_back(fmt::format("{}: error: question `{}`: expected {}, found {}", at(path, line_of(a)), q.id,
                                       expected_form(q), kind_of(a)));
    } else {
      qg.given = a.Scalar();
      double c = credit(q, key[i], qg.given, qg.output);
      if (c < 0) {
        qg.output = fmt::format("malformed: expected {}", expected_form(q));
        g.messages.push_back(fmt::format("{}: error: question `{}`: expected {}, found `{}`", at(path, line_of(a)),
                                         q.id, expected_form(q), qg.given));
        c = 0;
      }
      qg.score = q.points * c;
    }
    g.score += qg.score;
    g.questions.push_back(qg);
  }
  return g;
}

}  // namespace kiosim::homework
