// The crash report: `kiosim run FILE --crash-at 2.5s` (or the scenario's
// `crash_at:`) stops the machine at that simulated time; journal recovery then
// replays the committed transactions (model/journal.h Journal::crash). This says,
// per file and per write, what would be on the disk after a reboot.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/journal.h"
#include "sim/scenario/scenario.h"

namespace kiosim {

// The report as JSON: {at_ns, mode, last_committed, committing, running_writes,
// files: [...], writes: [...]} with file names from `files`.
nlohmann::ordered_json crash_json(const CrashReport& r, JournalMode mode, double at_ns,
                                  const std::vector<FileSpec>& files);

// The report of one run, for people: per file, then the writes in runs of one fate.
void print_crash(std::ostream& out, const nlohmann::ordered_json& crash);
// One line per (mode, file): the same crash under each journal mode.
void print_crash_modes(std::ostream& out, const std::vector<nlohmann::ordered_json>& crashes);

// Parses a --crash-at value ("2.5s", "800ms"); nullopt when it is not a time.
std::optional<double> parse_crash_time(const std::string& text);

}  // namespace kiosim
