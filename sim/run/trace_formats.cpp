#include "sim/run/trace_formats.h"

#include <fmt/format.h>

#include "sim/scenario/scenario.h"

namespace kiosim {

std::string_view to_string(TraceFormat f) {
  switch (f) {
    case TraceFormat::plain: return "plain";
    case TraceFormat::csv: return "csv";
    case TraceFormat::block: return "block";
    case TraceFormat::oracle_general: return "oracleGeneral";
    case TraceFormat::text: break;
  }
  return "text";
}

std::optional<TraceFormat> parse_trace_format(std::string_view s) {
  for (TraceFormat f : {TraceFormat::text, TraceFormat::plain, TraceFormat::csv, TraceFormat::block,
                        TraceFormat::oracle_general})
    if (s == to_string(f)) return f;
  return std::nullopt;
}

void TraceErrors::at(std::uint64_t line, std::size_t column, const std::string& msg) const {
  throw InputError(name_, int(line), int(column), "", msg);
}

void TraceErrors::record(std::uint64_t n, const std::string& msg) const {
  throw InputError(name_, 0, 0, "", fmt::format("record {} (byte {}): {}", n, (n - 1) * kOracleRecord, msg));
}

// Items are separated by `,` (the form) or `;` (libCacheSim's cachesim -t).
ColumnSpec parse_column_spec(std::string_view spec) {
  ColumnSpec c;
  auto bad = [&](const std::string& msg) -> void { throw InputError("command line", 0, 0, "--columns", msg); };
  std::size_t i = 0;
  while (i < spec.size()) {
    const std::size_t eq = spec.find('=', i);
    if (eq == std::string_view::npos) bad(fmt::format("expected KEY=VALUE, found `{}`", spec.substr(i)));
    const std::string_view key = spec.substr(i, eq - i);
    std::string_view value;
    std::size_t next;
    if (key == "delimiter") {  // the value may be the comma itself
      static constexpr std::string_view names[] = {"tab", "space", "comma", "\\t"};
      value = spec.substr(eq + 1, 1);
      for (std::string_view n : names)
        if (spec.substr(eq + 1, n.size()) == n) value = n;
      next = eq + 1 + value.size();
      if (value.empty()) bad("delimiter= needs a character (or tab, space, comma)");
      if (next < spec.size() && spec[next] != ',' && spec[next] != ';')
        bad(fmt::format("expected `,` after delimiter={}", value));
    } else {
      const std::size_t comma = spec.find_first_of(",;", eq + 1);
      value = spec.substr(eq + 1, comma == std::string_view::npos ? std::string_view::npos : comma - eq - 1);
      next = comma == std::string_view::npos ? spec.size() : comma;
    }
    auto column = [&](int& out) {
      int v = 0;
      for (char ch : value) {
        if (ch < '0' || ch > '9' || v > 10000) v = -1;
        if (v < 0) break;
        v = v * 10 + (ch - '0');
      }
      if (value.empty() || v < 1 || v > 10000)
        bad(fmt::format("`{}` must be a column number from 1, found `{}`", key, value));
      out = v;
    };
    if (key == "obj-id-col") column(c.obj_id_col);
    else if (key == "op-col") column(c.op_col);
    else if (key == "offset-col") column(c.offset_col);
    else if (key == "size-col" || key == "obj-size-col") column(c.size_col);
    else if (key == "has-header") {
      if (value == "true" || value == "1") c.has_header = true;
      else if (value == "false" || value == "0") c.has_header = false;
      else bad(fmt::format("has-header is true or false, found `{}`", value));
    } else if (key == "delimiter") {
      c.delimiter = value == "tab" || value == "\\t" ? '\t' : value == "space" ? ' ' : value == "comma" ? ',' : value[0];
    } else {
      bad(fmt::format("unknown key `{}` (expected obj-id-col, op-col, offset-col, size-col, delimiter, has-header)", key));
    }
    i = next < spec.size() ? next + 1 : next;
  }
  return c;
}

}  // namespace kiosim
