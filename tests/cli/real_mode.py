#!/usr/bin/env python3
"""CLI tests of real mode (issue 7): measure runs unprivileged and leaves nothing
behind, also after SIGINT; calibrate writes a profile that run and check accept;
bad flags and malformed profiles are refused with exit 2.
On a busy host (issue 21, item 7) check says so at the top and marks the rows.
Usage: real_mode.py KIOSIM SOURCE_DIR TEST   (TEST: sigint | clean | profile | errors | busy)"""
import json, os, signal, subprocess, sys, tempfile, time

kiosim, src, test = sys.argv[1], sys.argv[2], sys.argv[3]
scenario = os.path.join(src, "scenarios", "copy-table.yaml")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def env_with(tmp):
    e = dict(os.environ)
    e["TMPDIR"] = tmp
    return e


def run(args, tmp, **kw):
    return subprocess.run([kiosim] + args, env=env_with(tmp), capture_output=True, text=True, timeout=600, **kw)


with tempfile.TemporaryDirectory() as tmp:
    if test == "sigint":
        # A long measurement; interrupt it once its private directory holds its file.
        p = subprocess.Popen([kiosim, "measure", scenario, "--size", "64MiB", "--repeat", "1000", "-q"],
                             env=env_with(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        seen = None
        while time.time() < deadline and seen is None:
            for d in os.listdir(tmp):
                full = os.path.join(tmp, d)
                if d.startswith("kiosim-") and os.path.isdir(full) and os.listdir(full):
                    seen = full
            time.sleep(0.05)
        if seen is None:
            p.kill()
            fail("measure never created its private directory under TMPDIR")
        time.sleep(0.5)  # well inside the timed runs
        p.send_signal(signal.SIGINT)
        try:
            rc = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            fail("measure did not stop on SIGINT")
        if rc != -signal.SIGINT:
            fail(f"expected death by SIGINT, got exit {rc}")
        left = os.listdir(tmp)
        if left:
            fail(f"left behind after SIGINT: {left}")
        print("ok: SIGINT removed", seen)
    elif test == "clean":
        r = run(["measure", scenario, "--size", "1MiB", "--repeat", "2", "--json", "-q"], tmp)
        if r.returncode != 0:
            fail(f"measure failed ({r.returncode}): {r.stderr}")
        doc = json.loads(r.stdout)
        methods = {m["method"]: m for m in doc["measurement"]["methods"]}
        want = {"read_write": 32, "mmap_write": 17, "sendfile": 1, "splice": 32}
        for name, n in want.items():
            got = methods[name]["counters"]["syscalls"]
            if got != n:
                fail(f"{name}: {got} syscalls, expected {n}")
        if os.listdir(tmp):
            fail(f"left behind: {os.listdir(tmp)}")
        print("ok: measure ran unprivileged and removed its directory")
    elif test == "profile":
        prof = os.path.join(tmp, "profile.yaml")
        r = run(["calibrate", "--quick", "-q", "-o", prof], tmp)
        if r.returncode != 0 or not os.path.exists(prof):
            fail(f"calibrate failed ({r.returncode}): {r.stderr}")
        # run accepts it (a scenario naming the profile by path)...
        sc = os.path.join(tmp, "with-profile.yaml")
        text = open(scenario).read().replace("machine: default", f"machine: {prof}")
        open(sc, "w").write(text)
        r = run(["run", sc, "--method", "sendfile", "--json"], tmp)
        if r.returncode != 0:
            fail(f"run rejected the calibrated profile: {r.stderr}")
        # ...and `run --machine` uses it instead of the scenario's machine (as the JSON says).
        r = run(["run", scenario, "--machine", prof, "--method", "sendfile", "--json"], tmp)
        if r.returncode != 0 or "warning" in r.stderr:
            fail(f"run --machine: {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        if doc["machine"]["keys"]["net.receiver"] != "local":
            fail("run --machine: the profile's net.receiver (local) was not used")
        # ...and check does, with no warning (every key is there).
        # page_cache.readahead is held at Linux's 128 KiB default: the profile has the host's
        # read_ahead_kb (8 MiB here), whose read-around brings large folios that one fault maps
        # whole, and the hand-worked 16 faults below are of the fault-around window alone.
        r = run(["check", scenario, "--machine", prof, "--sizes", "1MiB", "--repeat", "1", "--json", "-q",
                 "--set", "page_cache.readahead=128KiB"], tmp)
        if r.returncode != 0:
            fail(f"check failed ({r.returncode}): {r.stderr}")
        if "warning" in r.stderr:
            fail(f"calibrated profile gave warnings: {r.stderr}")
        doc = json.loads(r.stdout)
        if len(doc["rows"]) != 4:
            fail("check: expected 4 rows (four methods at one size)")
        for row in doc["rows"]:
            if row["syscalls"]["predicted"] != row["syscalls"]["measured"]:
                fail(f"check: {row['method']} syscalls predicted {row['syscalls']['predicted']} measured {row['syscalls']['measured']}")
        # The calibrated profile keeps the fault-around window (issue 13): mmap_write of the
        # cold 1 MiB file touches 256 pages; each fault maps its aligned 64 KiB window
        # (fault_around_bytes' default, debugfs being unreadable unprivileged), or a whole
        # folio of the readahead windows (page_cache_ra_order: order 2 for the read-around,
        # +2 per async window, at most ilog2(32) = 5). As derived in tests/unit/test_mm_linux.cpp
        # ("a sequential mmap scan takes one major fault"): faults at 0 (major), 16, 24 (the
        # marker), 32, 48, then one per 32-page folio at 64, 96, 128, 160, 192, and 224, 240
        # in the folio that ends at EOF (fault-around only): 11 minor faults. The profile that
        # took the measured pages per fault for the window (512 KiB) predicted 256 / 128 = 2.
        mw = [row for row in doc["rows"] if row["method"] == "mmap_write"][0]
        if mw["page_faults_minor"]["predicted"] != 11:
            fail(f"check: mmap_write predicts {mw['page_faults_minor']['predicted']} minor faults with the "
                 "calibrated profile, expected 11")
        prof_text = open(prof).read()
        if "mm.folio" not in prof_text or "fault_around_bytes" not in prof_text:
            fail("calibrated profile does not say where mm.fault_around and mm.folio came from")
        # The host facts that are keys say which file they came from (issue 14, item 3).
        for source in ("read_ahead_kb", "/proc/sys/vm/dirty_ratio", "/proc/sys/vm/dirty_expire_centisecs",
                       "MemAvailable"):
            if source not in prof_text:
                fail(f"calibrated profile does not name {source} as the source of its key")
        leftovers = [d for d in os.listdir(tmp) if d.startswith("kiosim-")]
        if leftovers:
            fail(f"left behind: {leftovers}")
        print("ok: calibrate -> run and check accept the profile")
    elif test == "errors":
        bad = os.path.join(tmp, "bad.yaml")
        open(bad, "w").write("kiosim_machine: 1\ncpu:\n  syscall: fast\n")
        r = run(["check", scenario, "--machine", bad, "--sizes", "1MiB", "-q"], tmp)
        if r.returncode != 2 or "syscall" not in r.stderr:
            fail(f"malformed profile: expected exit 2 naming the key, got {r.returncode}: {r.stderr}")
        partial = os.path.join(tmp, "partial.yaml")
        open(partial, "w").write("kiosim_machine: 1\ncpu:\n  syscall: 300ns\n")
        r = run(["check", scenario, "--machine", partial, "--sizes", "1MiB", "--repeat", "1", "--method", "sendfile",
                 "-q"], tmp)
        if r.returncode != 0 or "machine keys not given take their defaults" not in r.stderr \
                or "warning: no `" in r.stderr or r.stderr.count("warning") != 1:
            fail(f"partial profile: expected one warning line and success, got {r.returncode}: {r.stderr}")
        r = run(["run", scenario, "--machine", partial, "--method", "sendfile", "--verbose"], tmp)
        if r.returncode != 0 or "warning: no `cpu.copy_bandwidth`" not in r.stderr:
            fail(f"partial profile --verbose: expected the missing keys by name, got {r.returncode}: {r.stderr}")
        r = run(["run", scenario, "--machine", os.path.join(tmp, "nowhere.yaml")], tmp)
        if r.returncode != 2 or "--machine" not in r.stderr:
            fail(f"run --machine of a missing file: expected exit 2 naming --machine, got {r.returncode}: {r.stderr}")
        for args in (["measure", scenario, "--repeat", "0"], ["measure", scenario, "--size", "lots"],
                     ["check", scenario, "--sizes", "1MiB,x"], ["measure", scenario, "--receiver", "pigeon"]):
            r = run(args, tmp)
            if r.returncode != 2:
                fail(f"{args}: expected exit 2, got {r.returncode}")
        big = run(["measure", scenario, "--size", "64TiB"], tmp)
        if big.returncode != 2 or "free" not in big.stderr and "memory" not in big.stderr:
            fail(f"64TiB: expected a clear refusal (exit 2), got {big.returncode}: {big.stderr}")
        if os.listdir(tmp) != ["bad.yaml", "partial.yaml"] and sorted(os.listdir(tmp)) != ["bad.yaml", "partial.yaml"]:
            fail(f"left behind: {os.listdir(tmp)}")
        print("ok: bad input refused with exit 2")
    elif test == "busy":
        # Make the host busy for sure: four spinners on the CPUs for long enough that PSI's
        # 10-second average passes 10% (kernel/sched/psi.c updates it every 2 s; with every
        # CPU taken some task waits all the time, so after 4 s avg10 is about 1 - e^-0.4 = 33%).
        # Only this direction can be asserted: whether CI's host is idle is not ours to know.
        if not os.path.exists("/proc/pressure/cpu"):
            print("skipped: this kernel has no /proc/pressure/cpu (PSI)")
            sys.exit(77)
        spin = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * os.cpu_count())]
        try:
            time.sleep(4)
            r = run(["check", scenario, "--sizes", "64KiB", "--repeat", "1", "--method", "read_write", "-q"], tmp)
            j = run(["check", scenario, "--sizes", "64KiB", "--repeat", "1", "--method", "read_write", "-q", "--json"], tmp)
        finally:
            for p in spin:
                p.kill()
                p.wait()
        if r.returncode != 0 or j.returncode != 0:
            fail(f"check on a busy host failed: {r.returncode} {r.stderr} {j.stderr}")
        if not r.stdout.startswith("WARNING the host was busy"):
            fail("check on a busy host: expected a WARNING at the top, got:\n" + r.stdout[:400])
        row = [l for l in r.stdout.splitlines() if l.startswith("read_write")]
        if len(row) != 1 or "busy" not in row[0].split("|")[-1]:
            fail(f"check on a busy host: expected the read_write row marked busy, got {row}")
        doc = json.loads(j.stdout)
        if not doc["host_load"]["busy"] or "busy" not in doc["rows"][0]["marks"] or not doc["warnings"]:
            fail(f"check --json on a busy host: expected busy, a marked row and warnings: {doc['host_load']}")
        print("ok: a busy host is named at the top and its rows are marked")
    else:
        fail("unknown test " + test)
