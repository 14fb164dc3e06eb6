#!/usr/bin/env python3
"""One homework template, 20 seeds (issue 15, "Done when"): every problem is made and runs
(its key comes from the simulator), the same seed gives a byte-identical file, problems
differ across seeds, the key grades itself 100%, and a wrong answer scores 0 on that
question and nothing elsewhere.

Usage: homework_templates.py KIOSIM TEMPLATE [SEEDS]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

kiosim, template = sys.argv[1], sys.argv[2]
seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
failures = []


def run(*args):
    p = subprocess.run([kiosim, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def wrong(value):
    """An answer outside any tolerance or partial band of the key's `value`."""
    v = value.strip('"')
    if v in ("yes", "no"):
        return "no" if v == "yes" else "yes"
    m = re.fullmatch(r"(-?[0-9.e+-]+)([a-z]*)", v)
    if m:
        return f"{float(m.group(1)) * 3 + 1000:g}{m.group(2)}"
    return None  # a run name: the caller picks another


def parse_key(text):
    return {m.group(1): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+): (.+)$", text, re.M)}


with tempfile.TemporaryDirectory() as d:
    problems = set()
    for seed in range(1, seeds + 1):
        prob, again = os.path.join(d, f"p{seed}.yaml"), os.path.join(d, f"q{seed}.yaml")
        code, _, err = run("homework", "new", template, "--seed", str(seed), "-o", prob)
        if code:
            failures.append(f"seed {seed}: homework new exited {code}: {err}")
            continue
        run("homework", "new", template, "--seed", str(seed), "-o", again)
        if open(prob, "rb").read() != open(again, "rb").read():
            failures.append(f"seed {seed}: two problems from the same seed differ")
        problems.add(open(prob).read().split("\nproblem:\n")[1].split("params:")[1])
        key = os.path.join(d, f"k{seed}.yaml")
        code, _, err = run("homework", "key", prob, "-o", key)
        if code:
            failures.append(f"seed {seed}: homework key exited {code}: {err}")
            continue
        answers = parse_key(open(key).read())
        # every question wrong but one at a time would cost a run per question; instead one
        # file with the first question wrong, one with the last, and the key itself.
        ids = [i for i in answers if i != "student"]
        files = [key]
        for which in (ids[0], ids[-1]):
            bad = dict(answers)
            w = wrong(answers[which])
            if w is None:
                w = "tie"  # a run name: `tie` is wrong unless the key says tie
            bad[which] = w
            path = os.path.join(d, f"w{seed}-{which}.yaml")
            with open(path, "w") as f:
                f.write("".join(f"{k}: {v}\n" for k, v in bad.items()))
            files.append(path)
        code, out, err = run("homework", "grade", prob, *files, "--json")
        if code:
            failures.append(f"seed {seed}: homework grade exited {code}: {err}")
            continue
        grades = json.loads(out)["grades"]
        if grades[0]["score"] != grades[0]["max_score"] or grades[0]["messages"]:
            failures.append(f"seed {seed}: the key scores {grades[0]['score']} of {grades[0]['max_score']}: {grades[0]['messages']}")
        for g, which in zip(grades[1:], (ids[0], ids[-1])):
            for q in g["questions"]:
                expect = 0 if q["id"] == which else q["max_score"]
                if q["score"] != expect:
                    failures.append(f"seed {seed}: with `{which}` wrong, `{q['id']}` scored {q['score']} (expected {expect}): {q}")
    if len(problems) < min(seeds, 2):
        failures.append(f"{seeds} seeds made only {len(problems)} different problem(s)")

for f in failures:
    print("FAIL:", f)
print(f"homework_templates: {template}: {seeds} seeds, {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
