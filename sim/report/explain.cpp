#include "sim/report/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "sim/scenario/scenario.h"
#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"
#include "sim/trace/schema.h"

namespace kiosim {

using json = nlohmann::ordered_json;

std::string plural(std::uint64_t n, const std::string& one, const std::string& many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

namespace {

std::string human_time(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3f} ms", ns / 1e6);
  return fmt::format("{:.1f} us", ns / 1e3);
}

std::string place_name(const std::string& p) {
  std::string s = p;
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

// "4,096".
std::string with_commas(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(std::size_t(i), ",");
  return s;
}

bool is_list_move(const json& e) {
  const std::string kind = e["kind"].get<std::string>();
  // A named cache_insert is a write's note (sim/kernel/jbd2.cpp), not a page entering the cache.
  if (kind == "cache_insert") return e.value("name", "").empty();
  return kind == "activate" || kind == "deactivate" || kind == "evict";
}

// Page-list moves of neighbouring pages at one instant, as one line.
std::string list_move_text(const json& events, std::size_t& i) {
  const json& e = events[i];
  const std::string kind = e["kind"].get<std::string>();
  std::int64_t first = e.value("page", std::int64_t(0)), last = first;
  while (i + 1 < events.size() && events[i + 1]["kind"] == kind && is_list_move(events[i + 1]) &&
         events[i + 1]["lane"] == e["lane"] && events[i + 1]["t"] == e["t"] &&
         events[i + 1].value("page", std::int64_t(-2)) == last + 1) {
    ++i;
    ++last;
  }
  static const std::map<std::string, std::pair<std::string, std::string>> what = {
      {"cache_insert", {"enters the page cache (inactive list head)", "enter the page cache (inactive list head)"}},
      {"activate", {"moves to the active list", "move to the active list"}},
      {"deactivate", {"moves back to the inactive list", "move back to the inactive list"}},
      {"evict", {"is evicted from the page cache", "are evicted from the page cache"}}};
  const auto& verbs = what.at(kind);
  return first == last ? fmt::format("page {} {}", first, verbs.first)
                       : fmt::format("pages {}-{} {}", first, last, verbs.second);
}

std::string event_text(const json& e) {
  const std::string kind = e["kind"].get<std::string>();
  const std::string name = e.value("name", "");
  const std::string from = place_name(e.value("from", "")), to = place_name(e.value("to", ""));
  const std::uint64_t bytes = e.value("bytes", std::uint64_t(0)), pages = e.value("pages", std::uint64_t(0));
  const std::string size = bytes ? format_size(double(bytes)) : "";
  if (kind == "syscall_enter") return fmt::format("{}() enters the kernel (mode switch)", name);
  if (kind == "syscall_exit") return fmt::format("{}() returns to user space (mode switch)", name);
  if (kind == "cpu_copy") return fmt::format("CPU copy {} -> {}, {} (CPU copy)", from, to, size);
  if (kind == "dma_copy") {
    if (name == schema::note::direct_einval) return "O_DIRECT refused (EINVAL: offset or size not 512-byte aligned)";
    return fmt::format("DMA {} -> {}, {}{} (DMA copy)", from, to, size,
                       pages ? ", " + plural(pages, from == "disk" ? "page" : "fragment", from == "disk" ? "pages" : "fragments")
                             : "");
  }
  if (kind == "page_ref_move" && name == schema::note::inflight_overwrite)
    return fmt::format("write to page {}, which an skb or pipe still holds: it lands, the new bytes go out",
                       e.value("page", 0));
  if (kind == "page_ref_move" && name == schema::note::ack)
    return fmt::format("ACK: {} acknowledged, the skbs freed with their {}", size,
                       plural(pages, "page reference", "page references"));
  if (kind == "page_ref_move")
    return fmt::format("page references {} -> {}, {}, {} (no copy)", from, to, plural(pages, "page", "pages"), size);
  if (kind == "page_fault_minor" || kind == "page_fault_major")
    return fmt::format("{} page fault on page {}{}, {} mapped", kind == "page_fault_major" ? "major" : "minor",
                       e.value("page", 0),
                       e.value("user_mode", false) ? " in user mode (2 mode switches)" : " inside the kernel",
                       plural(pages, "page", "pages"));
  if (kind == "cow_fault") return "copy-on-write fault: the page is copied (CPU copy 4KiB)";
  if (kind == "skb_build")
    return fmt::format("skb of {} queued{}", size,
                       pages ? " with " + plural(pages, "page fragment", "page fragments") : std::string(" (linear)"));
  if (kind == "linearize" && name == schema::note::software_gso)
    return fmt::format("software GSO: the skb cut into {}{}", plural(pages, "packet", "packets"),
                       bytes ? fmt::format(", {} copied by the CPU (no scatter-gather)", size) : "");
  if (kind == "linearize") return fmt::format("skb linearized: {} copied by the CPU", size);
  if (kind == "interrupt") return fmt::format("interrupt: {} completion", name);
  if (kind == "readahead")
    return fmt::format("{} readahead of {} from page {}", name, plural(pages, "page", "pages"), e.value("page", 0));
  if (kind == "block") return fmt::format("sleeps: {} (context switch)", name);
  if (kind == "writeback") return fmt::format("writeback {} page cache -> disk", size);
  if (kind == "cache_insert" && !name.empty())  // a write's note (sim/kernel/jbd2.cpp)
    return fmt::format("{} (file {} page {})", name, e.value("file", 0), e.value("page", 0));
  return kind + (name.empty() ? "" : " " + name);
}

// try_to_wake_up: the sleeper runs again at the block's end; the interrupt that woke
// it came shortly before, and the gap is its idle core's wake-up.
std::string wakeup_text(const json& e, const std::vector<std::pair<double, double>>& interrupts) {
  const double t0 = e["t"].get<double>(), end = t0 + e.value("dur", 0.0);
  // balance_dirty_pages sleeps a set time (io_schedule_timeout): a timer wakes it.
  if (e.value("name", "").rfind("dirty throttling", 0) == 0) return "runs again: its pause is over (a timer woke it)";
  // The last interrupt handled before it ran, if within 200 us: that one woke it.
  auto it = std::upper_bound(interrupts.begin(), interrupts.end(), std::pair<double, double>{end, end},
                             [](const auto& a, const auto& b) { return a.second < b.second; });
  if (it != interrupts.begin() && std::prev(it)->first >= t0 && end - std::prev(it)->second <= 200e3) {
    const auto [irq, done] = *std::prev(it);
    return fmt::format("runs again: woken by the interrupt at {}, {} after its handler (its idle core's wake-up)",
                       human_time(irq), human_time(end - done));
  }
  return "runs again (its sleep ended)";
}

bool wanted(const std::vector<std::string>& filter, const std::string& v) {
  return filter.empty() || std::find(filter.begin(), filter.end(), v) != filter.end();
}

// What repeats: the lane and kind, and the text with its numbers blanked.
std::string shape(const ExplainLine& l) {
  std::string s = l.lane + '\x1f' + l.kind + '\x1f';
  for (char c : l.text)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != ',') s += c;
    else if (s.back() != '#') s += '#';
  return s;
}

}  // namespace

std::vector<ExplainLine> explain_lines(const json& run, const ExplainOptions& opt) {
  std::vector<std::string> lanes;
  for (const auto& l : run["lanes"]) lanes.push_back(l["name"].get<std::string>());
  const json& events = run["events"];
  std::vector<std::pair<double, double>> interrupts;  // (start, end of the handler)
  for (const auto& e : events)
    if (e["kind"] == "interrupt")
      interrupts.emplace_back(e["t"].get<double>(), e["t"].get<double>() + e.value("dur", 0.0));
  std::sort(interrupts.begin(), interrupts.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::vector<ExplainLine> out;
  auto add = [&](double t, const std::string& lane, const std::string& kind, std::string text) {
    if (t < opt.from_ns || t > opt.to_ns || !wanted(opt.lanes, lane) || !wanted(opt.kinds, kind)) return;
    out.push_back({t, lane, kind, std::move(text)});
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json& e = events[i];
    const std::string kind = e["kind"].get<std::string>();
    const std::string& lane = lanes.at(e["lane"].get<std::size_t>());
    const double t = e["t"].get<double>();
    std::string dur = e.contains("dur") ? fmt::format("  [{}]", human_time(e["dur"].get<double>())) : "";
    if (is_list_move(e)) {
      add(t, lane, kind, list_move_text(events, i));
      continue;
    }
    add(t, lane, kind, event_text(e) + dur);
    if (kind == "block") add(t + e.value("dur", 0.0), lane, kind, wakeup_text(e, interrupts));
  }
  std::stable_sort(out.begin(), out.end(), [](const ExplainLine& a, const ExplainLine& b) { return a.t < b.t; });
  return out;
}

namespace {

// The longest fold at `i`: a block of `period` lines repeated `times` times (times >= 2).
std::pair<std::size_t, std::size_t> best_fold(const std::vector<std::string>& shapes, std::size_t i) {
  std::size_t best_period = 0, best_times = 1;
  for (std::size_t p = 1; p <= 32 && i + 2 * p <= shapes.size(); ++p) {
    std::size_t times = 1;
    while (i + (times + 1) * p <= shapes.size() &&
           std::equal(shapes.begin() + std::ptrdiff_t(i), shapes.begin() + std::ptrdiff_t(i + p),
                      shapes.begin() + std::ptrdiff_t(i + times * p)))
      ++times;
    if (times >= 2 && times * p > best_times * best_period) {
      best_period = p;
      best_times = times;
    }
  }
  return {best_period, best_times};
}

}  // namespace

void print_explain(std::ostream& out, const json& run, const ExplainOptions& opt) {
  const std::vector<ExplainLine> lines = explain_lines(run, opt);
  std::size_t w = 6;
  for (const auto& l : run["lanes"]) w = std::max(w, l["name"].get<std::string>().size());
  std::vector<std::string> shapes;
  if (opt.summary)
    for (const auto& l : lines) shapes.push_back(shape(l));
  std::size_t printed = 0, i = 0;
  auto print = [&](const std::string& t, const std::string& lane, const std::string& text) {
    out << fmt::format("{:>12}  {:<{}}  {}\n", t, lane, w, text);
    ++printed;
  };
  while (i < lines.size() && (opt.limit == 0 || printed < opt.limit)) {
    auto [period, times] = opt.summary ? best_fold(shapes, i) : std::pair<std::size_t, std::size_t>{0, 1};
    if (period == 0 || times < 3) {
      print(human_time(lines[i].t), lines[i].lane, lines[i].text);
      ++i;
      continue;
    }
    for (std::size_t k = 0; k < period && (opt.limit == 0 || printed < opt.limit); ++k)
      print(human_time(lines[i + k].t), lines[i + k].lane, lines[i + k].text);
    const ExplainLine& last = lines[i + times * period - 1];
    print("", "", fmt::format("... x {} like the above{}, to {}", with_commas(times - 1),
                              period > 1 ? fmt::format(" ({} lines each)", period) : "", human_time(last.t)));
    i += times * period;
  }
  if (i < lines.size())
    out << fmt::format("... {} more lines (narrow with --from/--to, --lane, --kind, or fold with --summary)\n",
                       with_commas(lines.size() - i));
  if (lines.empty()) out << "no events in the window and filters given\n";
}

void check_explain_filters(const json& run, const ExplainOptions& opt) {
  std::vector<std::string> lanes, kinds;
  for (const auto& l : run["lanes"]) lanes.push_back(l["name"].get<std::string>());
  for (const auto& k : schema::kKinds)
    if (k.traced) kinds.push_back(std::string(k.name));
  for (const auto& l : opt.lanes)
    if (!wanted(lanes, l))
      throw InputError("command line", 0, 0, "--lane",
                       fmt::format("no lane `{}` in this run{}", l, did_you_mean(l, lanes, expected_one_of(lanes))));
  for (const auto& k : opt.kinds)
    if (!wanted(kinds, k))
      throw InputError("command line", 0, 0, "--kind",
                       fmt::format("no event kind `{}`{}", k, did_you_mean(k, kinds, expected_one_of(kinds))));
  if (opt.from_ns > opt.to_ns)
    throw InputError("command line", 0, 0, "--from",
                     fmt::format("--from {} is after --to {}", format_time_ns(opt.from_ns), format_time_ns(opt.to_ns)));
}

}  // namespace kiosim
