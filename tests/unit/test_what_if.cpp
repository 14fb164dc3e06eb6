// check's what-if skip (sim/host/what_if.h), from hand-made host facts: a sweep run that
// sets a host key to what the host is not is skipped with its reason; a run at the host's
// value, a key of the program's own and a scenario without a sweep are compared.
#include <catch2/catch.hpp>

#include "sim/host/what_if.h"
#include "tests/unit/scenario_support.h"

using namespace kiosim;

namespace {

Scenario swept(const std::string& key, const std::string& values) {
  return test::load_text("what-if", "kiosim: 1\nsweep: { key: " + key + ", values: [" + values +
                                        "] }\nfiles: [{name: d, size: 64KiB, cached: true}]\n"
                                        "processes:\n  - program: [ {open: {file: d, as: f}}, "
                                        "{read: {fd: f, bytes: 64KiB}} ]\n");
}

host::HostFacts facts() {
  host::HostFacts f;
  f.io_scheduler = "mq-deadline";
  f.fault_around = "not readable (debugfs); calibrate takes Linux's default, 64KiB";
  return f;
}

}  // namespace

TEST_CASE("what-if: a scheduler run the host is not is skipped, the host's own is compared", "[host][what-if]") {
  Scenario s = swept("disk.scheduler", "none, mq-deadline");
  auto runs = s.runs();
  REQUIRE(runs.size() == 2);
  auto none = host::why_what_if(s, runs[0], facts());
  REQUIRE(none);
  REQUIRE(*none ==
          "run program[disk.scheduler=none] sets disk.scheduler=none; this host's scheduler is mq-deadline: a "
          "what-if, not compared");
  REQUIRE_FALSE(host::why_what_if(s, runs[1], facts()));  // the host's scheduler IS mq-deadline
  host::HostFacts other = facts();
  other.io_scheduler = "none";  // the other way round on a host with no elevator
  REQUIRE_FALSE(host::why_what_if(s, runs[0], other));
  REQUIRE(host::why_what_if(s, runs[1], other));
}

TEST_CASE("what-if: fault-around, unread keys, program keys, no sweep", "[host][what-if]") {
  Scenario fa = swept("mm.fault_around", "64KiB, 4KiB");
  auto runs = fa.runs();
  REQUIRE_FALSE(host::why_what_if(fa, runs[0], facts()));  // unreadable: Linux's 64 KiB
  REQUIRE(host::why_what_if(fa, runs[1], facts())->find("fault_around_bytes is 64KiB") != std::string::npos);
  host::HostFacts root = facts();
  root.fault_around = "4096";  // debugfs readable (root): the host's 4 KiB
  REQUIRE(host::why_what_if(fa, runs[0], root));
  REQUIRE_FALSE(host::why_what_if(fa, runs[1], root));

  Scenario depth = swept("disk.queue_depth", "1, 32");
  for (const auto& r : depth.runs())  // mq/0/nr_tags not readable: every run a what-if
    REQUIRE(host::why_what_if(depth, r, facts())->find("queue depth (mq/0/nr_tags) is not readable") !=
            std::string::npos);
  host::HostFacts nvme = facts();
  nvme.queue_depth = "32";
  REQUIRE(host::why_what_if(depth, depth.runs()[0], nvme));
  REQUIRE_FALSE(host::why_what_if(depth, depth.runs()[1], nvme));
  Scenario modes = swept("journal.mode", "ordered, journal");
  nvme.data_mode = "ordered";  // ext4 mounted without data=: ext4_show_options prints nothing
  REQUIRE_FALSE(host::why_what_if(modes, modes.runs()[0], nvme));
  REQUIRE(*host::why_what_if(modes, modes.runs()[1], nvme) ==
          "run program[journal.mode=journal] sets journal.mode=journal; this host's ext4 data= mode is ordered: a "
          "what-if, not compared");
  Scenario frags = swept("nic.max_frags", "1, 17");  // calibrate writes it: a profile's key, compared
  for (const auto& r : frags.runs()) REQUIRE_FALSE(host::why_what_if(frags, r, facts()));
  Scenario plain = test::load_text("what-if-plain", "kiosim: 1\nfiles: [{name: d, size: 4KiB, cached: true}]\n"
                                                    "processes:\n  - program: [ {open: {file: d, as: f}} ]\n");
  for (const auto& r : plain.runs()) REQUIRE_FALSE(host::why_what_if(plain, r, facts()));
}
