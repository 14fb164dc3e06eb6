#!/usr/bin/env python3
"""Every lesson folder course/NN-*/ has what course/README.md promises, and its lesson.yaml
(the GUI's lesson mode) names a scenario, runs, a view and pauses that exist in the run.

Usage: course_lessons.py KIOSIM SOURCE_DIR
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

kiosim, src = sys.argv[1], sys.argv[2]
VIEWS = {"data-path", "compare", "timeline", "page-cache", "address-spaces", "tlb", "journal"}
KEYS = {"lesson", "title", "scenario", "runs", "view", "narration", "pauses", "not_built"}
PAUSE_KEYS = {"at", "say", "question", "answer"}
AT_KEYS = {"run", "kind", "nth", "event", "time"}
failures = []


def fail(where, msg):
    failures.append(f"{where}: {msg}")


def time_ns(text):
    m = re.fullmatch(r"([0-9.]+)\s*(ns|us|ms|s)", str(text))
    if not m:
        return None
    return float(m.group(1)) * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[m.group(2)]


def trace_of(scenario, cache={}):
    if scenario not in cache:
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "t.json")
            p = subprocess.run([kiosim, "run", scenario, "--trace", out, "--json"], capture_output=True, text=True)
            cache[scenario] = json.load(open(out)) if p.returncode == 0 else None
            if p.returncode:
                fail(scenario, f"kiosim run exited {p.returncode}: {p.stderr[:300]}")
    return cache[scenario]


def check_pause(where, i, pause, runs):
    w = f"{where}: pauses[{i}]"
    if not isinstance(pause, dict) or set(pause) - PAUSE_KEYS or "at" not in pause:
        return fail(w, f"a pause is a map with at:, say:, question:, answer: (found {pause!r})")
    for k in ("question", "answer"):
        if not isinstance(pause.get(k, ""), str):
            fail(w, f"{k}: is text")
    at = pause["at"]
    if not isinstance(at, dict) or set(at) - AT_KEYS:
        return fail(w, f"at: takes {sorted(AT_KEYS)}, found {at!r}")
    run = runs.get(at.get("run")) if "run" in at else (next(iter(runs.values())) if len(runs) == 1 else None)
    if run is None:
        return fail(w, f"at.run `{at.get('run')}` is not a run of the scenario ({', '.join(runs)})")
    events = run["events"]
    if sum(k in at for k in ("kind", "event", "time")) != 1:
        return fail(w, "at: names one of kind (with nth), event or time")
    if "kind" in at:
        nth = at.get("nth", 1)
        n = sum(1 for e in events if e["kind"] == at["kind"])
        if not isinstance(nth, int) or nth < 1 or nth > n:
            fail(w, f"run `{run['name']}` has {n} `{at['kind']}` events; nth {nth} is not one of them")
    elif "event" in at:
        if not isinstance(at["event"], int) or not 0 <= at["event"] < len(events):
            fail(w, f"event {at['event']} is not an index of the run's {len(events)} events")
    else:
        t = time_ns(at["time"])
        if t is None or t > run["counters"]["sim_time_ns"]:
            fail(w, f"time {at['time']} is not a time within the run ({run['counters']['sim_time_ns']} ns)")


lessons = sorted(glob.glob(os.path.join(src, "course", "[0-9][0-9]-*")))
if len(lessons) != 10:
    fail("course/", f"expected ten lesson folders, found {len(lessons)}")
for folder in lessons:
    name = os.path.relpath(folder, src)
    for f in ("README.md", "homework.yaml", "lesson.yaml"):
        if not os.path.isfile(os.path.join(folder, f)):
            fail(name, f"no {f}")
    readme = open(os.path.join(folder, "README.md")).read() if os.path.isfile(os.path.join(folder, "README.md")) else ""
    for section in ("## Goals", "## Demo script", "## Misconceptions", "## Questions", "## Homework"):
        if section not in readme:
            fail(name + "/README.md", f"no `{section}` section")
    lf = os.path.join(folder, "lesson.yaml")
    if not os.path.isfile(lf):
        continue
    doc = yaml.safe_load(open(lf))
    where = os.path.relpath(lf, src)
    if not isinstance(doc, dict) or set(doc) - KEYS:
        fail(where, f"keys are {sorted(KEYS)}; found {sorted(doc) if isinstance(doc, dict) else doc!r}")
        continue
    if doc.get("view") not in VIEWS:
        fail(where, f"view `{doc.get('view')}` is not one of {sorted(VIEWS)}")
    scen = os.path.normpath(os.path.join(folder, str(doc.get("scenario", ""))))
    if not os.path.isfile(scen):
        fail(where, f"scenario {doc.get('scenario')} not found")
        continue
    trace = trace_of(scen)
    if trace is None:
        continue
    runs = {r["name"]: r for r in trace["runs"]}
    for r in doc.get("runs", []):
        if r not in runs:
            fail(where, f"runs: `{r}` is not a run of {doc['scenario']} ({', '.join(runs)})")
    pauses = doc.get("pauses", [])
    if not pauses:
        fail(where, "no pauses")
    for i, p in enumerate(pauses):
        check_pause(where, i, p, runs)

for f in failures:
    print("FAIL:", f)
print(f"course_lessons: {len(lessons)} lessons, {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
