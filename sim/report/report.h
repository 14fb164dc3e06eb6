// What the CLI prints: the human tables, the JSON documents, the trace file,
// the narrated timeline, and the check of expected counters.
// sim/report/ reads results and traces; it calls sim/trace and sim/scenario, never
// the engine or the kernel.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.h"

namespace kiosim {

// The machine as the trace header and --json show it: every key, as written.
nlohmann::ordered_json machine_json(const Machine& m, const std::string& name);
// The self-contained trace document (SCENARIOS.md, docs/TRACE.md).
nlohmann::ordered_json trace_document(const Scenario& s, const std::vector<nlohmann::ordered_json>& runs);

void print_compare_table(std::ostream& out, const std::vector<nlohmann::ordered_json>& runs);
void print_run(std::ostream& out, const nlohmann::ordered_json& run);
// "Where each thread's time went": one row per thread (and per local receiver).
void print_breakdown(std::ostream& out, const std::vector<nlohmann::ordered_json>& runs);
// A local receiver's read() calls and copy, each run's on a line of its own.
void print_receivers(std::ostream& out, const std::vector<nlohmann::ordered_json>& runs);
// Per-process counters, where a run has more than one process.
void print_processes(std::ostream& out, const nlohmann::ordered_json& run);
// The narrated timeline (`kiosim explain`) is in sim/report/explain.h.

// Compares results to the scenario's `expect:`; prints each mismatch; true when all match.
bool check_expectations(std::ostream& out, const Scenario& s, const std::vector<nlohmann::ordered_json>& runs);

// Writes a file whole or not at all (a temporary file renamed into place).
void write_file_atomically(const std::string& path, const std::string& data);

}  // namespace kiosim
