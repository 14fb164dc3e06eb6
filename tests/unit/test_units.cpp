// Units as people write them in scenario files (sim/scenario/units.h) and did-you-mean.
#include <catch2/catch.hpp>

#include "sim/scenario/suggest.h"
#include "sim/scenario/units.h"

using namespace kiosim;

TEST_CASE("sizes", "[units]") {
  CHECK(*parse_size("4096") == 4096);
  CHECK(*parse_size("64KiB") == 65536);
  CHECK(*parse_size("1.5 MiB") == 1572864);
  CHECK(*parse_size("1GB") == 1e9);
  CHECK_FALSE(parse_size("64 parsecs"));
  CHECK_FALSE(parse_size("KiB"));
  CHECK(format_size(65536) == "64KiB");
}

TEST_CASE("times, rates and frequencies", "[units]") {
  CHECK(*parse_time_ns("80us") == 80000);
  CHECK(*parse_time_ns("1.5ms") == 1.5e6);
  CHECK(*parse_time_ns("0") == 0);
  CHECK_FALSE(parse_time_ns("5"));  // a bare number is ambiguous: say the unit
  CHECK(*parse_rate("10Gbit/s") == 1.25e9);
  CHECK(*parse_rate("2GB/s") == 2e9);
  CHECK(*parse_rate("1MiB/s") == 1048576);
  CHECK(*parse_frequency("3GHz") == 3e9);
}

TEST_CASE("did you mean", "[suggest]") {
  CHECK(*closest("chunck", {"file", "chunk", "offset"}) == "chunk");
  CHECK(*closest("sendfiel", {"read_write", "sendfile", "splice"}) == "sendfile");
  CHECK_FALSE(closest("zzzzzz", {"file", "chunk"}));
  CHECK(did_you_mean("chunck", {"file", "chunk"}) == "; did you mean `chunk`?");
  CHECK(did_you_mean_param("sise", {"size"}) == "; did you mean `$size`?");
  CHECK(did_you_mean("zzzzzz", {"file", "chunk"}) == "");
  CHECK(did_you_mean("zzzzzz", {"file", "chunk"}, expected_one_of({"file", "chunk"})) ==
        "; expected one of: file, chunk");
}

TEST_CASE("units: split_commas keeps empty items, so a stray comma is reported") {
  CHECK(kiosim::split_commas("1MiB,16MiB") == std::vector<std::string>{"1MiB", "16MiB"});
  CHECK(kiosim::split_commas("1MiB,") == std::vector<std::string>{"1MiB", ""});
  CHECK(kiosim::split_commas("") == std::vector<std::string>{""});
}
