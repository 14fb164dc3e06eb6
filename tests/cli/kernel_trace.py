#!/usr/bin/env python3
"""CLI tests of --kernel-trace (issue 14, item 7): where the host allows tracing (root,
or CAP_PERFMON / CAP_SYS_ADMIN, and tracefs mounted or mountable), check --kernel-trace
of a small cold read sees the kernel's readahead and page-cache events and removes its
tracing instance (and unmounts tracefs if it mounted it); measure --kernel-trace killed
by SIGTERM mid-run removes its instance too. Elsewhere each test says why and skips (77),
after checking that the run goes on with the counters and says why in one line.
Usage: kernel_trace.py KIOSIM TEST   (TEST: check | sigterm | tlb)"""
import json, os, signal, subprocess, sys, tempfile, time

kiosim, test = sys.argv[1], sys.argv[2]
TRACEFS = "/sys/kernel/tracing"
SKIP = 77

# 1 MiB = 256 pages, cold, read in 64 KiB read() calls: one sync readahead, then async
# windows; every page of the file enters the page cache exactly once (256 pages), on the
# host as in the simulator, whatever the folio sizes.
SCENARIO = """kiosim: 1
title: a small cold sequential read (tests/cli/kernel_trace.py)
machine: default
files:
  - { name: data.bin, size: 1MiB, cached: false }
processes:
  - name: reader
    program:
      - open: { file: data.bin, as: f }
      - repeat: 16
        do: [ { read: { fd: f, bytes: 64KiB } } ]
"""
# Long enough to be interrupted: a warm 16 MiB file read 1000 times.
LONG = SCENARIO.replace("1MiB, cached: false", "16MiB, cached: true").replace("repeat: 16", "repeat: 256")
# Two threads on cores 0 and 1, each mapping, writing and unmapping 16 pages 20 times:
# each munmap flushes its own CPU's TLB for the range (tlb_flush reason 2 or 3), so at
# least 2 x 20 = 40 local flushes, and kiosim predicts 40 runs of 16 invalidations.
TLB = """kiosim: 1
title: munmap in two threads (tests/cli/kernel_trace.py)
machine: default
processes:
  - name: app
    threads: 2
    cores: [0, 1]
    program:
      - repeat: 20
        do:
          - mmap: { as: tmp, length: 64KiB, write: true }
          - touch: { map: tmp, bytes: 64KiB, write: true }
          - munmap: { map: tmp }
"""


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def cap_eff():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


def tracefs_mounted():
    with open("/proc/mounts") as f:
        return any(l.split()[1] == TRACEFS and l.split()[2] == "tracefs" for l in f)


def privileged():
    return os.geteuid() == 0 or cap_eff() & ((1 << 38) | (1 << 21))


def kiosim_instances():
    d = os.path.join(TRACEFS, "instances")
    return sorted(x for x in os.listdir(d) if x.startswith("kiosim-")) if os.path.isdir(d) else []


class Mounted:
    """tracefs mounted for the test's own look (and unmounted after, if the test mounted it)."""

    def __enter__(self):
        self.ours = False
        if not tracefs_mounted():
            self.ours = subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], capture_output=True).returncode == 0
        return self

    def __exit__(self, *a):
        if self.ours:
            subprocess.run(["umount", TRACEFS])


