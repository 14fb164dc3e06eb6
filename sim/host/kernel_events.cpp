#include "sim/host/kernel_events.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace kiosim::host {

namespace {

constexpr std::size_t kMaxExamples = 3;
constexpr std::size_t kMaxRecords = 4'000'000;  // a bound on memory for any input

bool is_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool is_key(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// "(2)": tlb_flush's reason number after its name.
bool is_paren_number(const std::string& t) {
  return t.size() > 2 && t.front() == '(' && t.back() == ')' && is_digits(t.substr(1, t.size() - 2));
}

// "dev=254:0 ino=1a index=0", "dev 254,0 transaction 12 sync 0" and "pages:16
// reason:local shootdown (2)" alike; the last "(N)" is kept as "_paren".
std::map<std::string, std::string> fields_of(const std::string& body) {
  std::map<std::string, std::string> out;
  std::istringstream in(body);
  std::vector<std::string> tok;
  for (std::string t; in >> t;) tok.push_back(t);
  for (std::size_t i = 0; i < tok.size(); ++i) {
    auto eq = tok[i].find('=');
    auto colon = tok[i].find(':');
    if (eq != std::string::npos && eq > 0) {
      out[tok[i].substr(0, eq)] = tok[i].substr(eq + 1);
    } else if (is_paren_number(tok[i])) {
      out["_paren"] = tok[i].substr(1, tok[i].size() - 2);
    } else if (colon != std::string::npos && colon > 0 && colon + 1 < tok[i].size() &&
               is_key(tok[i].substr(0, colon))) {
      out[tok[i].substr(0, colon)] = tok[i].substr(colon + 1);
    } else if (is_key(tok[i]) && i + 1 < tok.size() && tok[i + 1].find('=') == std::string::npos &&
               !is_paren_number(tok[i + 1])) {
      out[tok[i]] = tok[i + 1];
      ++i;
    }
  }
  return out;
}

// One record line: "<task>-<pid> [<cpu>] <flags> <seconds>.<micros>: <event>: <fields>".
// The task name may hold spaces and dashes: the pid is the digits after the last '-'
// before the " [cpu]". The flags column is absent without the irq-info option.
bool parse_line(const std::string& line, TraceRecord& r) {
  auto br = line.find(" [");
  if (br == std::string::npos) return false;
  auto close = line.find(']', br);
  if (close == std::string::npos) return false;
  std::string head = line.substr(0, br);
  while (!head.empty() && head.back() == ' ') head.pop_back();
  auto dash = head.rfind('-');
  if (dash == std::string::npos) return false;
  std::string pid = head.substr(dash + 1);
  // "(tgid)" after the pid with the record-tgid option: not ours to read.
  if (auto paren = pid.find(' '); paren != std::string::npos) pid.resize(paren);
  std::string cpu = line.substr(br + 2, close - br - 2);
  if (!is_digits(pid) || !is_digits(cpu) || pid.size() > 9 || cpu.size() > 5) return false;
  std::size_t i = head.find_first_not_of(' ');
  r.task = head.substr(i == std::string::npos ? 0 : i, dash - (i == std::string::npos ? 0 : i));
  r.pid = pid_t(std::strtol(pid.c_str(), nullptr, 10));
  r.cpu = unsigned(std::strtoul(cpu.c_str(), nullptr, 10));
  // The timestamp is the first token after the cpu that ends in ':' and is a number.
  auto colon = line.find(": ", close);
  if (colon == std::string::npos) return false;
  std::string before = line.substr(close + 1, colon - close - 1);
  auto sp = before.find_last_of(' ');
  std::string ts = sp == std::string::npos ? before : before.substr(sp + 1);
  char* end = nullptr;
  errno = 0;
  r.t_s = std::strtod(ts.c_str(), &end);
  if (ts.empty() || *end || errno || ts.find('.') == std::string::npos) return false;
  auto colon2 = line.find(':', colon + 2);
  if (colon2 == std::string::npos) return false;
  r.event = line.substr(colon + 2, colon2 - colon - 2);
  if (!is_key(r.event)) return false;
  r.fields = fields_of(line.substr(colon2 + 1));
  return true;
}

std::optional<std::uint64_t> number(const TraceRecord& r, const char* key, int base = 10) {
  return field_number(r, key, base);
}

// "ofs=0-65535" (filemap_map_pages: bytes of the first and last page mapped).
bool byte_range(const TraceRecord& r, std::uint64_t& first, std::uint64_t& last) {
  auto it = r.fields.find("ofs");
  if (it == r.fields.end()) return false;
  auto dash = it->second.find('-', 1);
  if (dash == std::string::npos) return false;
  std::string a = it->second.substr(0, dash), b = it->second.substr(dash + 1);
  if (!is_digits(a) || !is_digits(b)) return false;
  first = std::strtoull(a.c_str(), nullptr, 10);
  last = std::strtoull(b.c_str(), nullptr, 10);
  return last >= first;
}

Commit& commit_of(std::vector<Commit>& cs, std::uint64_t tid) {
  for (auto it = cs.rbegin(); it != cs.rend(); ++it)
    if (it->tid == tid) return *it;
  cs.push_back(Commit{});
  cs.back().tid = tid;
  return cs.back();
}

// The typed event of a record; false when a field it needs is missing.
bool add_typed(const TraceRecord& r, KernelEvents& k, double& value) {
  const std::string& e = r.event;
  if (e == "page_cache_sync_ra" || e == "page_cache_async_ra" || e == "page_cache_ra_order") {
    RaEvent ra;
    ra.kind = e == "page_cache_sync_ra" ? "sync" : e == "page_cache_async_ra" ? "async" : "order";
    auto ino = number(r, "ino", 16), index = number(r, "index"), size = number(r, "size"),
         async = number(r, "async_size"), order = number(r, "order");
    if (!ino || !index || !size || !async || !order) return false;
    ra.ino = *ino;
    ra.index = *index;
    ra.size = *size;
    ra.async_size = *async;
    ra.order = unsigned(*order);
    ra.ra_pages = number(r, "ra_pages").value_or(0);
    if (ra.kind != "order") {
      auto req = number(r, "req_count");
      if (!req) return false;
      ra.req_count = *req;
    }
    ra.t_s = r.t_s;
    value = double(ra.size);
    k.readahead.push_back(ra);
    return true;
  }
  if (e == "mm_filemap_map_pages") {
    MapRange m;
    std::uint64_t a = 0, b = 0;
    auto ino = number(r, "ino", 16);
    if (!ino || !byte_range(r, a, b)) return false;
    m.ino = *ino;
    m.first = a >> 12;
    m.last = b >> 12;
    value = double(m.pages());
    k.map_ranges.push_back(m);
    return true;
  }
  if (e == "page_fault_user") {
    if (!r.fields.count("address") || !number(r, "error_code", 16)) return false;
    ++k.user_faults;
    value = 1;
    return true;
  }
  if (e == "mm_filemap_add_to_page_cache" || e == "mm_filemap_delete_from_page_cache") {
    CacheChange c;
    c.added = e == "mm_filemap_add_to_page_cache";
    auto ino = number(r, "ino", 16), ofs = number(r, "ofs"), order = number(r, "order");
    if (!ino || !ofs) return false;
    c.ino = *ino;
    c.index = *ofs >> 12;
    c.order = unsigned(order.value_or(0));
    if (c.order > 20) return false;
    value = double(c.pages());
    k.cache.push_back(c);
    return true;
  }
  if (e.rfind("jbd2_", 0) == 0) {
    const bool stats = e == "jbd2_run_stats";
    auto tid = number(r, stats ? "tid" : "transaction");
    if (e != "jbd2_start_commit" && e != "jbd2_commit_locking" && e != "jbd2_commit_flushing" &&
        e != "jbd2_commit_logging" && e != "jbd2_end_commit" && !stats)
      return true;  // another jbd2 event: counted by name only
    if (!tid) return false;
    Commit& c = commit_of(k.commits, *tid);
    if (e == "jbd2_start_commit") c.start_s = r.t_s;
    else if (e == "jbd2_commit_locking") c.locking_s = r.t_s;
    else if (e == "jbd2_commit_flushing") c.flushing_s = r.t_s;
    else if (e == "jbd2_commit_logging") c.logging_s = r.t_s;
    else if (e == "jbd2_end_commit") c.end_s = r.t_s;
    else {
      c.locked_ms = number(r, "locked");
      c.flushing_ms = number(r, "flushing");
      c.logging_ms = number(r, "logging");
      c.blocks = number(r, "blocks");
      c.blocks_logged = number(r, "blocks_logged");
      c.handle_count = number(r, "handle_count");
      if (!c.logging_ms || !c.blocks) return false;
      value = double(*c.blocks);
    }
    return true;
  }
  if (auto more = add_more_typed(r, k, value)) return *more;
  return true;  // an event kiosim does not type: counted by name
}

// kiosim's trace_marker lines: "tracing_mark_write: kiosim_body=start".
bool body_marker(const TraceRecord& r, KernelEvents& k) {
  if (r.event != "tracing_mark_write") return false;
  auto it = r.fields.find("kiosim_body");
  if (it == r.fields.end()) return false;
  if (it->second == "start" && !k.body_start_s) k.body_start_s = r.t_s;
  if (it->second == "end") k.body_end_s = r.t_s;
  return true;
}

std::optional<std::uint64_t> parse_unsigned(std::string v, int base) {
  if (!v.empty() && v.back() == ',') v.pop_back();
  if (v.empty() || v[0] == '-' || v[0] == '+' || std::isspace(static_cast<unsigned char>(v[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  std::uint64_t x = std::strtoull(v.c_str(), &end, base);
  if (*end || errno) return std::nullopt;
  return x;
}

}  // namespace

std::optional<std::uint64_t> field_number(const TraceRecord& r, const char* key, int base) {
  auto it = r.fields.find(key);
  if (it == r.fields.end()) return std::nullopt;
  return parse_unsigned(it->second, base);
}

std::optional<std::int64_t> field_signed(const TraceRecord& r, const char* key, int base) {
  auto it = r.fields.find(key);
  if (it == r.fields.end() || it->second.empty()) return std::nullopt;
  const bool neg = it->second[0] == '-';
  auto x = parse_unsigned(neg ? it->second.substr(1) : it->second, base);
  if (!x || *x > std::uint64_t(INT64_MAX)) return std::nullopt;
  return neg ? -std::int64_t(*x) : std::int64_t(*x);
}

ParsedTrace parse_trace_text(const std::string& text) {
  ParsedTrace out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    TraceRecord r;
    if (out.records.size() < kMaxRecords && parse_line(line, r)) {
      out.records.push_back(std::move(r));
    } else {
      ++out.malformed;
      if (out.malformed_examples.size() < kMaxExamples) out.malformed_examples.push_back(line.substr(0, 200));
    }
  }
  return out;
}

KernelEvents kernel_events(const ParsedTrace& t) {
  KernelEvents k;
  k.malformed = t.malformed;
  k.malformed_examples = t.malformed_examples;
  for (const auto& r : t.records) {
    if (body_marker(r, k)) continue;
    ++k.by_event[r.event];
    double value = 0;
    if (!add_typed(r, k, value)) {
      ++k.malformed;
      if (k.malformed_examples.size() < kMaxExamples) k.malformed_examples.push_back(r.event + ": a field is missing");
      continue;
    }
    if (k.timeline.size() >= kMaxTimeline) {
      ++k.timeline_dropped;
      continue;
    }
    k.timeline.push_back(KernelMark{r.t_s, 0, r.event, value, r.cpu});
  }
  // A commit is one mark from its start to its end; a throttle pause lasts its pause.
  for (const auto& c : k.commits)
    if (c.complete() && k.timeline.size() < kMaxTimeline)
      k.timeline.push_back(KernelMark{c.start_s, c.end_s - c.start_s, "jbd2 commit", 0, 0});
  for (auto& m : k.timeline)
    if (m.event == "balance_dirty_pages") m.dur_s = std::max(0.0, m.value) / 1e3;
  // Seconds after the body's start (or the first record), in time order.
  double t0 = k.body_start_s.value_or(0);
  if (!k.body_start_s && !k.timeline.empty()) {
    t0 = k.timeline.front().t_s;
    for (const auto& m : k.timeline) t0 = std::min(t0, m.t_s);
  }
  for (auto& m : k.timeline) m.t_s -= t0;
  std::stable_sort(k.timeline.begin(), k.timeline.end(),
                   [](const KernelMark& a, const KernelMark& b) { return a.t_s < b.t_s; });
  return k;
}

std::vector<std::uint64_t> readahead_windows(const KernelEvents& k) {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < k.readahead.size(); ++i) {
    const RaEvent& e = k.readahead[i];
    if (e.kind == "order") {
      out.push_back(e.size);
    } else {
      bool ordered = i + 1 < k.readahead.size() && k.readahead[i + 1].kind == "order" &&
                     k.readahead[i + 1].ino == e.ino;
      if (!ordered && e.size) out.push_back(e.size);
    }
  }
  return out;
}

}  // namespace kiosim::host
