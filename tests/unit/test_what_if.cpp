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

namespace {

// A scenario without a sweep, its `set:` block `set` ("" for none), on the default profile
// (disk.scheduler none, mm.fault_around 64KiB, journal.mode ordered), with --set `sets`.
Scenario with_set(const std::string& set, std::vector<std::string> sets = {}) {
  return test::load_text("what-if-set",
                         "kiosim: 1\n" + (set.empty() ? "" : "set: { " + set + " }\n") +
                             "files: [{name: d, size: 64KiB, cached: true}]\n"
                             "processes:\n  - program: [ {open: {file: d, as: f}} ]\n",
                         std::move(sets));
}

}  // namespace

TEST_CASE("what-if: a host key the scenario's set: chose", "[host][what-if]") {
  Scenario same = with_set("disk.scheduler: mq-deadline");  // the host's (facts(): mq-deadline)
  REQUIRE(same.runs().size() == 1);
  REQUIRE_FALSE(host::why_what_if(same, same.runs()[0], facts()));
  host::HostFacts none = facts();
  none.io_scheduler = "none";
  REQUIRE(*host::why_what_if(same, same.runs()[0], none) ==
          "run program sets disk.scheduler=mq-deadline (the scenario's set:); this host's scheduler is none: a "
          "what-if, not compared");
  // The profile's own value is not a what-if: the default's disk.scheduler is none, the
  // host's mq-deadline, and nothing chose it.
  Scenario plain = with_set("");
  REQUIRE_FALSE(host::why_what_if(plain, plain.runs()[0], facts()));
  // A program key in set: (nic.max_frags) is the program's, compared.
  Scenario frags = with_set("nic.max_frags: 1");
  REQUIRE_FALSE(host::why_what_if(frags, frags.runs()[0], facts()));
  // journal.mode journal against the host's ordered (an ext4 mounted without data=).
  host::HostFacts ordered = facts();
  ordered.data_mode = "ordered";
  Scenario journal = with_set("journal.mode: journal");
  REQUIRE(host::why_what_if(journal, journal.runs()[0], ordered)->find("(the scenario's set:); this host's ext4 "
                                                                       "data= mode is ordered") != std::string::npos);
}

TEST_CASE("what-if: a host key --set chose; --set over set:, the sweep over both", "[host][what-if]") {
  Scenario other = with_set("", {"disk.scheduler=none"});  // the default's value, but --set chose it
  REQUIRE(*host::why_what_if(other, other.runs()[0], facts()) ==
          "run program sets disk.scheduler=none (--set); this host's scheduler is mq-deadline: a what-if, not "
          "compared");
  Scenario same = with_set("", {"disk.scheduler=mq-deadline"});
  REQUIRE_FALSE(host::why_what_if(same, same.runs()[0], facts()));
  // set: says none, --set mq-deadline: --set is applied last, the run is the host's.
  Scenario over = with_set("disk.scheduler: none", {"disk.scheduler=mq-deadline"});
  REQUIRE_FALSE(host::why_what_if(over, over.runs()[0], facts()));
  Scenario back = with_set("disk.scheduler: mq-deadline", {"disk.scheduler=none"});
  REQUIRE(host::why_what_if(back, back.runs()[0], facts())->find("disk.scheduler=none (--set)") != std::string::npos);
  // --set mm.fault_around=4KiB: fault_around_bytes unreadable, Linux's 64 KiB.
  Scenario fa = with_set("", {"mm.fault_around=4KiB"});
  REQUIRE(host::why_what_if(fa, fa.runs()[0], facts())->find("mm.fault_around=4KiB (--set); this host's "
                                                             "fault_around_bytes is 64KiB") != std::string::npos);

  // A sweep over the key a set: also names: each run has the sweep's value, judged as the
  // sweep's (no "(set:)"); set: on another host key applies to every run of the sweep.
  Scenario swept_set = test::load_text(
      "what-if-sweep-set", "kiosim: 1\nset: { disk.scheduler: none, mm.fault_around: 4KiB }\n"
                           "sweep: { key: disk.scheduler, values: [none, mq-deadline] }\n"
                           "files: [{name: d, size: 64KiB, cached: true}]\n"
                           "processes:\n  - program: [ {open: {file: d, as: f}} ]\n");
  auto runs = swept_set.runs();
  REQUIRE(runs.size() == 2);
  REQUIRE(*host::why_what_if(swept_set, runs[0], facts()) ==
          "run program[disk.scheduler=none] sets disk.scheduler=none; this host's scheduler is mq-deadline: a "
          "what-if, not compared");
  REQUIRE(*host::why_what_if(swept_set, runs[1], facts()) ==
          "run program[disk.scheduler=mq-deadline] sets mm.fault_around=4KiB (the scenario's set:); this host's "
          "fault_around_bytes is 64KiB: a what-if, not compared");
  host::HostFacts small = facts();
  small.fault_around = "4096";  // root: debugfs says 4 KiB, the set:'s
  REQUIRE_FALSE(host::why_what_if(swept_set, runs[1], small));
}
