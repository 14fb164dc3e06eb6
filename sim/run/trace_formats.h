// The trace formats cache-replay reads, each parsed straight into the replay (a
// sink called once per access, inlined: no record is stored on the way).
//   text           kiosim's own: `FILE PAGE [r|w]` or `PAGE` per line, `#` comments,
//                  fields split by spaces, tabs or commas (README "kiosim cache-replay")
//   plain          one object id per line (libCacheSim's `txt`), a decimal 64-bit integer
//   csv            one request per line, columns chosen by a spec as libCacheSim's
//                  `-t "obj-id-col=2,delimiter=,,has-header=true"` (ids are numbers)
//   block          block I/O records with a byte offset and a length, each split into
//                  the 4 KiB pages it covers (columns as for csv; MSR Cambridge traces:
//                  `offset-col=5,size-col=6,op-col=4`)
//   oracleGeneral  libCacheSim's binary: 24-byte little-endian records of uint32 time,
//                  uint64 id, uint32 size, int64 next-access time (-1: never); the file
//                  is mapped, not read. Records of size 0 are skipped, as libCacheSim does.
// A bad record is an InputError: file:line:column for text, the record number and
// byte offset for oracleGeneral.
#pragma once
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/page.h"
#include "model/replacement_policy.h"

namespace kiosim {

enum class TraceFormat : std::uint8_t { text, plain, csv, block, oracle_general };
std::string_view to_string(TraceFormat f);
std::optional<TraceFormat> parse_trace_format(std::string_view s);

// The columns of a csv or block trace (1-based; 0: absent).
struct ColumnSpec {
  int obj_id_col = 0, op_col = 0, offset_col = 0, size_col = 0;
  char delimiter = 0;  // 0: any of space, tab, comma (block); csv's default is ','
  bool has_header = false;
};
// Parses `obj-id-col=2,op-col=3,offset-col=5,size-col=6,delimiter=,,has-header=true`
// (items also split by `;`, as libCacheSim's cachesim -t; delimiter also `tab`,
// `space`, `comma`); throws InputError naming --columns.
ColumnSpec parse_column_spec(std::string_view spec);

struct TraceSpec {
  TraceFormat format = TraceFormat::text;
  ColumnSpec columns;
};

inline constexpr std::size_t kMaxTraceLine = 4096;
inline constexpr std::size_t kMaxFileName = 255;
inline constexpr std::size_t kMaxTraceFiles = 1'000'000;
inline constexpr std::uint64_t kMaxTracePage = 1ULL << 52;
inline constexpr std::uint64_t kMaxBlockPages = 1ULL << 18;  // 1 GiB in one record
inline constexpr std::size_t kOracleRecord = 24;

// Where a parse is, for its errors.
class TraceErrors {
 public:
  explicit TraceErrors(const std::string& name) : name_(name) {}
  [[noreturn]] void at(std::uint64_t line, std::size_t column, const std::string& msg) const;
  [[noreturn]] void record(std::uint64_t n, const std::string& msg) const;  // oracleGeneral: 1-based
  const std::string& name() const { return name_; }

 private:
  const std::string& name_;
};

// File names of the text format -> file ids, with the last one remembered (runs of
// one file are the common case).
class FileNames {
 public:
  // The id of `name`; false when the limit of kMaxTraceFiles is reached.
  bool id(std::string_view name, FileId& out) {
    if (have_last_ && name == last_) {
      out = last_id_;
      return true;
    }
    auto it = ids_.find(std::string(name));
    if (it == ids_.end()) {
      if (ids_.size() >= kMaxTraceFiles) return false;
      it = ids_.emplace(std::string(name), FileId(ids_.size())).first;
    }
    last_.assign(name);
    last_id_ = it->second;
    have_last_ = true;
    out = last_id_;
    return true;
  }
  std::size_t size() const { return ids_.size(); }

 private:
  std::unordered_map<std::string, FileId> ids_;
  std::string last_;
  FileId last_id_ = 0;
  bool have_last_ = false;
};

namespace trace_detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == ','; }
inline bool is_digit(char c) { return unsigned(c - '0') < 10; }

