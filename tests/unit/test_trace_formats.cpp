// cache-replay's trace formats: each read by hand, each malformed record refused
// with its place (file:line:column, or the record number for oracleGeneral).
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "sim/run/cache_replay.h"
#include "sim/run/trace_formats.h"
#include "sim/scenario/scenario.h"

using namespace kiosim;

namespace {
ReplaySetup setup(TraceFormat f, const std::string& columns = "", CachePolicy p = CachePolicy::lru) {
  ReplaySetup s;
  s.policy = p;
  s.trace.format = f;
  if (!columns.empty()) s.trace.columns = parse_column_spec(columns);
  if (f == TraceFormat::csv && columns.empty()) s.trace.columns.obj_id_col = 1;
  return s;
}
std::string error_of(const std::string& data, const ReplaySetup& s) {
  try {
    replay_data(data, "t.trace", s, 4);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
std::string oracle_record(std::uint32_t time, std::uint64_t id, std::uint32_t size, std::int64_t next) {
  char r[24];
  std::memcpy(r, &time, 4);
  std::memcpy(r + 4, &id, 8);
  std::memcpy(r + 12, &size, 4);
  std::memcpy(r + 16, &next, 8);
  return std::string(r, 24);
}
}  // namespace

TEST_CASE("plain: one id per line, 64-bit ids", "[trace_format]") {
  // lru, 2 pages: 5 7 5 miss miss hit; 18446744073709551615 (2^64 - 1) misses and
  // evicts 7; 5 hits. Hits 2.
  const ReplaySetup s = setup(TraceFormat::plain);
  ReplayResult r = replay_data("5\n7\n  5 \n\n18446744073709551615\n5", "t", s, 2);
  CHECK(r.accesses == 5);
  CHECK(r.hits == 2);
  CHECK(r.files == 0);
  CHECK_THAT(error_of("5\nx7\n", s), Catch::Contains("t.trace:2:1: error") && Catch::Contains("`x7`"));
  CHECK_THAT(error_of("18446744073709551616\n", s), Catch::Contains("t.trace:1:1") && Catch::Contains("64 bits"));
  CHECK_THAT(error_of("5 7\n", s), Catch::Contains("expected an object id"));
}

TEST_CASE("csv: columns from a libCacheSim-style spec", "[trace_format]") {
  // Header skipped; id in column 2, op in column 3. lru, 2 pages: 10 20 10(w) 30
  // 10: miss miss hit miss(evicts 20) hit. Writes 1.
  const ReplaySetup s = setup(TraceFormat::csv, "obj-id-col=2,op-col=3,delimiter=,,has-header=true");
  ReplayResult r = replay_data("time,id,op\n1,10,get\n2,20,get\n3,10,set\n4,30,get\r\n5,10,get\n", "t", s, 2);
  CHECK(r.accesses == 5);
  CHECK(r.hits == 2);
  CHECK(r.writes == 1);
  // Another delimiter, id in column 1 by default.
  CHECK(replay_data("7;a\n7;b\n", "t", setup(TraceFormat::csv, "delimiter=;"), 2).hits == 1);
  CHECK(replay_data("7\t1\n7\t1\n", "t", setup(TraceFormat::csv, "obj-id-col=1,delimiter=tab"), 2).hits == 1);
  const ReplaySetup s2 = setup(TraceFormat::csv, "obj-id-col=3");
  CHECK_THAT(error_of("1,2,3\n1,2\n", s2), Catch::Contains("t.trace:2:1") && Catch::Contains("at least 3 fields, found 2"));
  CHECK_THAT(error_of("1,2,abc\n", s2), Catch::Contains("t.trace:1:5") && Catch::Contains("an object id") &&
                                            Catch::Contains("`abc`"));
}

TEST_CASE("csv/block: the column spec's own errors", "[trace_format]") {
  auto spec_error = [](const std::string& spec) {
    try {
      parse_column_spec(spec);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(spec_error("obj-id-col=0"), Catch::Contains("--columns") && Catch::Contains("column number"));
  CHECK_THAT(spec_error("obj-id=2"), Catch::Contains("unknown key `obj-id`"));
  CHECK_THAT(spec_error("has-header=yes"), Catch::Contains("true or false"));
  CHECK_THAT(spec_error("obj-id-col"), Catch::Contains("KEY=VALUE"));
  CHECK_THAT(spec_error("delimiter=ab"), Catch::Contains("expected `,` after delimiter"));
  const ColumnSpec c = parse_column_spec("delimiter=,,obj-id-col=4,has-header=true");
  CHECK(c.delimiter == ',');
  CHECK(c.obj_id_col == 4);
  CHECK(c.has_header);
  CHECK(spec_error("offset-col=5,size-col=6,op-col=4,delimiter=comma") == "");
}

TEST_CASE("block: byte ranges split into 4 KiB pages", "[trace_format]") {
  // `OFFSET LENGTH [r|w]`: 0 8192 covers pages 0 and 1; 4095 2 covers pages 0 and 1
  // (bytes 4095 and 4096); 8192 1 w covers page 2. lru, 4 pages: 0 1 miss, 0 1 hit,
  // 2 miss. Accesses 5, hits 2, writes 1.
  const ReplaySetup s = setup(TraceFormat::block);
  ReplayResult r = replay_data("0 8192 r\n4095,2\n8192 1 w\n", "t", s, 4);
  CHECK(r.accesses == 5);
  CHECK(r.hits == 2);
  CHECK(r.writes == 1);
  // MSR Cambridge layout: Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime.
  const ReplaySetup msr = setup(TraceFormat::block, "offset-col=5,size-col=6,op-col=4,delimiter=,");
  ReplayResult m = replay_data("1,h,0,Write,12288,4096,5\n2,h,0,Read,12288,8192,5\n", "t", msr, 4);
  CHECK(m.accesses == 3);  // page 3; pages 3 and 4
  CHECK(m.hits == 1);
  CHECK(m.writes == 1);
  CHECK_THAT(error_of("0 0\n", s), Catch::Contains("t.trace:1:3") && Catch::Contains("length of 0"));
  CHECK_THAT(error_of("0 4096\nx 4096\n", s), Catch::Contains("t.trace:2:1") && Catch::Contains("a byte offset"));
  CHECK_THAT(error_of("0\n", s), Catch::Contains("at least 2 fields"));
  CHECK_THAT(error_of("0 8589934592\n", s), Catch::Contains("longer than 1 GiB"));
  CHECK_THAT(error_of("18446744073709551615 2\n", s), Catch::Contains("passes 2^64"));
}

TEST_CASE("oracleGeneral: 24-byte records; opt takes the future from the file", "[trace_format][opt]") {
  // Ids 1 2 3 1 2 1 at times 0-5 with their next-access times (-1: never), as in
  // the opt test of test_replay_policies.cpp: 2 pages, opt hits 2.
  const std::int64_t next[] = {3, 4, -1, 5, -1, -1};
  const std::uint64_t ids[] = {1, 2, 3, 1, 2, 1};
  std::string good;
  for (int i = 0; i < 6; ++i) good += oracle_record(std::uint32_t(i), ids[i], 4096, next[i]);
  const ReplaySetup opt = setup(TraceFormat::oracle_general, "", CachePolicy::opt);
  CHECK(replay_data(good, "t", opt, 2).hits == 2);
  CHECK(replay_data(good, "t", setup(TraceFormat::oracle_general), 2).hits == 1);  // lru
  // The field is what opt reads. Ids 1 2 3 2, 2 pages. Told the truth (2's next use
  // at 3, 1's never), 3 evicts 1 and 2 hits: 1 hit. Told a lie (2 never, 1 at 9),
  // 3 evicts 2, which then misses: 0 hits.
  std::string truth = oracle_record(0, 1, 1, -1) + oracle_record(1, 2, 1, 3) + oracle_record(2, 3, 1, -1) +
                      oracle_record(3, 2, 1, -1);
  std::string lie = oracle_record(0, 1, 1, 9) + oracle_record(1, 2, 1, -1) + oracle_record(2, 3, 1, -1) +
                    oracle_record(3, 2, 1, -1);
  CHECK(replay_data(truth, "t", opt, 2).hits == 1);
  CHECK(replay_data(lie, "t", opt, 2).hits == 0);
  // Size 0 records are skipped (libCacheSim's ignore_size_zero_req).
  CHECK(replay_data(good + oracle_record(6, 1, 0, -1), "t", opt, 2).accesses == 6);
  const ReplaySetup lru = setup(TraceFormat::oracle_general);
  CHECK_THAT(error_of(good + "abc", lru), Catch::Contains("t.trace: error: record 7 (byte 144)") &&
                                              Catch::Contains("cut short") && Catch::Contains("147 bytes"));
  CHECK_THAT(error_of(good + oracle_record(6, 1, 1, -5), lru),
             Catch::Contains("record 7 (byte 144)") && Catch::Contains("next-access time -5"));
  CHECK(error_of("", lru) == "");  // an empty trace is no error: no accesses
}

TEST_CASE("formats by name", "[trace_format]") {
  for (TraceFormat f : {TraceFormat::text, TraceFormat::plain, TraceFormat::csv, TraceFormat::block,
                        TraceFormat::oracle_general})
    CHECK(parse_trace_format(to_string(f)) == f);
  CHECK(parse_trace_format("oracleGeneral") == TraceFormat::oracle_general);
  CHECK_FALSE(parse_trace_format("vscsi"));
}

TEST_CASE("text fast path: numbers read eight bytes at a time equal the digits", "[trace_formats]") {
  // Lines of 1 to 15 digits, each followed by more text so that the eight-byte read
  // sees past the newline; the ids read must be the numbers written. A line that
  // starts with digits but goes on (`12a`, `7 w`) leaves the fast path: `12a` is an
  // error at column 1 and `f 7 w` a write.
  std::string t;
  std::vector<std::uint64_t> want;
  std::uint64_t v = 1;
  for (int digits = 1; digits <= 15; ++digits, v = v * 10 + std::uint64_t(digits % 10)) {
    t += std::to_string(v) + "\n";
    want.push_back(v);
  }
  t += "0\n00000042\n";
  want.push_back(0);
  want.push_back(42);
  std::vector<std::uint64_t> got;
  parse_trace(t, "t", TraceSpec{}, [&](PageKey k, bool, std::uint64_t) { got.push_back(k.index); });
  CHECK(got == want);
  CHECK_THROWS_WITH(parse_trace(std::string("12a\n12345678\n"), "t", TraceSpec{}, [](PageKey, bool, std::uint64_t) {}),
                    Catch::Contains("t:1:1"));
  bool wrote = false;
  parse_trace(std::string("f 7 w\n12345678\n"), "t", TraceSpec{}, [&](PageKey, bool w, std::uint64_t) { wrote |= w; });
  CHECK(wrote);
}
