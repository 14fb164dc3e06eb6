#include "sim/homework/problem.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

namespace kiosim::homework {

namespace {

std::string draw_one(const ParamSpec& p, SplitMix64& rng) {
  using K = ParamSpec::Kind;
  switch (p.kind) {
    case K::choose: return p.choices[rng.below(p.choices.size())];
    case K::integer: return std::to_string(p.lo + rng.below(p.hi - p.lo + 1));
    case K::size: return format_size(double(p.lo + p.step * rng.below((p.hi - p.lo) / p.step + 1)));
    case K::pow2: {
      int lo = 0, hi = 0;
      while ((1ULL << lo) < p.lo) ++lo;
      while ((1ULL << hi) < p.hi) ++hi;
      return format_size(double(1ULL << (lo + int(rng.below(std::uint64_t(hi - lo + 1))))));
    }
  }
  return {};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> draw(const ParamSpec& p, SplitMix64& rng) {
  if (p.rows.empty()) return {{p.name, draw_one(p, rng)}};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : p.rows[rng.below(p.rows.size())]) out.emplace_back(p.name + "." + k, v);
  return out;
}

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "", "cannot open the file (does it exist, and may you read it?)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `${name}` -> its value, line by line (values hold no newline, so lines stay put).
std::string substitute(const std::string& text, const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<std::string> names;
  for (const auto& [n, _] : values) names.push_back(n);
  std::string out;
  int line = 1;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "${") != 0) {
      line += text[i] == '\n';
      out += text[i++];
      continue;
    }
    auto close = text.find('}', i);
    std::string name = text.substr(i + 2, close == std::string::npos ? 0 : close - i - 2);
    auto it = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
    if (close == std::string::npos || it == values.end())
      throw InputError(path, line, 0, "", fmt::format("`${{{}}}` is not a parameter of `homework.params`", name) +
                                              did_you_mean(name, names, expected_one_of(names)));
    out += it->second;
    i = close + 1;
  }
  return out;
}

std::string problem_section(const std::string& template_path, std::uint64_t seed, const std::string& student,
                            const std::vector<std::pair<std::string, std::string>>& values) {
  std::string cmd = student.empty() ? fmt::format("--seed {}", seed) : fmt::format("--student {}", student);
  std::string s = fmt::format("\n# made by: kiosim homework new {} {}\nproblem:\n  template: {}\n  seed: {}\n",
                              template_path, cmd, template_path, seed);
  if (!student.empty()) s += fmt::format("  student: \"{}\"\n", student);
  s += "  params:\n";
  for (const auto& [n, v] : values) s += fmt::format("    {}: {}\n", n, v);
  return s;
}

// The children a program's `fork` ops start (processes of the run too).
void forked_names(const std::vector<Op>& ops, std::vector<std::string>& out) {
  for (const auto& op : ops) {
    if (op.kind == OpKind::fork) out.push_back(op.as);
    forked_names(op.body, out);
  }
}

}  // namespace

void check_questions(const Homework& h, const Scenario& s) {
  auto runs = s.runs();
  std::vector<std::string> names;
  for (const auto& r : runs) names.push_back(r.name);
  auto check_run = [&](const Question& q, const std::string& run, const std::string& process) {
    if (run.empty() && runs.size() != 1)
      throw InputError(h.path, q.line, 0, q.id,
                       fmt::format("the scenario has {} runs: name one, as COUNTER@RUN (runs: {})", runs.size(),
                                   fmt::join(names, ", ")));
    const RunSpec* spec = run.empty() ? &runs[0] : nullptr;
    for (const auto& r : runs)
      if (r.name == run) spec = &r;
    if (!spec)
      throw InputError(h.path, q.line, 0, q.id,
                       fmt::format("no run `{}`", run) + did_you_mean(run, names, expected_one_of(names)));
    if (process.empty()) return;
    std::vector<std::string> procs;
    for (const auto& p : spec->processes) {
      procs.push_back(p.name);
      forked_names(p.program.body, procs);
    }
    if (std::find(procs.begin(), procs.end(), process) == procs.end())
      throw InputError(h.path, q.line, 0, q.id,
                       fmt::format("run `{}` has no process `{}`", spec->name, process) + did_you_mean(process, procs, expected_one_of(procs)));
  };
  for (const auto& q : h.questions) {
    const auto& a = q.answer;
    if (a.kind == AnswerSpec::Kind::faster) {
      for (const auto& r : a.runs) {
        auto x = parse_quantity(a.by + "@" + r);
        check_run(q, x->run, x->process);
      }
      continue;
    }
    auto check_terms = [&](const Quantity& x) {
      check_run(q, x.run, x.process);
      for (const auto& t : x.plus) check_run(q, t.run, t.process);
    };
    check_terms(a.value);
    if (a.per) check_terms(*a.per);
    if (a.than) check_terms(*a.than);
  }
}

std::string make_problem(const std::string& template_path, std::uint64_t seed, const std::string& student) {
  Homework h = read_homework(template_path);
  if (h.is_problem)
    throw InputError(template_path, 0, 0, "problem",
                     "this is a problem already (it has a `problem:` section); `homework new` takes a template");
  SplitMix64 rng(seed);
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& p : h.params)
    for (auto& v : draw(p, rng)) values.push_back(std::move(v));
  std::string text = read_text(template_path);
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::string problem = substitute(text, template_path, values) + problem_section(template_path, seed, student, values);
  Scenario s = load_scenario_text(problem, template_path);
  check_questions(read_homework_text(problem, template_path), s);
  return problem;
}

}  // namespace kiosim::homework