// A decimal integer in [b, e) below `limit`; false when it is not one or too large.
inline bool parse_uint(const char* b, const char* e, std::uint64_t limit, std::uint64_t& out, bool& too_large) {
  too_large = false;
  if (b == e) return false;
  std::uint64_t v = 0;
  for (const char* p = b; p < e; ++p) {
    if (!is_digit(*p)) return false;
    const std::uint64_t d = std::uint64_t(*p - '0');
    if (v > (limit - d) / 10) {
      too_large = true;
      return false;
    }
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// Calls line(begin, end, number) for each line of `data` (without its newline;
// a last line may lack one); a line longer than kMaxTraceLine is an error.
template <class F>
void for_each_line(std::string_view data, const TraceErrors& err, F&& line) {
  const char* p = data.data();
  const char* const end = p + data.size();
  std::uint64_t n = 0;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    const char* e = nl ? nl : end;
    ++n;
    if (std::size_t(e - p) > kMaxTraceLine)
      err.at(n, 1, "a line is longer than " + std::to_string(kMaxTraceLine) + " characters");
    line(p, e, n);
    p = e + 1;
  }
}

// Splits [b, e) at `delim` (0: runs of spaces, tabs and commas) and calls
// field(index from 1, begin, end) for each field.
template <class F>
void for_each_field(const char* b, const char* e, char delim, F&& field) {
  int i = 0;
  if (delim) {
    const char* f = b;
    for (const char* p = b;; ++p) {
      if (p == e || *p == delim) {
        const char* fe = p;
        if (fe > f && fe[-1] == '\r') --fe;
        field(++i, f, fe);
        if (p == e) return;
        f = p + 1;
      }
    }
  }
  const char* p = b;
  while (p < e) {
    while (p < e && is_space(*p)) ++p;
    if (p == e) return;
    const char* f = p;
    while (p < e && !is_space(*p)) ++p;
    field(++i, f, p);
  }
}

inline bool is_write_op(std::string_view op) {
  return !op.empty() && (op[0] == 'w' || op[0] == 'W' || op == "set" || op == "SET");
}

// The fast path of the line formats: a line that is only 1 to 15 digits (below
// 10^15 < 2^52, so no overflow check) ends at '\n' or at the end. Returns the
// value and moves p past the newline; false (p unchanged) for any other line.
inline bool short_number_line(const char*& p, const char* end, std::uint64_t& out) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // Eight bytes at once when they are there: the digits that start them (a byte is a
  // digit when its high nibble is 3 and adding 6 keeps it 3: 0x30 to 0x39; a carry out
  // of a byte of 0xfa or more reaches only later bytes, past the first non-digit), then
  // their value by three multiplies. Eight digits in a row go on byte by byte below.
  if (end - p >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t other = ((x & 0xf0f0f0f0f0f0f0f0ULL) |
                                 (((x + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) >> 4)) ^
                                0x3333333333333333ULL;  // non-zero bytes: not digits
    if (other != 0) {
      const unsigned len = unsigned(__builtin_ctzll(other)) >> 3;
      if (len == 0 || p[len] != '\n') return false;
      std::uint64_t v = (x << (64 - 8 * len)) & 0x0f0f0f0f0f0f0f0fULL;  // the digits, zeros before
      v = (v * 10 + (v >> 8)) & 0x00ff00ff00ff00ffULL;
      v = (v * 100 + (v >> 16)) & 0x0000ffff0000ffffULL;
      v = (v * 10000 + (v >> 32)) & 0xffffffffULL;
      out = v;
      p += len + 1;
      return true;
    }
  }
#endif
  const char* q = p;
  std::uint64_t v = 0;
  const char* const stop = end - p > 15 ? p + 15 : end;
  while (q < stop && is_digit(*q)) v = v * 10 + std::uint64_t(*q++ - '0');
  if (q == p) return false;
  if (q < end && *q != '\n') return false;
  out = v;
  p = q + 1;
  return true;
}

// for_each_line with the fast path: number(value, line) for a short number line,
// line(begin, end, number) for the others.
template <class Number, class Line>
void for_each_line_fast(std::string_view data, const TraceErrors& err, Number&& number, Line&& line) {
  const char* p = data.data();
  const char* const end = p + data.size();
  std::uint64_t n = 0;
  while (p < end) {
    ++n;
    std::uint64_t v;
    if (short_number_line(p, end, v)) {
      number(v, n);
      continue;
    }
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    const char* e = nl ? nl : end;
    if (std::size_t(e - p) > kMaxTraceLine)
      err.at(n, 1, "a line is longer than " + std::to_string(kMaxTraceLine) + " characters");
    line(p, e, n);
    p = e + 1;
  }
}

}  // namespace trace_detail

