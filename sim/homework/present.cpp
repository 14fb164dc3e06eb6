#include "sim/homework/present.h"

#include <fmt/format.h>

#include "sim/homework/answer_key.h"
#include "sim/scenario/scenario.h"

namespace kiosim::homework {

namespace {

void print_options(std::ostream& out, const Homework& h, const Scenario& s) {
  out << fmt::format("ARG command   run\nARG problem   {}\nARG template  {}\nARG seed      {}\n", h.path, h.template_path, h.seed);
  if (!h.student.empty()) out << fmt::format("ARG student   {}\n", h.student);
  for (const auto& [n, v] : h.drawn) out << fmt::format("ARG param     {} = {}\n", n, v);
  out << fmt::format("ARG machine   {}\n", s.machine_name);
  if (!s.title.empty()) out << fmt::format("\n{}\n", s.title);
  if (!s.description.empty()) out << s.description << (s.description.back() == '\n' ? "" : "\n");
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace

void require_problem(const std::string& path) {
  if (!read_homework(path).is_problem)
    throw InputError(path, 0, 0, "homework",
                     fmt::format("this is a homework template: make a problem first, e.g. `kiosim homework new {} "
                                 "--seed 1 -o problem.yaml`",
                                 path));
}

int run_problem(std::ostream& out, const std::string& path, bool answers, bool json, unsigned jobs) {
  require_problem(path);
  Homework h = read_homework(path);
  Scenario s = load_scenario(path);
  std::vector<KeyAnswer> key;
  if (answers) key = compute_key(h, s, jobs);
  if (json) {
    nlohmann::ordered_json doc;
    doc["problem"] = path;
    doc["template"] = h.template_path;
    doc["seed"] = h.seed;
    for (const auto& [n, v] : h.drawn) doc["params"][n] = v;
    for (std::size_t i = 0; i < h.questions.size(); ++i) {
      nlohmann::ordered_json q{{"id", h.questions[i].id}, {"points", h.questions[i].points}, {"ask", h.questions[i].ask}};
      if (answers) q["answer"] = key[i].text, q["reasoning"] = key[i].reasoning;
      doc["questions"].push_back(q);
    }
    out << doc.dump(2) << "\n";
    return 0;
  }
  print_options(out, h, s);
  for (std::size_t i = 0; i < h.questions.size(); ++i) {
    const Question& q = h.questions[i];
    out << fmt::format("\nQ{} [{}, {:g} point{}]\n{}\n", i + 1, q.id, q.points, q.points == 1 ? "" : "s", indent(q.ask, "  "));
    if (!answers) continue;
    out << fmt::format("  answer: {}\n", key[i].text);
    for (const auto& line : key[i].reasoning) out << "    " << line << "\n";
  }
  if (!answers)
    out << fmt::format("\nWrite your answers in a YAML file, one per question id (`{}: ...`), then check them with\n"
                       "`kiosim run {} -c` or grade them with `kiosim homework grade {} ANSWERS.yaml`.\n",
                       h.questions[0].id, path, path);
  return 0;
}

}  // namespace kiosim::homework
