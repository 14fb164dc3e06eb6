// Fuzz target: the GUI's trace parser (gui/trace_stream_parser.h), which reads
// `kiosim run --trace` files without a DOM. Any input ends in a trace or false.
#include <cstdint>

#include "gui/trace_stream_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kiosim::gui::StreamedTrace t;
  QString error;
  const char* begin = reinterpret_cast<const char*>(data);
  (void)kiosim::gui::streamParseTrace(begin, begin + size, t, &error);
  return 0;
}