// kiosim's text format.
template <class Sink>
void parse_text_trace(std::string_view data, const TraceErrors& err, FileNames& files, Sink&& sink) {
  using namespace trace_detail;
  bool plain_seen = false;
  FileId plain_id = 0;
  auto plain_file = [&](std::uint64_t n) {
    if (!plain_seen) {
      if (!files.id("", plain_id)) err.at(n, 1, "more than 1000000 distinct file names");
      plain_seen = true;
    }
    return plain_id;
  };
  auto number = [&](std::uint64_t v, std::uint64_t n) { sink(PageKey{plain_file(n), v}, false, n); };
  for_each_line_fast(data, err, number, [&](const char* b, const char* e, std::uint64_t n) {
    const char* tok[3];
    const char* tend[3];
    int k = 0;
    const char* p = b;
    for (;;) {
      while (p < e && is_space(*p)) ++p;
      if (p == e || *p == '#') break;
      if (k == 3) err.at(n, std::size_t(p - b) + 1, "too many fields: expected `FILE PAGE [r|w]` or a page number");
      tok[k] = p;
      while (p < e && !is_space(*p) && *p != '#') ++p;
      tend[k++] = p;
    }
    if (k == 0) return;
    auto page = [&](int i) {
      std::uint64_t v;
      bool big;
      if (parse_uint(tok[i], tend[i], kMaxTracePage, v, big)) return v;
      const std::string t(tok[i], tend[i]);
      const std::size_t col = std::size_t(tok[i] - b) + 1;
      if (big) err.at(n, col, "page `" + t + "` is too large (the limit is 2^52)");
      if (t == "r" || t == "w") err.at(n, col, "a page number is missing: expected `FILE PAGE [r|w]`");
      err.at(n, col, "expected a page number (a non-negative integer), found `" + t + "`");
    };
    if (k == 1) {
      const std::uint64_t v = page(0);
      sink(PageKey{plain_file(n), v}, false, n);
      return;
    }
    const std::string_view name(tok[0], std::size_t(tend[0] - tok[0]));
    if (name.size() > kMaxFileName)
      err.at(n, 1 + std::size_t(tok[0] - b), "a file name is longer than " + std::to_string(kMaxFileName) + " characters");
    FileId f;
    if (!files.id(name, f)) err.at(n, 1 + std::size_t(tok[0] - b), "more than 1000000 distinct file names");
    const std::uint64_t v = page(1);
    bool write = false;
    if (k == 3) {
      const std::string_view op(tok[2], std::size_t(tend[2] - tok[2]));
      if (op == "w" || op == "W") write = true;
      else if (!(op == "r" || op == "R"))
        err.at(n, 1 + std::size_t(tok[2] - b), "expected `r` or `w`, found `" + std::string(op) + "`");
    }
    sink(PageKey{f, v}, write, n);
  });
}

// One object id per line.
template <class Sink>
void parse_plain_trace(std::string_view data, const TraceErrors& err, Sink&& sink) {
  using namespace trace_detail;
  auto number = [&](std::uint64_t v, std::uint64_t) { sink(PageKey{0, v}, false, 0); };
  for_each_line_fast(data, err, number, [&](const char* b, const char* e, std::uint64_t n) {
    while (b < e && is_space(*b)) ++b;
    while (e > b && is_space(e[-1])) --e;
    if (b == e) return;
    std::uint64_t v;
    bool big;
    if (!parse_uint(b, e, ~0ULL, v, big))
      err.at(n, 1, big ? "the id `" + std::string(b, e) + "` does not fit in 64 bits"
                       : "expected an object id (a non-negative integer), found `" + std::string(b, e) + "`");
    sink(PageKey{0, v}, false, n);
  });
}

