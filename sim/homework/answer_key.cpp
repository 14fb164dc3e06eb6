#include "sim/homework/answer_key.h"

#include <fmt/format.h>

#include <map>

#include "sim/run/run.h"
#include "sim/trace/schema.h"

namespace kiosim::homework {

double in_unit(double ns, const std::string& unit) {
  if (unit == "us") return ns / 1e3;
  if (unit == "ms") return ns / 1e6;
  if (unit == "s") return ns / 1e9;
  return ns;
}

namespace {

using Json = nlohmann::ordered_json;

const Json& run_of(const std::vector<Json>& results, const std::string& name) {
  if (name.empty()) return results.at(0);  // check_questions: a scenario of one run
  for (const auto& r : results)
    if (r["name"] == name) return r;
  throw std::logic_error("homework: no run " + name);  // check_questions ran first
}

const Json& counters_of(const Json& run, const std::string& process) {
  if (process.empty()) return run["counters"];
  std::vector<std::string> names;
  for (const auto& p : run["processes"]) {
    if (p["name"] == process) return p["counters"];
    names.push_back(p["name"]);
  }
  // check_questions knew the name (a fork's child that the run never started, say)
  throw InputError("homework", 0, 0, process,
                   fmt::format("run `{}` had no process `{}` (processes: {})", run["name"].get<std::string>(), process,
                               fmt::join(names, ", ")));
}

double term_of(const std::vector<Json>& results, const Quantity& q) {
  const Json* c = &counters_of(run_of(results, q.run), q.process);
  std::string path = q.counter;
  for (std::size_t dot; (dot = path.find('.')) != std::string::npos; path = path.substr(dot + 1)) {
    c = &(*c)[path.substr(0, dot)];
  }
  return c->contains(path) ? (*c)[path].get<double>() : 0.0;  // a syscall the run never made: 0
}

double value_of(const std::vector<Json>& results, const Quantity& q) {
  double v = term_of(results, q);
  for (const auto& t : q.plus) v += term_of(results, t);
  return v;
}

// Whether an event's lane belongs to the process (lanes are named after threads: p or p/0).
bool on_process(const Json& run, const Json& e, const std::string& process) {
  if (process.empty()) return true;
  std::string lane = run["lanes"][e["lane"].get<std::size_t>()]["name"];
  return lane == process || lane.rfind(process + "/", 0) == 0;
}

// "+1 per `syscall_enter`: 16 events (read 8, write 8)", one line per rule of the counter.
std::vector<std::string> events_behind(const Json& run, const Quantity& q) {
  std::vector<std::string> out;
  auto ci = schema::counter_index(q.counter);
  if (!ci) return out;
  const auto& info = schema::kCounters[*ci];
  if (info.source == schema::Source::final_only) {
    out.push_back(fmt::format("{}: {} (known at the end of the run; no event carries it)", q.counter, info.meaning));
    return out;
  }
  if (!run.contains("events")) return out;
  std::vector<std::string> lanes;
  for (const auto& l : run["lanes"]) lanes.push_back(l["name"]);
  for (const auto& rule : schema::kRules) {
    if (rule.counter != q.counter) continue;
    std::uint64_t n = 0, total = 0;
    std::map<std::string, std::uint64_t> by_name;
    for (const auto& e : run["events"]) {
      auto kind = schema::kind_named(e["kind"].get<std::string>());
      if (!kind || !on_process(run, e, q.process)) continue;
      std::string name = e.value("name", std::string());
      schema::EventView v{*kind, e.value("pages", std::uint64_t(0)), e.value("bytes", std::uint64_t(0)),
                          e.value("user_mode", false), lanes[e["lane"].get<std::size_t>()], name};
      if (!schema::matches(rule, v)) continue;
      ++n;
      total += schema::amount(rule, v);
      if (!name.empty()) ++by_name[name];
    }
    std::string names;
    if (!by_name.empty() && by_name.size() <= 6)
      for (const auto& [k, c] : by_name) names += fmt::format("{}{} {}", names.empty() ? " (" : ", ", k, c);
    if (!names.empty()) names += ")";
    out.push_back(fmt::format("{} {} event(s){} give {}", n, schema::kind_info(rule.kind).name, names, total));
  }
  out.insert(out.begin(), fmt::format("{} by the rules: {}", q.counter, schema::how_determined(q.counter)));
  return out;
}

std::string where(const Quantity& q) {
  std::string s = q.run.empty() ? "the run" : "`" + q.run + "`";
  return q.process.empty() ? s : s + ", process `" + q.process + "`";
}

KeyAnswer answer(const Question& q, const std::vector<Json>& results) {
  using K = AnswerSpec::Kind;
  const AnswerSpec& a = q.answer;
  KeyAnswer k;
  k.id = q.id;
  auto explain = [&](const Quantity& x) {
    std::vector<Quantity> terms{x};
    terms.insert(terms.end(), x.plus.begin(), x.plus.end());
    for (const auto& t : terms) {
      k.reasoning.push_back(fmt::format("{} of {}: {}", t.counter, where(t), term_of(results, t)));
      for (auto& l : events_behind(run_of(results, t.run), t)) k.reasoning.push_back("  " + l);
    }
    double v = value_of(results, x);
    if (terms.size() > 1) k.reasoning.push_back(fmt::format("sum: {}", v));
    return v;
  };
  switch (a.kind) {
    case K::counter:
      k.number = explain(a.value);
      k.text = fmt::format("{}", std::uint64_t(k.number));
      break;
    case K::ratio: {
      double num = explain(a.value), den = explain(*a.per);
      k.number = den == 0 ? 0 : num / den;
      k.text = fmt::format("{:.6g}", k.number);
      k.reasoning.push_back(fmt::format("{} / {} = {}", num, den, k.text));
      break;
    }
    case K::time: {
      double ns = value_of(results, a.value);
      k.number = in_unit(ns, a.unit);
      k.text = fmt::format("{:.6g}{}", k.number, a.unit);
      k.reasoning.push_back(fmt::format("{} of {}: {} ns", a.value.counter, where(a.value), ns));
      const Json& run = run_of(results, a.value.run);
      std::string parts;
      for (const auto& [cat, v] : counters_of(run, a.value.process)["time_breakdown_ns"].items())
        if (v.get<double>() > 0) parts += fmt::format("{}{} {:.1f} us", parts.empty() ? "" : ", ", cat, v.get<double>() / 1e3);
      k.reasoning.push_back("where the threads' time went: " + parts);
      break;
    }
    case K::faster: {
      double best = 0;
      std::string winner;
      for (const auto& r : a.runs) {
        Quantity x = *parse_quantity(a.by + "@" + r);  // r: RUN or RUN/PROCESS (checked by the reader)
        double v = value_of(results, x);
        k.reasoning.push_back(fmt::format("{} of `{}`: {}", a.by, r, v));
        if (winner.empty() || v < best) best = v, winner = r;
        else if (v == best) winner = "tie";
      }
      k.text = winner;
      break;
    }
    case K::yesno: {
      double l = explain(a.value), r = a.than ? explain(*a.than) : a.than_value;
      bool yes = a.op == ">" ? l > r : a.op == ">=" ? l >= r : a.op == "<" ? l < r : a.op == "<=" ? l <= r
                 : a.op == "==" ? l == r : l != r;
      k.text = yes ? "yes" : "no";
      k.reasoning.push_back(fmt::format("{} {} {}: {}", l, a.op, r, k.text));
      break;
    }
  }
  return k;
}

}  // namespace

std::vector<KeyAnswer> answers_from(const Homework& h, const std::vector<Json>& results) {
  std::vector<KeyAnswer> out;
  for (const auto& q : h.questions) out.push_back(answer(q, results));
  return out;
}

std::vector<KeyAnswer> compute_key(const Homework& h, const Scenario& s, unsigned jobs) {
  RunOptions ro;
  ro.trace = true;  // the reasoning counts the events
  ro.jobs = jobs;
  return answers_from(h, simulate(s, s.runs(), ro));
}

}  // namespace kiosim::homework
