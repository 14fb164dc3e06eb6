#!/usr/bin/env python3
"""traced_kiosim.py serves a scenario test's trace only where kiosim would write the same bytes.

usage: traced_kiosim_check.py KIOSIM SOURCE_DIR
1. A trace served for a path asked the way a lesson asks (course/05-page-cache/../../scenarios/X)
   is byte for byte what kiosim writes for that path.
2. It is the cached file that was served: a marked copy comes back marked.
3. A trace older than the scenario or kiosim, another command, or a scenario outside the
   traces: the real kiosim runs (the marked copy does not come back).
"""
import os
import subprocess
import sys
import tempfile

kiosim, src = sys.argv[1], sys.argv[2]
wrapper = os.path.join(src, "tests/gui/traced_kiosim.py")
scenario = os.path.join(src, "scenarios/readahead.yaml")
asked = os.path.join(src, "course/05-page-cache/../../scenarios/readahead.yaml")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


with tempfile.TemporaryDirectory() as tmp:
    traces = os.path.join(tmp, "traces")
    os.mkdir(traces)
    cached = os.path.join(traces, "readahead.json")
    subprocess.run([kiosim, "run", scenario, "--check", "--trace", cached], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, KIOSIM_SCENARIO_TRACES=traces, KIOSIM_REAL_CLI=kiosim)

    def served(*args):
        out = os.path.join(tmp, "out.json")
        if os.path.exists(out):
            os.remove(out)
        subprocess.run([wrapper, *args[:-1], out] if args[-1] == "OUT" else [wrapper, *args], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        with open(out, "rb") as f:
            return f.read()

    direct = os.path.join(tmp, "direct.json")
    subprocess.run([kiosim, "run", asked, "--trace", direct], check=True, stdout=subprocess.DEVNULL)
    with open(direct, "rb") as f:
        want = f.read()
    check(served("run", asked, "--trace", "OUT") == want, "a lesson's path: the bytes kiosim writes for it")

    with open(cached, "ab") as f:
        f.write(b" ")  # marked: only a served copy ends so (kiosim ends its trace with a newline)
    check(served("run", asked, "--trace", "OUT").endswith(b"\n "), "the scenario test's trace is what was served")

    old = os.path.getmtime(scenario) - 10
    os.utime(cached, (old, old))
    check(served("run", asked, "--trace", "OUT") == want, "a trace older than the scenario: kiosim runs")
    os.utime(cached, None)
    check(served("run", asked, "--check", "--trace", "OUT") == want, "another command line: kiosim runs")
    os.rename(cached, os.path.join(traces, "other.json"))
    check(served("run", asked, "--trace", "OUT") == want, "no trace of this scenario: kiosim runs")

assert not failures, f"{len(failures)} check(s) failed: {'; '.join(failures)}"
