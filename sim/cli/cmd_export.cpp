// kiosim export: a run's trace as Graphviz (the data-path graph), Perfetto JSON or
// CSV (every counter of every run). Reads a scenario (simulated with the trace on)
// or a trace file, and writes the whole output or nothing.
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/cli/trace_input.h"
#include "sim/export/counters_csv.h"
#include "sim/export/critical_path.h"
#include "sim/export/data_path_graph.h"
#include "sim/export/perfetto.h"
#include "sim/report/report.h"

namespace kiosim::cli {

namespace {

struct ExportOptions {
  TraceInput in;
  std::string format;
  std::string out;
};

std::string dot_of(const nlohmann::ordered_json& doc, const std::vector<exports::TraceRun>& runs) {
  std::vector<exports::DotRun> graphs;
  for (const auto& r : runs) {
    exports::CriticalPath cp = exports::critical_path(r);
    graphs.push_back({r.name, exports::build_data_path(r, &cp.on_path)});
  }
  const nlohmann::ordered_json scenario = doc.value("scenario", nlohmann::ordered_json::object());
  std::string title = scenario.is_object() ? scenario.value("title", "") : "";
  if (title.empty() && scenario.is_object()) title = scenario.value("path", "");
  if (title.empty()) title = "kiosim";
  std::ostringstream out;
  exports::write_dot(out, title, graphs);
  return out.str();
}

int run_export(const ExportOptions& o) {
  nlohmann::ordered_json doc = load_trace_input(o.in);
  std::vector<exports::TraceRun> runs = exports::read_trace_document(doc);
  std::string text;
  if (o.format == "dot") text = dot_of(doc, runs);
  else if (o.format == "perfetto") text = exports::perfetto_trace(runs).dump() + "\n";
  else text = exports::counters_csv(runs);
  if (o.out.empty() || o.out == "-") std::cout << text;
  else write_file_atomically(o.out, text);
  return 0;
}

}  // namespace

Action add_export(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* c = app.add_subcommand("export", "write a run as Graphviz (data-path graph), Perfetto JSON or CSV");
  c->add_option("FILE", o->in.file, "scenario file (YAML, simulated with the trace on) or trace file (run --trace)")
      ->required()
      ->check(CLI::ExistingFile);
  c->add_option("--format", o->format,
                "dot: the data-path graph, one cluster per method, the critical path in bold; "
                "perfetto: Chrome/Perfetto trace-event JSON (ui.perfetto.dev); csv: every counter, one row per run")
      ->required()
      ->check(CLI::IsMember({"dot", "perfetto", "csv"}));
  c->add_option("-o,--output", o->out, "write here instead of standard output (whole or not at all)")->type_name("FILE");
  c->add_option("--method", o->in.method, "only this run of a compare scenario (read_write, mmap_write, sendfile, splice)");
  c->add_option("--set", o->in.sets, "override a machine key (scenarios only; repeatable)")->type_name("KEY=VALUE");
  c->add_option("--machines", o->in.machines_dir, "directory of machine profiles (default: beside the scenario)")
      ->check(CLI::ExistingDirectory);
  c->add_option("--machine", o->in.machine_file, "a machine profile file used instead of the scenario's `machine:`")
      ->type_name("PROFILE.yaml");
  c->add_option("-j,--jobs", o->in.jobs, "simulations at once (default: the number of cores)")->check(CLI::Range(1, 256));
  c->footer("Examples:\n"
            "  kiosim export scenarios/copy-table.yaml --format dot -o copy-table.dot && dot -Tsvg copy-table.dot\n"
            "  kiosim export scenarios/copy-table.yaml --format perfetto -o run.json   (open in ui.perfetto.dev)\n"
            "  kiosim export run.json --format csv                                      (a trace file from run --trace)");
  return [o] { return run_export(*o); };
}

}  // namespace kiosim::cli