with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, TMPDIR=tmp)
    path = os.path.join(tmp, "scenario.yaml")
    with open(path, "w") as f:
        f.write(SCENARIO if test == "check" else TLB if test == "tlb" else LONG)

    if test == "check":
        mounted_before = tracefs_mounted()
        with Mounted():
            before = kiosim_instances()
        r = subprocess.run([kiosim, "check", path, "--kernel-trace", "--json", "-q", "--repeat", "1"], env=env,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            fail(f"check --kernel-trace exited {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        doc = doc["scenarios"][0] if "scenarios" in doc else doc
        kt = doc.get("kernel_trace")
        if kt is None:
            fail("no kernel_trace key in check --json")
        if not kt["active"]:
            why = kt.get("why_not", "")
            if not why or "\n" in why:
                fail(f"an inactive kernel trace must say why in one line, said {why!r}")
            if privileged() and "mountable" not in why:
                fail(f"privileged, yet: {why}")
            if not doc["processes"] or not doc["processes"][0]["cells"]:
                fail("without the trace the counters must still be measured")
            print("SKIP:", why)
            sys.exit(SKIP)
        if tracefs_mounted() != mounted_before:
            fail("tracefs was left mounted (or unmounted) by kiosim: it must unmount only what it mounted")
        kinds = {k["kind"]: k for k in kt["methods"][0]["kinds"]}
        ra = kinds["readahead windows"]
        if ra["kernel"]["count"] < 1:
            fail(f"no page_cache_ra_order seen for a cold read: {kt['methods'][0]['events']}")
        ins = kinds["page cache inserts"]
        if ins["kernel"]["sum"] != 256 or ins["predicted"]["sum"] != 256:
            fail(f"page cache inserts: kernel {ins['kernel']['sum']}, predicted {ins['predicted']['sum']}, expected 256")
        if kt["methods"][0]["events"]["malformed"] != 0:
            fail(f"malformed records: {kt['methods'][0]['events']}")
        # The GUI's lanes: the records in time order from kiosim's marker at the body's start.
        tl = kt["methods"][0]["events"]["timeline"]
        if tl["origin"] != "body start (kiosim's trace_marker)" or tl["body_us"] <= 0:
            fail(f"timeline without the body's markers: {tl['origin']}, {tl['body_us']} us")
        adds = [m for m in tl["marks"] if m["event"] == "mm_filemap_add_to_page_cache"]
        if sum(m["value"] for m in adds) != 256 or any(m["t_us"] < -1000 for m in tl["marks"]):
            fail(f"timeline: {len(adds)} inserts of {sum(m['value'] for m in adds)} pages")
        for want in ("TLB flushes, local", "reclaim: pages freed", "dirty throttle pauses", "transmits",
                     "io_uring requests"):
            if want not in kinds:
                fail(f"kind {want!r} missing from {sorted(kinds)}")
        name = os.path.basename(kt["instance"])
        with Mounted():
            after = kiosim_instances()
        if name in after or after != before:
            fail(f"instance {name} left behind: {after}")
        print("ok: kernel windows", ra["kernel"]["values"], "inserts", ins["kernel"]["sum"], "instance", name, "gone")

    elif test == "sigterm":
        if not privileged():
            print("SKIP: --kernel-trace needs root or CAP_PERFMON/CAP_SYS_ADMIN here")
            sys.exit(SKIP)
        with Mounted() as m:
            if not tracefs_mounted():
                print("SKIP: tracefs is neither mounted nor mountable here")
                sys.exit(SKIP)
            before = kiosim_instances()
            p = subprocess.Popen([kiosim, "measure", path, "--kernel-trace", "--repeat", "1000", "-q"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            seen, deadline = None, time.time() + 20
            while seen is None and time.time() < deadline and p.poll() is None:
                # its own instance, kiosim-PID-XXXXXX: another kiosim on the host may trace too
                new = [x for x in kiosim_instances() if x not in before and x.startswith(f"kiosim-{p.pid}-")]
                seen = new[0] if new else None
                time.sleep(0.01)
            if seen is None:
                p.kill()
                fail(f"no instance appeared: {p.communicate()[1]}")
            time.sleep(0.2)  # mid-run: past the instance's creation, into the repeats
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                fail("kiosim did not end on SIGTERM")
            if p.returncode != -signal.SIGTERM:
                fail(f"kiosim should die of SIGTERM, ended with {p.returncode}")
            if seen in kiosim_instances():
                fail(f"instance {seen} left behind after SIGTERM")
            if [d for d in os.listdir(tmp) if d.startswith("kiosim-")]:
                fail("the private directory was left behind after SIGTERM")
        print("ok: instance", seen, "removed on SIGTERM; private directory removed")
    elif test == "tlb":
        r = subprocess.run([kiosim, "check", path, "--kernel-trace", "--json", "-q", "--repeat", "1"], env=env,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            fail(f"check --kernel-trace exited {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        doc = doc["scenarios"][0] if "scenarios" in doc else doc
        kt = doc.get("kernel_trace") or {}
        if doc.get("refused_runs") and not doc.get("processes"):
            print("SKIP:", doc["refused_runs"][0])
            sys.exit(SKIP)
        if not kt.get("active"):
            print("SKIP:", kt.get("why_not", "not traced"))
            sys.exit(SKIP)
        m = kt["methods"][0]
        kinds = {k["kind"]: k for k in m["kinds"]}
        local = kinds["TLB flushes, local"]
        if local["predicted"]["count"] != 40:
            fail(f"kiosim predicts {local['predicted']['count']} local flushes, expected 40 (2 threads x 20 munmaps)")
        if local["kernel"]["count"] < 40:
            fail(f"the kernel flushed locally {local['kernel']['count']} times, at least 40 expected: {m['events']}")
        if not any("threads" in n for n in kt["notes"]):
            fail(f"the pid filters should follow both threads: {kt['notes']}")
        print("ok: local TLB flushes kernel", local["kernel"]["count"], "predicted", local["predicted"]["count"],
              "remote kernel", kinds["TLB flushes, remote"]["kernel"]["count"], "predicted",
              kinds["TLB flushes, remote"]["predicted"]["count"], "IPIs kernel", kinds["TLB IPIs sent"]["kernel"]["sum"])
    else:
        fail("unknown test " + test)
