#include "sim/run/crash.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/scenario/units.h"

namespace kiosim {

namespace {

std::string why(const WriteCrash& w, JournalMode mode) {
  switch (w.fate) {
    case Fate::survives:
      if (!w.metadata_committed) return "its data is in place and the size already covered it (only its mtime is lost)";
      if (mode == JournalMode::journal && !w.write.direct) return "committed; recovery replays its data from the journal";
      return "committed, and its data was written to its place before the crash";
    case Fate::garbage:
      return "its size was committed but its data never reached the disk: the file shows stale blocks";
    case Fate::lost:
      if (w.data_on_disk) return "its data reached the disk, but the size that covers it was never committed";
      if (w.write.extends && w.write.size_tid == 0)
        return "only in the page cache: not written back, so no blocks and no size on the disk (delayed allocation)";
      if (w.metadata_committed && !w.write.extends) return "its data never reached the disk (the old data stays)";
      return "only in the page cache (and the running or interrupted transaction)";
  }
  return "";
}

}  // namespace

std::optional<double> parse_crash_time(const std::string& text) {
  auto v = parse_time_ns(text);
  if (!v || *v < 0 || *v > 3600e9) return std::nullopt;
  return v;
}

nlohmann::ordered_json crash_json(const CrashReport& r, JournalMode mode, double at_ns,
                                  const std::vector<FileSpec>& files) {
  auto name = [&](FileId f) { return f < files.size() ? files[f].name : fmt::format("file{}", f); };
  nlohmann::ordered_json j;
  j["at_ns"] = std::int64_t(at_ns);
  j["mode"] = std::string(to_string(mode));
  j["last_committed"] = r.last_committed;
  j["committing"] = r.committing;
  j["commit_phase"] = r.committing ? std::string(to_string(r.phase)) : std::string();
  j["running_writes"] = r.running_writes;
  nlohmann::ordered_json fs = nlohmann::ordered_json::array();
  std::uint64_t survived = 0, lost = 0, garbage = 0;
  for (const FileCrash& f : r.files) {
    fs.push_back({{"file", name(f.file)},
                  {"size_in_memory", f.size_in_memory},
                  {"size_recovered", f.size_recovered},
                  {"survived", f.survived},
                  {"lost", f.lost},
                  {"garbage", f.garbage},
                  {"consistent", f.consistent}});
    survived += f.survived;
    lost += f.lost;
    garbage += f.garbage;
  }
  j["writes_survived"] = survived;
  j["writes_lost"] = lost;
  j["writes_garbage"] = garbage;
  j["files"] = fs;
  nlohmann::ordered_json ws = nlohmann::ordered_json::array();
  for (const WriteCrash& w : r.writes)
    ws.push_back({{"seq", w.write.seq},
                  {"file", name(w.write.file)},
                  {"offset", w.write.offset},
                  {"bytes", w.write.bytes},
                  {"tid", w.write.tid},
                  {"size_tid", w.write.size_tid},
                  {"metadata_committed", w.metadata_committed},
                  {"data_on_disk", w.data_on_disk},
                  {"fate", std::string(to_string(w.fate))},
                  {"why", why(w, mode)}});
  j["writes"] = ws;
  return j;
}

void print_crash(std::ostream& out, const nlohmann::ordered_json& c) {
  out << fmt::format("crash at {} (journal.mode: {}): the machine stops; recovery replays committed transactions\n",
                     format_time_ns(c["at_ns"].get<double>()), c["mode"].get<std::string>());
  out << fmt::format("  last committed transaction: {}", c["last_committed"].get<std::uint64_t>());
  // jbd2_journal_commit_transaction's order: ordered data and journal blocks, the
  // cache flush (REQ_PREFLUSH), the commit record (REQ_FUA); committed only after it.
  if (c["committing"].get<std::uint64_t>())
    out << fmt::format("; the commit of transaction {} was interrupted in its {}", c["committing"].get<std::uint64_t>(),
                       c.value("commit_phase", std::string("writes")));
  out << fmt::format("; {} in the running transaction\n",
                     c["running_writes"].get<std::uint64_t>() == 1
                         ? std::string("1 write")
                         : fmt::format("{} writes", c["running_writes"].get<std::uint64_t>()));
  if (c["writes"].empty()) {
    out << "  no program had written anything before the crash: nothing is lost, every file is as it was\n";
    return;
  }
  out << fmt::format("  {:<16} {:>10} {:>15} {:>8} {:>6} {:>8}  {}\n", "file", "in memory", "after recovery",
                     "survive", "lost", "garbage", "consistent");
  for (const auto& f : c["files"])
    out << fmt::format("  {:<16} {:>10} {:>15} {:>8} {:>6} {:>8}  {}\n", f["file"].get<std::string>(),
                       format_size(f["size_in_memory"].get<double>()), format_size(f["size_recovered"].get<double>()),
                       f["survived"].get<std::uint64_t>(), f["lost"].get<std::uint64_t>(),
                       f["garbage"].get<std::uint64_t>(), f["consistent"].get<bool>() ? "yes" : "NO");
  // Writes, file by file, in runs of one fate and one reason.
  out << "  writes, file by file:\n";
  std::vector<std::string> order;
  for (const auto& w : c["writes"])
    if (std::find(order.begin(), order.end(), w["file"].get<std::string>()) == order.end())
      order.push_back(w["file"].get<std::string>());
  for (const auto& file : order) {
    std::vector<const nlohmann::ordered_json*> ws;
    for (const auto& w : c["writes"])
      if (w["file"] == file) ws.push_back(&w);
    for (std::size_t i = 0; i < ws.size();) {
      std::size_t j = i + 1;
      while (j < ws.size() && (*ws[j])["fate"] == (*ws[i])["fate"] && (*ws[j])["why"] == (*ws[i])["why"]) ++j;
      const auto& a = *ws[i];
      std::uint64_t lo = a["offset"].get<std::uint64_t>(), hi = lo;
      for (std::size_t k = i; k < j; ++k) {
        lo = std::min(lo, (*ws[k])["offset"].get<std::uint64_t>());
        hi = std::max(hi, (*ws[k])["offset"].get<std::uint64_t>() + (*ws[k])["bytes"].get<std::uint64_t>());
      }
      std::string n = j - i == 1 ? "1 write " : fmt::format("{} writes", j - i);
      out << fmt::format("    {:<16} {:>9} [{}, {}) {}: {}\n", file, n, format_size(double(lo)), format_size(double(hi)),
                         a["fate"].get<std::string>(), a["why"].get<std::string>());
      i = j;
    }
  }
}

void print_crash_modes(std::ostream& out, const std::vector<nlohmann::ordered_json>& crashes) {
  if (crashes.empty()) return;
  if (std::all_of(crashes.begin(), crashes.end(), [](const auto& c) { return c["writes"].empty(); })) {
    out << fmt::format("crashed at {} under each journal mode: no write was made before it, so no mode loses anything\n",
                       format_time_ns(crashes[0]["at_ns"].get<double>()));
    return;
  }
  out << fmt::format("the same program crashed at {} under each journal mode:\n",
                     format_time_ns(crashes[0]["at_ns"].get<double>()));
  out << fmt::format("  {:<10} {:<16} {:>8} {:>6} {:>8} {:>15}  {}\n", "mode", "file", "survive", "lost", "garbage",
                     "after recovery", "consistent");
  for (const auto& c : crashes)
    for (const auto& f : c["files"])
      out << fmt::format("  {:<10} {:<16} {:>8} {:>6} {:>8} {:>15}  {}\n", c["mode"].get<std::string>(),
                         f["file"].get<std::string>(), f["survived"].get<std::uint64_t>(), f["lost"].get<std::uint64_t>(),
                         f["garbage"].get<std::uint64_t>(), format_size(f["size_recovered"].get<double>()),
                         f["consistent"].get<bool>() ? "yes" : "NO");
}

}  // namespace kiosim
