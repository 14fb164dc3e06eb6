#!/usr/bin/env python3
"""homework grade, key, new and run -c at the command line: malformed, missing and unknown
answers get their messages (file:line, question id) and a zero, never a crash; a class CSV
has one row per student; Gradescope's results.json parses and its scores add up; a
template can grade per-student answers; bad templates and options are refused (exit 2).

Usage: homework_grading.py KIOSIM SOURCE_DIR
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

kiosim, src = sys.argv[1], sys.argv[2]
template = os.path.join(src, "course", "01-copy-problem", "homework.yaml")
failures = []


def run(*args):
    p = subprocess.run([kiosim, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def expect(name, cond, detail=""):
    if not cond:
        failures.append(f"{name}\n{detail}")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


with tempfile.TemporaryDirectory() as d:
    prob = os.path.join(d, "hw.yaml")
    code, out, err = run("homework", "new", template, "--seed", "7", "-o", prob)
    expect("homework new", code == 0 and "wrote" in out, out + err)
    ids = ["rw-syscalls", "rw-mode-switches", "rw-copies-per-byte", "sendfile-copies", "less-cpu", "sendfile-time"]

    # run: the problem without answers; -c with them and the reasoning
    code, out, err = run("run", prob)
    expect("run prints the options and the questions", code == 0 and "ARG seed      7" in out and "ARG param     size = " in out
           and all(f"[{i}," in out for i in ids) and "answer:" not in out, out + err)
    code, out, err = run("run", prob, "-c")
    expect("run -c prints each answer with its reasoning", code == 0 and out.count("answer:") == len(ids)
           and "syscall_enter event(s)" in out, out + err)
    code, out, err = run("run", prob, "--answers", "--set", "nic.mtu=9000")
    expect("run of a problem refuses other options", code == 2 and "runs as it was handed out" in err, out + err)
    # --trace records the problem's runs for the GUI (kiosim-gui runs `run FILE --trace`)
    trace = os.path.join(d, "hw-trace.json")
    code, out, err = run("run", prob, "--trace", trace)
    ok_trace = code == 0 and os.path.exists(trace)
    if ok_trace:
        with open(trace) as f:
            doc = json.load(f)
        ok_trace = doc.get("format") == "kiosim-trace" and len(doc.get("runs", [])) >= 2
    expect("run --trace of a problem writes its runs' trace", ok_trace, out + err)
    code, out, err = run("run", prob, "-c", "--trace", trace)
    expect("run -c --trace is refused", code == 2 and "runs as it was handed out" in err, out + err)
    code, out, err = run("run", template)
    expect("run of a template says how to make a problem", code == 2 and "homework new" in err, err)
    code, out, err = run("homework", "new", prob, "--seed", "1")
    expect("homework new refuses a problem", code == 2 and "a problem already" in err, err)
    code, out, err = run("homework", "new", template)
    expect("homework new needs --seed or --student", code != 0 and "--seed or --student" in out + err, out + err)

    # the key, and a class of answer files with every kind of mistake
    key = os.path.join(d, "key.yaml")
    run("homework", "key", prob, "-o", key)
    good = open(key).read()
    answers = {
        "good": good,
        "missing": "\n".join(l for l in good.splitlines() if not l.startswith("less-cpu:")) + "\n",
        "malformed": good.replace("rw-syscalls: ", "rw-syscalls: lots # was ").replace("sendfile-copies: no", "sendfile-copies: maybe"),
        "unknown": good + "rw-syscals: 3\n",
        "notyaml": "rw-syscalls: [1, 2\n",
        "alist": "- 1\n- 2\n",
        "mapvalue": good.replace("rw-mode-switches: ", "rw-mode-switches: {a: 1} # "),
    }
    files = [write(os.path.join(d, f"{k}.yaml"), v) for k, v in answers.items()]
    files.append(os.path.join(d, "absent.yaml"))
    csvf, gs = os.path.join(d, "grades.csv"), os.path.join(d, "results.json")
    code, out, err = run("homework", "grade", prob, *files, "--csv", csvf, "--json")
    expect("grading a class with bad files exits 0", code == 0, err)
    grades = {os.path.basename(g["file"]).split(".")[0]: g for g in json.loads(out)["grades"]} if code == 0 else {}
    score = lambda who, q: next(x["score"] for x in grades[who]["questions"] if x["id"] == q)
    if grades:
        expect("the key scores every point", grades["good"]["score"] == grades["good"]["max_score"] == 9, grades["good"])
        expect("a missing answer: zero there only", score("missing", "less-cpu") == 0 and grades["missing"]["score"] == 8)
        expect("malformed answers: zero there only", score("malformed", "rw-syscalls") == 0
               and score("malformed", "sendfile-copies") == 0 and grades["malformed"]["score"] == 6)
        expect("an unknown answer costs nothing", grades["unknown"]["score"] == 9)
        expect("a file that is not YAML scores 0", grades["notyaml"]["score"] == 0)
        expect("a list scores 0", grades["alist"]["score"] == 0)
        expect("a map as an answer scores 0 there", score("mapvalue", "rw-mode-switches") == 0)
        expect("a file that does not exist scores 0", grades["absent"]["score"] == 0)
    for needle in [
        "missing.yaml: error: question `less-cpu`: no answer (0 of 1 points)",
        "malformed.yaml:", "question `rw-syscalls`: expected a whole number (a counter), found `lots`",
        "question `sendfile-copies`: expected yes or no, found `maybe`",
        "unknown.yaml:", "`rw-syscals` is not a question of this homework; did you mean `rw-syscalls`?",
        "notyaml.yaml:2:1: error: malformed YAML",
        "alist.yaml:1: error: an answers file is a map",
        "question `rw-mode-switches`: expected a whole number (a counter), found a map",
        "absent.yaml: error: cannot open the file",
    ]:
        expect(f"message `{needle}`", needle in err, err)
    rows = list(csv.reader(open(csvf))) if os.path.exists(csvf) else []
    expect("the CSV: a header and one row per student", len(rows) == 1 + len(files)
           and rows[0] == ["student", "file"] + ids + ["score", "max_score"], rows)

    # Gradescope: one submission; the scores add up
    code, out, err = run("homework", "grade", prob, files[1], "--gradescope", gs)
    r = json.load(open(gs)) if code == 0 else {}
    expect("results.json parses, one test per question", code == 0 and len(r.get("tests", [])) == len(ids), out + err)
    if r:
        expect("the tests' scores add up to the score", abs(sum(t["score"] for t in r["tests"]) - r["score"]) < 1e-9, r)
        expect("every test has name, score, max_score, output, visibility",
               all(set(t) == {"name", "score", "max_score", "output", "visibility"} for t in r["tests"]), r)
        expect("the max scores add up to the homework's points", sum(t["max_score"] for t in r["tests"]) == 9, r)
        expect("the missing answer is in the output", "no answer" in r["output"], r)
    code, out, err = run("homework", "grade", prob, files[0], files[1], "--gradescope", gs)
    expect("--gradescope with two files is refused", code == 2 and "one submission" in err, err)

    # a template grades each student's answers against their own problem
    for who in ("ada", "linus"):
        p = os.path.join(d, f"{who}.yaml")
        run("homework", "new", template, "--student", who, "-o", p)
        run("homework", "key", p, "-o", os.path.join(d, f"key-{who}.yaml"))
    code, out, err = run("homework", "grade", template, os.path.join(d, "key-ada.yaml"), os.path.join(d, "key-linus.yaml"), "--json")
    g = json.loads(out)["grades"] if code == 0 else []
    expect("template grading: each student's key scores 100%", len(g) == 2 and all(x["score"] == x["max_score"] for x in g)
           and [x["student"] for x in g] == ["ada", "linus"], out + err)
    code, out, err = run("homework", "grade", template, os.path.join(d, "key.yaml"))
    expect("template grading without student: or seed: says so", code == 0 and "needs `student: ID` or `seed: N`" in err, err)

    # a bad template: file:line of the template, exit 2
    bad = write(os.path.join(d, "bad.yaml"), open(template).read().replace("syscalls@read_write", "syscalls@read_wirte"))
    code, out, err = run("homework", "new", bad, "--seed", "1")
    expect("a template naming a run that does not exist", code == 2 and "bad.yaml:" in err and "no run `read_wirte`" in err
           and "did you mean `read_write`" in err, err)
    bad = write(os.path.join(d, "bad2.yaml"), open(template).read().replace("${chunk}", "${chunck}"))
    code, out, err = run("homework", "new", bad, "--seed", "1")
    expect("a placeholder that is not a parameter", code == 2 and "`${chunck}` is not a parameter" in err, err)
    bad = write(os.path.join(d, "bad3.yaml"), open(template).read().replace("counter: syscalls@", "counter: sycalls@"))
    code, out, err = run("homework", "new", bad, "--seed", "1")
    expect("an unknown counter", code == 2 and "unknown counter `sycalls`; did you mean `syscalls`?" in err, err)

for f in failures:
    print("FAIL:", f)
print(f"homework_grading: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
