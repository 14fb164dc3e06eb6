// kiosim homework new | key | grade (issue 15; course/README.md): problems from a
// template and a seed, the answer key from the simulator, grades for a class.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <regex>

#include "sim/cli/commands.h"
#include "sim/homework/answer_key.h"
#include "sim/homework/grade.h"
#include "sim/homework/grade_output.h"
#include "sim/homework/problem.h"
#include "sim/homework/rng.h"
#include "sim/report/report.h"

namespace kiosim::cli {

namespace {

using namespace kiosim::homework;

struct Options {
  std::string file, out, csv, gradescope, student;
  std::vector<std::string> answers;
  std::uint64_t seed = 0;
  bool json = false;
  unsigned jobs = 0;
};

void write_or_print(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") std::cout << text;
  else write_file_atomically(path, text);
}

// A value as YAML: numbers bare, the rest quoted (run names hold brackets).
std::string yaml_value(const std::string& s) {
  static const std::regex plain(R"(-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?([a-z]+)?|yes|no|tie)");
  if (std::regex_match(s, plain)) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return q + "\"";
}

int cmd_new(const Options& o) {
  if (!o.student.empty() && !std::regex_match(o.student, std::regex(R"([A-Za-z0-9._@+-]{1,100})")))
    throw InputError("command line", 0, 0, "--student",
                     fmt::format("a student id is 1 to 100 letters, digits and ._@+- , found `{}`", o.student));
  std::uint64_t seed = o.student.empty() ? o.seed : fnv1a64(o.student);
  std::string problem = make_problem(o.file, seed, o.student);
  write_or_print(o.out, problem);
  if (!o.out.empty() && o.out != "-") {
    Homework h = read_homework_text(problem, o.file);
    std::cout << fmt::format("wrote {}: {} with seed {}", o.out, o.file, seed);
    for (const auto& [n, v] : h.drawn) std::cout << fmt::format(", {} = {}", n, v);
    std::cout << fmt::format("\nsee the problem with `kiosim run {}`\n", o.out);
  }
  return 0;
}

std::string key_yaml(const Homework& h, const std::vector<KeyAnswer>& key) {
  std::string out = fmt::format("# answer key of {} (template {}, seed {}), computed by the simulator\n", h.path,
                                h.template_path, h.seed);
  if (!h.student.empty()) out += fmt::format("student: {}\n", yaml_value(h.student));
  for (const auto& k : key) {
    out += "\n";
    for (const auto& line : k.reasoning) out += "# " + line + "\n";
    out += fmt::format("{}: {}\n", k.id, yaml_value(k.text));
  }
  return out;
}

int cmd_key(const Options& o) {
  Homework h = read_homework(o.file);
  if (!h.is_problem)
    throw InputError(o.file, 0, 0, "problem", "a key is for a problem: make one with `kiosim homework new TEMPLATE --seed N`");
  auto key = compute_key(h, load_scenario(o.file), o.jobs);
  if (o.json) {
    nlohmann::ordered_json doc;
    for (const auto& k : key) doc[k.id] = {{"answer", k.text}, {"reasoning", k.reasoning}};
    write_or_print(o.out, doc.dump(2) + "\n");
  } else {
    write_or_print(o.out, key_yaml(h, key));
  }
  return 0;
}

// The problem an answers file is graded against: FILE itself, or (FILE a template) the
// one its `student:` or `seed:` makes.
struct Graded {
  Homework h;
  std::vector<KeyAnswer> key;
};

const Graded& problem_for(const Options& o, const Homework& file_hw, const std::string& answers,
                          std::map<std::uint64_t, Graded>& cache, std::string& note) {
  std::uint64_t seed = file_hw.seed;
  std::string student;
  if (!file_hw.is_problem) {
    std::string seed_text;
    student = answers_student(answers, seed_text);
    if (!student.empty()) seed = fnv1a64(student);
    else if (!seed_text.empty() && seed_text.find_first_not_of("0123456789") == std::string::npos) seed = std::stoull(seed_text);
    else note = fmt::format("{}: error: grading against the template {} needs `student: ID` or `seed: N` in the answers file; "
                            "graded against seed 0", answers, o.file);
  }
  auto it = cache.find(seed);
  if (it != cache.end()) return it->second;
  Graded g;
  if (file_hw.is_problem) {
    g.h = file_hw;
    g.key = compute_key(g.h, load_scenario(o.file), o.jobs);
  } else {
    std::string text = make_problem(o.file, seed, student);
    g.h = read_homework_text(text, o.file);
    g.key = compute_key(g.h, load_scenario_text(text, o.file), o.jobs);
  }
  return cache.emplace(seed, std::move(g)).first->second;
}

int cmd_grade(const Options& o) {
  if (!o.gradescope.empty() && o.answers.size() != 1)
    throw InputError("command line", 0, 0, "--gradescope",
                     fmt::format("Gradescope's results.json is for one submission: give one answers file, not {}", o.answers.size()));
  Homework file_hw = read_homework(o.file);
  std::map<std::uint64_t, Graded> cache;
  std::vector<StudentGrade> grades;
  for (const auto& a : o.answers) {
    std::string note;
    const Graded& p = problem_for(o, file_hw, a, cache, note);
    grades.push_back(grade_answers(p.h, p.key, a));
    if (!note.empty()) grades.back().messages.insert(grades.back().messages.begin(), note);
    for (const auto& m : grades.back().messages) std::cerr << m << "\n";
  }
  if (!o.csv.empty()) write_file_atomically(o.csv, grades_csv(file_hw, grades));
  if (!o.gradescope.empty()) write_file_atomically(o.gradescope, gradescope_results(cache.begin()->second.h, grades[0]).dump(2) + "\n");
  if (o.json) std::cout << grades_json(grades).dump(2) << "\n";
  else print_grades(std::cout, grades);
  return 0;
}

}  // namespace

Action add_homework(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto* hw = app.add_subcommand("homework", "homework: make a problem from a template, its answer key, grade answers");
  hw->require_subcommand(1);
  hw->footer("Walk-through: course/README.md. Templates: course/NN-*/homework.yaml.");
  static std::string which;  // the sub-subcommand CLI11 parsed

  auto* n = hw->add_subcommand("new", "a student's problem: the template with parameters drawn from a seed");
  n->add_option("TEMPLATE", o->file, "homework template (course/NN-*/homework.yaml)")->required()->check(CLI::ExistingFile);
  auto* seed = n->add_option("--seed", o->seed, "the seed that draws the parameters (SplitMix64)");
  auto* student = n->add_option("--student", o->student, "a student id; its FNV-1a hash is the seed");
  seed->excludes(student);
  n->add_option("-o,--output", o->out, "write the problem here (default: standard output)")->type_name("FILE");
  n->callback([o, seed, student] {
    if (seed->count() + student->count() == 0) throw CLI::RequiredError("--seed or --student");
    which = "new";
  });

  auto* k = hw->add_subcommand("key", "the machine-readable answer key of a problem, computed by the simulator");
  k->add_option("FILE", o->file, "problem file (from homework new)")->required()->check(CLI::ExistingFile);
  k->add_option("-o,--output", o->out, "write the key here (default: standard output)")->type_name("FILE");
  k->add_flag("--json", o->json, "JSON instead of YAML");
  k->add_option("-j,--jobs", o->jobs, "simulations at once")->check(CLI::Range(1, 256));
  k->callback([] { which = "key"; });

  auto* g = hw->add_subcommand("grade", "mark answers files question by question");
  g->add_option("FILE", o->file, "the problem (or the template, when each answers file names its student)")
      ->required()->check(CLI::ExistingFile);
  g->add_option("ANSWERS", o->answers, "answers files (YAML, one answer per question id)")->required();
  g->add_flag("--json", o->json, "print JSON instead of tables");
  g->add_option("--csv", o->csv, "write one row per student, one column per question")->type_name("FILE");
  g->add_option("--gradescope", o->gradescope, "write Gradescope's results.json (one answers file)")->type_name("FILE");
  g->add_option("-j,--jobs", o->jobs, "simulations at once")->check(CLI::Range(1, 256));
  g->callback([] { which = "grade"; });

  return [o] {
    if (which == "new") return cmd_new(*o);
    if (which == "key") return cmd_key(*o);
    return cmd_grade(*o);
  };
}

}  // namespace kiosim::cli
