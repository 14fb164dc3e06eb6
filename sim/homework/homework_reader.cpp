// read_homework: the `homework:` and `problem:` sections, checked key by key with the
// scenario loader's Reader (file:line, key path, did-you-mean).
#include <fmt/format.h>

#include <set>

#include "sim/homework/homework.h"
#include "sim/scenario/reader.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"
#include "sim/trace/schema.h"

namespace kiosim::homework {

namespace {

int line_of(const YAML::Node& n) { return n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::uint64_t read_size(const Reader& r, const YAML::Node& n, const std::string& p) { return r.size(n, p); }

ParamSpec read_param(const Reader& r, const std::string& name, const YAML::Node& n) {
  const std::string p = "homework.params." + name;
  r.keys(n, p, {"choose", "int", "size", "pow2", "step"});
  ParamSpec ps;
  ps.name = name;
  ps.line = line_of(n);
  auto range = [&](const char* key, bool sizes) {
    YAML::Node v = n[key];
    if (!v.IsSequence() || v.size() != 2) r.fail(v, p + "." + key, "expected [lowest, highest]");
    const std::string q = p + "." + key;
    ps.lo = sizes ? read_size(r, v[0], q + "[0]") : r.count(v[0], q + "[0]", 0, 1ULL << 40);
    ps.hi = sizes ? read_size(r, v[1], q + "[1]") : r.count(v[1], q + "[1]", 0, 1ULL << 40);
    if (ps.hi < ps.lo) r.fail(v, q, "the highest value is below the lowest");
  };
  if (n["choose"]) {
    YAML::Node c = n["choose"];
    if (!c.IsSequence() || c.size() == 0) r.fail(c, p + ".choose", "expected a list of values to choose from");
    for (std::size_t i = 0; i < c.size(); ++i) {
      const std::string q = fmt::format("{}.choose[{}]", p, i);
      if (!c[i].IsMap()) {
        ps.choices.push_back(r.scalar(c[i], q, "a value, or a map of values drawn together"));
        continue;
      }
      std::vector<std::pair<std::string, std::string>> row;
      for (const auto& kv : c[i]) row.emplace_back(kv.first.Scalar(), r.scalar(kv.second, q + "." + kv.first.Scalar(), "a value"));
      if (!ps.rows.empty() && row.size() != ps.rows[0].size())
        r.fail(c[i], q, "every map of a choose: has the same keys");
      for (std::size_t k = 0; !ps.rows.empty() && k < row.size(); ++k)
        if (row[k].first != ps.rows[0][k].first) r.fail(c[i], q, "every map of a choose: has the same keys, in the same order");
      ps.rows.push_back(row);
    }
    if (!ps.rows.empty() && !ps.choices.empty()) r.fail(c, p + ".choose", "a choose: lists values or maps, not both");
  } else if (n["int"]) {
    ps.kind = ParamSpec::Kind::integer;
    range("int", false);
  } else if (n["size"]) {
    ps.kind = ParamSpec::Kind::size;
    range("size", true);
    ps.step = n["step"] ? read_size(r, n["step"], p + ".step") : 4096;
    if (ps.step == 0 || ps.lo % ps.step || ps.hi % ps.step)
      r.fail(n, p, fmt::format("the range must be multiples of the step ({})", format_size(double(ps.step))));
  } else if (n["pow2"]) {
    ps.kind = ParamSpec::Kind::pow2;
    range("pow2", true);
    if (ps.lo == 0 || (ps.lo & (ps.lo - 1)) || (ps.hi & (ps.hi - 1)))
      r.fail(n["pow2"], p + ".pow2", "both ends must be powers of two");
  } else {
    r.fail(n, p, "a parameter is one of {choose: [...]}, {int: [lo, hi]}, {size: [lo, hi], step: S}, {pow2: [lo, hi]}");
  }
  return ps;
}

void check_counter(const Reader& r, const YAML::Node& n, const std::string& p, const Quantity& t);

Quantity quantity(const Reader& r, const YAML::Node& n, const std::string& p) {
  std::string text = r.scalar(n, p, "COUNTER or COUNTER@RUN or COUNTER@RUN/PROCESS");
  auto q = parse_quantity(text);
  if (!q) r.fail(n, p, fmt::format("expected COUNTER, COUNTER@RUN or COUNTER@RUN/PROCESS (or a sum a+b), found `{}`", text));
  std::vector<Quantity> terms{*q};
  terms.insert(terms.end(), q->plus.begin(), q->plus.end());
  for (const auto& t : terms) check_counter(r, n, p, t);
  return *q;
}

void check_counter(const Reader& r, const YAML::Node& n, const std::string& p, const Quantity& t) {
  const Quantity* q = &t;
  std::string top = q->counter.substr(0, q->counter.find('.'));
  if (!schema::counter_index(top)) {
    std::vector<std::string> names;
    for (const auto& c : schema::kCounters) names.emplace_back(c.name);
    r.fail(n, p, fmt::format("unknown counter `{}`", top) + did_you_mean(top, names));
  }
  if (top != q->counter && top != "time_breakdown_ns" && top != "syscalls_by_name")
    r.fail(n, p, fmt::format("`{}` has no parts (only time_breakdown_ns.X and syscalls_by_name.X do)", top));
}

// "5%" is relative, a number is absolute (in the answer's unit).
void tolerance(const Reader& r, const YAML::Node& n, const std::string& p, double& value, bool& relative) {
  std::string s = r.scalar(n, p, "a tolerance such as 5% or 0.01");
  relative = !s.empty() && s.back() == '%';
  try {
    std::size_t used = 0;
    value = std::stod(relative ? s.substr(0, s.size() - 1) : s, &used);
    if (used != s.size() - (relative ? 1 : 0) || value < 0) throw std::invalid_argument(s);
  } catch (const std::exception&) {
    r.fail(n, p, fmt::format("expected a tolerance such as 5% or 0.01, found `{}`", s));
  }
  if (relative) value /= 100;
}

AnswerSpec read_answer(const Reader& r, const YAML::Node& n, const std::string& p) {
  r.map(n, p);
  AnswerSpec a;
  using K = AnswerSpec::Kind;
  if (n["counter"]) {
    r.keys(n, p, {"counter", "tolerance"});
    a.value = quantity(r, n["counter"], p + ".counter");
  } else if (n["ratio"]) {
    r.keys(n, p, {"ratio", "per", "tolerance"}, {"per"});
    a.kind = K::ratio;
    a.value = quantity(r, n["ratio"], p + ".ratio");
    a.per = quantity(r, n["per"], p + ".per");
    a.tolerance = 0.01, a.tolerance_relative = true;
  } else if (n["time"]) {
    r.keys(n, p, {"time", "unit", "tolerance"});
    a.kind = K::time;
    a.value = quantity(r, n["time"], p + ".time");
    if (n["unit"]) a.unit = r.scalar(n["unit"], p + ".unit", "ns, us, ms or s");
    if (a.unit != "ns" && a.unit != "us" && a.unit != "ms" && a.unit != "s")
      r.fail(n["unit"], p + ".unit", fmt::format("expected ns, us, ms or s, found `{}`", a.unit));
    a.tolerance = 0.05, a.tolerance_relative = true;
  } else if (n["faster"]) {
    r.keys(n, p, {"faster", "by"});
    a.kind = K::faster;
    YAML::Node f = n["faster"];
    if (!f.IsSequence() || f.size() < 2) r.fail(f, p + ".faster", "expected a list of two or more runs");
    if (n["by"]) a.by = quantity(r, n["by"], p + ".by").counter;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const std::string q = fmt::format("{}.faster[{}]", p, i);
      a.runs.push_back(r.name(f[i], q));
      if (!parse_quantity(a.by + "@" + a.runs.back())) r.fail(f[i], q, "expected RUN or RUN/PROCESS");
    }
  } else if (n["yes_if"]) {
    r.keys(n, p, {"yes_if", "op", "than"}, {"than"});
    a.kind = K::yesno;
    a.value = quantity(r, n["yes_if"], p + ".yes_if");
    if (n["op"]) a.op = r.scalar(n["op"], p + ".op", "an operator");
    static const std::set<std::string> ops = {">", ">=", "<", "<=", "==", "!="};
    if (!ops.count(a.op)) r.fail(n["op"], p + ".op", fmt::format("expected one of > >= < <= == !=, found `{}`", a.op));
    std::string t = r.scalar(n["than"], p + ".than", "a number or a counter");
    try {
      std::size_t used = 0;
      a.than_value = std::stod(t, &used);
      if (used != t.size()) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      a.than = quantity(r, n["than"], p + ".than");
    }
  } else {
    r.fail(n, p, "an answer is one of counter:, ratio: (with per:), time:, faster: or yes_if: (with than:)");
  }
  if (n["tolerance"]) tolerance(r, n["tolerance"], p + ".tolerance", a.tolerance, a.tolerance_relative);
  return a;
}

Question read_question(const Reader& r, const YAML::Node& n, const std::string& p) {
  r.keys(n, p, {"id", "ask", "points", "answer", "partial", "visibility"}, {"id", "ask", "answer"});
  Question q;
  q.line = line_of(n);
  q.id = r.name(n["id"], p + ".id");
  if (q.id == "student" || q.id == "seed" || q.id.find_first_of(" :#") != std::string::npos)
    r.fail(n["id"], p + ".id", "an id is a word (not `student` or `seed`: answers files use those)");
  q.ask = r.str(n["ask"], p + ".ask");
  if (n["points"]) q.points = double(r.count(n["points"], p + ".points", 0, 1000));
  if (n["visibility"]) q.visibility = r.name(n["visibility"], p + ".visibility");
  q.answer = read_answer(r, n["answer"], p + ".answer");
  if (YAML::Node pa = n["partial"]) {
    if (!pa.IsSequence()) r.fail(pa, p + ".partial", "expected a list of {within: 10%, credit: 0.5}");
    for (std::size_t i = 0; i < pa.size(); ++i) {
      const std::string pp = fmt::format("{}.partial[{}]", p, i);
      r.keys(pa[i], pp, {"within", "credit"}, {"within", "credit"});
      PartialBand b;
      tolerance(r, pa[i]["within"], pp + ".within", b.within, b.relative);
      double c = 0;
      bool rel = false;
      tolerance(r, pa[i]["credit"], pp + ".credit", c, rel);
      b.credit = c;  // 50% and 0.5 say the same
      if (b.credit > 1) r.fail(pa[i]["credit"], pp + ".credit", "credit is a share of the points: 0 to 1 (or 0% to 100%)");
      q.partial.push_back(b);
    }
  }
  return q;
}

void read_problem(const Reader& r, const YAML::Node& n, Homework& h) {
  r.keys(n, "problem", {"template", "seed", "student", "params"}, {"template", "seed", "params"});
  h.is_problem = true;
  h.template_path = r.str(n["template"], "problem.template");
  h.seed = r.count(n["seed"], "problem.seed", 0, ~0ULL);
  if (n["student"]) h.student = r.str(n["student"], "problem.student");
  r.map(n["params"], "problem.params");
  for (const auto& kv : n["params"]) h.drawn.emplace_back(kv.first.Scalar(), kv.second.Scalar());
}

Homework read_homework_root(const YAML::Node& root, const std::string& path);

}  // namespace

std::optional<Quantity> parse_quantity(const std::string& text) {
  auto plus = text.find('+');
  if (plus != std::string::npos) {
    auto first = parse_quantity(text.substr(0, plus)), rest = parse_quantity(text.substr(plus + 1));
    if (!first || !rest) return std::nullopt;
    first->plus.push_back(*rest);
    for (auto& more : rest->plus) first->plus.push_back(more);
    first->plus[0].plus.clear();
    first->text = text;
    return first;
  }
  Quantity q;
  q.text = text;
  auto at = text.find('@');
  q.counter = text.substr(0, at);
  if (at != std::string::npos) {
    std::string rest = text.substr(at + 1);
    auto close = rest.rfind(']');
    auto slash = rest.find('/', close == std::string::npos ? 0 : close);
    q.run = rest.substr(0, slash);
    if (slash != std::string::npos) q.process = rest.substr(slash + 1);
    if (q.run.empty() || (slash != std::string::npos && q.process.empty())) return std::nullopt;
  }
  if (q.counter.empty() || q.counter.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") != std::string::npos)
    return std::nullopt;
  return q;
}

bool is_homework_file(const std::string& path) {
  try {
    YAML::Node root = parse_file(path);
    return root.IsMap() && root["homework"];
  } catch (const std::exception&) {
    return false;  // the scenario loader will say what is wrong
  }
}

Homework read_homework(const std::string& path) { return read_homework_root(parse_file(path), path); }

Homework read_homework_text(const std::string& text, const std::string& path) {
  return read_homework_root(parse_text(text, path), path);
}

namespace {
Homework read_homework_root(const YAML::Node& root, const std::string& path) {
  Reader r(path);
  if (!root.IsMap() || !root["homework"])
    r.fail(root, "homework", "not a homework file: a template or problem has a `homework:` section (course/README.md)");
  Homework h;
  h.path = path;
  if (root["title"]) h.title = r.str(root["title"], "title");
  YAML::Node hw = root["homework"];
  r.keys(hw, "homework", {"params", "questions"}, {"questions"});
  if (YAML::Node ps = hw["params"]) {
    r.map(ps, "homework.params");
    for (const auto& kv : ps) h.params.push_back(read_param(r, kv.first.Scalar(), kv.second));
  }
  YAML::Node qs = hw["questions"];
  if (!qs.IsSequence() || qs.size() == 0) r.fail(qs, "homework.questions", "expected a list of questions");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < qs.size(); ++i) {
    Question q = read_question(r, qs[i], fmt::format("homework.questions[{}]", i));
    if (!ids.insert(q.id).second) r.fail(qs[i]["id"], fmt::format("homework.questions[{}].id", i), fmt::format("a second question `{}`", q.id));
    h.questions.push_back(q);
  }
  if (YAML::Node pr = root["problem"]) read_problem(r, pr, h);
  return h;
}

}  // namespace

}  // namespace kiosim::homework
