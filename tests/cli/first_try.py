#!/usr/bin/env python3
"""CLI tests of what a first try meets (issue 21, items 2, 4, 5 and 6): each test runs
kiosim as a user would and checks what it prints and how it exits.
Usage: first_try.py KIOSIM SOURCE_DIR TEST"""
import json, os, re, subprocess, sys, tempfile

kiosim, src, test = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
sc = os.path.join(src, "scenarios")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(args, cwd=None):
    return subprocess.run([kiosim] + args, capture_output=True, text=True, timeout=600, cwd=cwd)


def expect(r, code, needle=None, where="stderr"):
    text = r.stderr if where == "stderr" else r.stdout
    if r.returncode != code or (needle is not None and needle not in text):
        fail(f"expected exit {code} and `{needle}` on {where}; got {r.returncode}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")


if test == "subcommand":
    expect(run(["comapre", os.path.join(sc, "copy-table.yaml")]), 2, "did you mean `compare`?")
    expect(run(["frobnicate"]), 2, "unknown command `frobnicate`; expected one of: run, compare")
elif test == "help-defaults":
    for cmd in ("measure", "check"):
        r = run([cmd, "--help"])
        if not re.search(r"--repeat [^\n]*=5\b", r.stdout):
            fail(f"{cmd} --help does not show --repeat's default (=5):\n{r.stdout}")
elif test == "keys":
    r = run(["keys"])
    expect(r, 0, "ARG command   keys", "stdout")
    rows = [l for l in r.stdout.splitlines() if re.match(r"^[a-z_]+\.[a-z_.]+ ", l)]
    if len(rows) < 20:
        fail(f"keys: too few rows:\n{r.stdout}")
    # Every row's default starts in the same column, however long its key.
    starts = {len(re.match(r"^\S+\s+", l).group(0)) for l in rows}
    if len(starts) != 1:
        fail(f"keys: the default column starts at {sorted(starts)}")
elif test == "trace-path":
    r = run(["run", os.path.join(sc, "copy-table.yaml"), "--method", "sendfile", "--trace", "/nonexistent/x.json"])
    expect(r, 2, "cannot write `/nonexistent/x.json`: the directory `/nonexistent` does not exist")
    if r.stdout:
        fail("a refused --trace printed results")
elif test == "crash-before-writes":
    r = run(["run", os.path.join(sc, "crash.yaml"), "--crash-at", "1us"])
    expect(r, 0, "no program had written anything before the crash", "stdout")
    expect(r, 0, "no write was made before it, so no mode loses anything", "stdout")
elif test == "units":
    sg = os.path.join(sc, "copy-table.yaml")
    expect(run(["run", sg, "--method", "sendfile", "--set", "nic.bandwidth=1Gb/s"]), 0)
    r = run(["run", sg, "--method", "sendfile", "--set", "nic.bandwidth=1Gbs"])
    expect(r, 2, "did you mean `1Gbps`?")
    r = run(["run", sg, "--method", "sendfile", "--set", "disk.latency=80usec"])
    expect(r, 2, "did you mean `80us`?")
elif test == "sweep-set":
    r = run(["run", os.path.join(sc, "sg-limit.yaml"), "--set", "nic.on_frag_overflow=linearize", "--json"])
    expect(r, 0, "replaces the scenario's sweep of `nic.on_frag_overflow` (2 values): one run")
    runs = json.loads(r.stdout)["runs"]
    if len(runs) != 1 or runs[0]["counters"]["linearize_bytes"] == 0:
        fail(f"--set did not win over the sweep: {[(x['method'], x['counters']['linearize_bytes']) for x in runs]}")
