// Reads a trace without building a DOM of its events: a 1 GiB transfer's trace has
// millions of them, and a JSON tree of that size costs gigabytes and many seconds.
// Events go straight into compact Event structs; everything else (header, lanes,
// counters) is small and is kept as a JSON tree for the loader to read.
#pragma once
#include <QString>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gui/trace_data.h"

namespace kiosim::gui {

struct StreamedRun {
  std::vector<Event> events;
  std::vector<std::string> names;  // names[0] is ""; Event::name indexes it
};

struct StreamedTrace {
  nlohmann::json header;            // the whole document, with each run's "events" left empty
  std::vector<StreamedRun> runs;    // in the order of header["runs"]
  QString badEvent;                 // the first event that lacks `t` or `kind`, described
};

// False on malformed JSON, with the byte offset in `error`.
bool streamParseTrace(const char* begin, const char* end, StreamedTrace& out, QString* error);

}  // namespace kiosim::gui