// csv (an object id per record) and block (a byte range per record).
template <class Sink>
void parse_column_trace(std::string_view data, const TraceErrors& err, const TraceSpec& spec, Sink&& sink) {
  using namespace trace_detail;
  const ColumnSpec& c = spec.columns;
  const bool block = spec.format == TraceFormat::block;
  const char delim = c.delimiter ? c.delimiter : (block ? 0 : ',');
  const int id_col = c.obj_id_col ? c.obj_id_col : 1;
  const int off_col = c.offset_col ? c.offset_col : 1, len_col = c.size_col ? c.size_col : 2;
  const int op_col = c.op_col ? c.op_col : (block && !c.offset_col ? 3 : 0);
  const int need = block ? std::max(off_col, len_col) : id_col;
  for_each_line(data, err, [&](const char* b, const char* e, std::uint64_t n) {
    if (n == 1 && c.has_header) return;
    const char* s = b;
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r')) ++s;
    if (s == e || *s == '#') return;
    const char* fb[3] = {nullptr, nullptr, nullptr};  // id or offset, length, op
    const char* fe[3] = {nullptr, nullptr, nullptr};
    int fields = 0;
    for_each_field(b, e, delim, [&](int i, const char* f, const char* g) {
      fields = i;
      int slot = -1;
      if (block ? i == off_col : i == id_col) slot = 0;
      else if (block && i == len_col) slot = 1;
      else if (i == op_col) slot = 2;
      if (slot < 0) return;
      while (f < g && (*f == ' ' || *f == '\t')) ++f;
      while (g > f && (g[-1] == ' ' || g[-1] == '\t')) --g;
      fb[slot] = f;
      fe[slot] = g;
    });
    if (fields < need)
      err.at(n, 1, "expected at least " + std::to_string(need) + " fields, found " + std::to_string(fields));
    auto number = [&](int slot, const char* what) {
      std::uint64_t v;
      bool big;
      if (parse_uint(fb[slot], fe[slot], ~0ULL, v, big)) return v;
      err.at(n, std::size_t(fb[slot] - b) + 1,
             std::string("expected ") + what + " (a non-negative integer), found `" + std::string(fb[slot], fe[slot]) + "`");
    };
    const bool write = fb[2] && is_write_op(std::string_view(fb[2], std::size_t(fe[2] - fb[2])));
    if (!block) {
      sink(PageKey{0, number(0, "an object id")}, write, n);
      return;
    }
    const std::uint64_t off = number(0, "a byte offset"), len = number(1, "a length in bytes");
    if (len == 0) err.at(n, std::size_t(fb[1] - b) + 1, "a length of 0 bytes covers no page");
    if (off > ~0ULL - (len - 1)) err.at(n, std::size_t(fb[1] - b) + 1, "offset + length passes 2^64");
    const std::uint64_t first = off / kPageSize, last = (off + (len - 1)) / kPageSize;
    if (last - first >= kMaxBlockPages)
      err.at(n, std::size_t(fb[1] - b) + 1, "a record longer than 1 GiB (262144 pages)");
    for (std::uint64_t p = first; p <= last; ++p) sink(PageKey{0, p}, write, n);
  });
}

// libCacheSim's oracleGeneral. The sink's third argument is the next-access time.
template <class Sink>
void parse_oracle_trace(std::string_view data, const TraceErrors& err, Sink&& sink) {
  const std::size_t n = data.size() / kOracleRecord;
  if (data.size() % kOracleRecord)
    err.record(n + 1, "cut short: the file has " + std::to_string(data.size()) +
                          " bytes, not a multiple of the 24-byte record");
  const char* p = data.data();
  for (std::size_t i = 0; i < n; ++i, p += kOracleRecord) {
    std::uint64_t id;
    std::uint32_t size;
    std::int64_t next;
    std::memcpy(&id, p + 4, 8);
    std::memcpy(&size, p + 12, 4);
    std::memcpy(&next, p + 16, 8);
    if (size == 0) continue;
    std::uint64_t when = ReplacementPolicy::kNever;
    if (next != -1 && next != INT64_MAX) {
      if (next < 0) err.record(i + 1, "next-access time " + std::to_string(next) + " (expected a time, or -1 for never)");
      when = std::uint64_t(next);
    }
    sink(PageKey{0, id}, false, when);
  }
}

// Any format: sink(key, write, next) with next the next-access time for
// oracleGeneral and kNever (unknown) for the others. Returns the number of files
// (text format; 0 for the others).
template <class Sink>
std::uint64_t parse_trace(std::string_view data, const std::string& name, const TraceSpec& spec, Sink&& sink) {
  const TraceErrors err(name);
  auto unknown_future = [&](PageKey k, bool w, std::uint64_t) { sink(k, w, ReplacementPolicy::kNever); };
  switch (spec.format) {
    case TraceFormat::text: {
      FileNames files;
      parse_text_trace(data, err, files, unknown_future);
      return files.size();
    }
    case TraceFormat::plain: parse_plain_trace(data, err, unknown_future); return 0;
    case TraceFormat::csv:
    case TraceFormat::block: parse_column_trace(data, err, spec, unknown_future); return 0;
    case TraceFormat::oracle_general: parse_oracle_trace(data, err, sink); return 0;
  }
  return 0;
}

}  // namespace kiosim
