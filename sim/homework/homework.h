// Homework (issue 15, COURSE.md): a template is a scenario with `${name}` placeholders
// and a `homework:` section (params drawn from ranges by a seed, questions); a problem is
// the template with the drawn values put in and a `problem:` section (template, seed,
// student, params) appended, so its lines are the template's. The answers always come
// from the simulator (answer_key.h); grading marks an answers file (grade.h).
// sim/homework/ owns templates, problems, keys and grading; it calls sim/scenario,
// sim/run and sim/trace.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiosim::homework {

// One parameter's range: `choose: [a, b]` (or a list of maps, values that go together), `int: [lo, hi]`, `size: [lo, hi]` (with
// `step:`, default 4KiB) or `pow2: [lo, hi]` (powers of two).
struct ParamSpec {
  std::string name;
  enum class Kind { choose, integer, size, pow2 } kind = Kind::choose;
  std::vector<std::string> choices;      // choose: scalars
  // choose: maps, drawn together (a row); its values are named NAME.KEY
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  std::uint64_t lo = 0, hi = 0, step = 1;  // integer, size, pow2
  int line = 0;
};

// A number the run gives: COUNTER[@RUN[/PROCESS]]; COUNTER may be nested
// (time_breakdown_ns.disk, syscalls_by_name.read). `a+b` is a sum (the terms in `plus`).
struct Quantity {
  std::string text;  // as written
  std::string counter, run, process;
  std::vector<Quantity> plus;
};

// What a question's answer is, and how close an answer must be.
struct AnswerSpec {
  enum class Kind { counter, ratio, time, faster, yesno } kind = Kind::counter;
  Quantity value;                  // counter, time: the value; ratio: the numerator; yesno: the left side
  std::optional<Quantity> per;     // ratio: the denominator
  std::string unit = "us";         // time: the unit answers are written in (ns, us, ms, s)
  std::vector<std::string> runs;   // faster: the candidates
  std::string by = "sim_time_ns";  // faster: the smaller wins
  std::string op = ">";            // yesno: >, >=, <, <=, ==, !=
  std::optional<Quantity> than;    // yesno: the right side (or than_value)
  double than_value = 0;
  double tolerance = 0;            // relative when tolerance_relative, else absolute (in the answer's unit)
  bool tolerance_relative = false;
};

struct PartialBand {  // an answer this close (but not within the tolerance) gets `credit` of the points
  double within = 0;
  bool relative = false;
  double credit = 0;
};

struct Question {
  std::string id, ask;
  double points = 1;
  std::string visibility = "visible";  // Gradescope: visible, hidden, after_due_date, after_published
  AnswerSpec answer;
  std::vector<PartialBand> partial;
  int line = 0;
};

struct Homework {
  std::string path;  // the file read (template or problem)
  std::string title;
  std::vector<ParamSpec> params;
  std::vector<Question> questions;
  bool is_problem = false;  // a `problem:` section is there
  // problem: what made it
  std::string template_path, student;
  std::uint64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> drawn;  // name, value, in template order
};

// Reads the `homework:` (and `problem:`) sections of a template or problem file.
// InputError (file:line, key) on any problem. A file without `homework:` is an error.
Homework read_homework(const std::string& path);
// The same for text made in memory (homework new), reported as `path`.
Homework read_homework_text(const std::string& text, const std::string& path);
// True when the file's top level has a `homework:` key (run uses it to tell).
bool is_homework_file(const std::string& path);

// Parses COUNTER[@RUN[/PROCESS]][+...]; nullopt when malformed.
std::optional<Quantity> parse_quantity(const std::string& text);

}  // namespace kiosim::homework