elif test == "profile-lookup":
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "sc", "machines"))
        os.makedirs(os.path.join(tmp, "other"))
        with open(os.path.join(tmp, "sc", "machines", "slowdisk.yaml"), "w") as f:
            f.write("kiosim_machine: 1\ndisk:\n  latency: 900us\n")
        with open(os.path.join(tmp, "sc", "named.yaml"), "w") as f:
            f.write("kiosim: 1\nmachine: slowdisk\nfiles: [{name: d, size: 64KiB}]\n"
                    "compare: { transfer: {file: d}, methods: [sendfile] }\n")
        a = run(["run", "named.yaml", "--json"], cwd=os.path.join(tmp, "sc"))
        b = run(["run", "../sc/named.yaml", "--json"], cwd=os.path.join(tmp, "other"))
        expect(a, 0)
        expect(b, 0)
        if json.loads(a.stdout)["runs"][0]["counters"] != json.loads(b.stdout)["runs"][0]["counters"]:
            fail("the same scenario spelt two ways gave different runs")
        with open(os.path.join(tmp, "sc", "missing.yaml"), "w") as f:
            f.write("kiosim: 1\nmachine: nowhere\nfiles: [{name: d, size: 64KiB}]\n"
                    "compare: { transfer: {file: d}, methods: [sendfile] }\n")
        r = run(["run", "missing.yaml"], cwd=os.path.join(tmp, "sc"))
        expect(r, 2, "no machine profile `nowhere`")
        tried = re.findall(r"(/[^,;)\s]*nowhere\.yaml)", r.stderr)
        if not tried or len(tried) != len(set(tried)):
            fail(f"the places looked in are missing or repeated: {r.stderr}")
elif test == "explain-filters":
    ct = os.path.join(sc, "copy-table.yaml")
    full = run(["explain", ct, "--method", "read_write"])
    expect(full, 0)
    n_full = len(full.stdout.splitlines())
    r = run(["explain", ct, "--method", "read_write", "--limit", "5"])
    expect(r, 0, "more lines (narrow with --from/--to", "stdout")
    timeline = r.stdout.split("timeline of `read_write`:\n", 1)[1].splitlines()
    if len([l for l in timeline if l and not l.startswith("...")]) != 5:
        fail(f"--limit 5 printed:\n{r.stdout}")
    r = run(["explain", ct, "--method", "read_write", "--lane", "disk"])
    expect(r, 0)
    body = r.stdout.split("timeline of `read_write`:\n", 1)[1]
    if any(l.split()[2:3] != ["disk"] for l in body.splitlines() if l.strip()):
        fail(f"--lane disk printed other lanes:\n{body}")
    expect(run(["explain", ct, "--lane", "dsik"]), 2, "did you mean `disk`?")
    expect(run(["explain", ct, "--kind", "cpu_cpy"]), 2, "did you mean `cpu_copy`?")
    r = run(["explain", ct, "--method", "read_write", "--from", "100us", "--to", "150us"])
    expect(r, 0)
    for l in r.stdout.split("timeline of `read_write`:\n", 1)[1].splitlines():
        m = re.match(r"^\s+([\d.]+) (us|ms|s)\s", l)
        if m:
            t = float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]
            if t < 100 or t > 150:
                fail(f"--from 100us --to 150us printed a line at {t} us: {l}")
    expect(run(["explain", ct, "--from", "soon"]), 2, "--from")
    # The summary folds the 16 rounds of a 1 MiB read+write in 64 KiB chunks.
    big = os.path.join(sc, "large-transfer.yaml")
    plain = run(["explain", big, "--method", "read_write"])
    folded = run(["explain", big, "--method", "read_write", "--summary"])
    expect(folded, 0, "like the above", "stdout")
    if len(folded.stdout.splitlines()) * 2 > len(plain.stdout.splitlines()):
        fail(f"--summary folded {len(plain.stdout.splitlines())} lines only to {len(folded.stdout.splitlines())}")
elif test == "explain-truth":
    r = run(["explain", os.path.join(sc, "coherence.yaml")])
    expect(r, 0)
    lines = r.stdout.splitlines()
    for i, l in enumerate(lines):
        if "O_DIRECT, on the disk and not in the page cache" in l:
            # The writer's own next lines: a later fault of another process (the reader,
            # whose stale page the O_DIRECT write unmapped) rightly reads the page in.
            lane = l.split()[2] if len(l.split()) > 2 else ""
            near = " ".join(x for x in lines[i:i + 3] if len(x.split()) > 2 and x.split()[2] == lane)
            if "enter the page cache" in near or "enters the page cache" in near:
                fail(f"explain says the O_DIRECT write entered the page cache:\n" + "\n".join(lines[i:i + 3]))
            break
    else:
        fail("coherence.yaml's explain has no O_DIRECT write note")
    if re.search(r"\b1 fragments\b|\bpage \d+ move to\b|\bpage \d+ enter the\b", r.stdout):
        fail("wording: a singular with a plural verb or noun")
    r = run(["explain", os.path.join(sc, "copy-table.yaml"), "--method", "sendfile"])
    expect(r, 0, "runs again: woken by the interrupt at", "stdout")
elif test == "explain-deadlock":
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "deadlock.yaml")
        with open(path, "w") as f:
            # A splice from a pipe nobody writes: it waits forever (Linux blocks too).
            f.write("kiosim: 1\nfiles: [{name: d, size: 64KiB}]\nprocesses:\n  - name: reader\n    program:\n"
                    "      - open: { file: d, as: f }\n      - read: { fd: f, bytes: 4KiB }\n"
                    "      - pipe: { as: p }\n      - socket: { as: s }\n"
                    "      - splice: { in: p, out: s, bytes: 4KiB }\n")
        r = run(["explain", path])
        if r.returncode != 1 or "deadlock" not in r.stderr or "until it stopped" not in r.stdout \
                or "read() enters the kernel" not in r.stdout:
            fail(f"a deadlocked run's partial timeline: {r.returncode}\n{r.stdout[-1500:]}\n{r.stderr}")
elif test == "receiver-apart":
    with tempfile.TemporaryDirectory() as tmp:
        r = run(["compare", os.path.join(sc, "copy-table.yaml"), "--set", "net.receiver=local"])
        expect(r, 0, "receiver of `read_write` (net.receiver: local, not in the table): ", "stdout")
elif test == "per-process":
    r = run(["run", os.path.join(sc, "fork-cow.yaml")])
    expect(r, 0, "per process:", "stdout")
    r = run(["run", os.path.join(sc, "crash.yaml")])
    expect(r, 0)
    # One row per thread; no row holds more time than the run lasted (2.5 s).
    table = r.stdout.split("where each thread's time went", 1)[1].splitlines()[2:]
    rows = [l for l in table if l.strip() and not l.startswith(" ")]
    if len(rows) < 2:
        fail(f"crash.yaml: expected a row per thread:\n{r.stdout}")
    for l in rows:
        if l.startswith("crash at"):
            break
        total_us = float(l.split()[-1])
        if total_us > 2.5e6 + 1:
            fail(f"a thread's row holds {total_us} us in a 2.5 s run: {l}")
elif test == "measure-refusals":
    with tempfile.TemporaryDirectory() as tmp:
        fork = os.path.join(tmp, "fork.yaml")
        with open(fork, "w") as f:
            f.write("kiosim: 1\nfiles: [{name: d, size: 64KiB}]\nprocesses:\n  - name: p\n    program:\n"
                    "      - mmap: { as: m, length: 64KiB, write: true }\n"
                    "      - fork: { as: c, do: [ { fork: { as: g, do: [ { sleep: 1us } ] } } ] }\n")
        r = run(["measure", fork, "--repeat", "1", "-q"])
        expect(r, 2, "fork (line 7) inside a fork's body: real mode measures one generation of children")
        zc = os.path.join(tmp, "zc.yaml")
        with open(zc, "w") as f:
            f.write("kiosim: 1\nfiles: [{name: d, size: 64KiB}]\nprocesses:\n  - name: p\n    program:\n"
                    "      - socket: { as: s }\n      - send: { fd: s, bytes: 64KiB, zerocopy: true }\n")
        r = run(["measure", zc, "--repeat", "1", "-q"])
        expect(r, 2, "MSG_ZEROCOPY send (line 7): real mode does not run it yet")
        if "this host refused" in r.stderr:
            fail(f"MSG_ZEROCOPY's refusal blames the host: {r.stderr}")
else:
    fail(f"unknown test {test}")
print("ok:", test)
