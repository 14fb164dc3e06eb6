#!/usr/bin/env python3
"""CLI tests of issue 18: export (dot, perfetto, csv), explain --critical-path and
--request, sweep (CSV, SVG, --emit-jobs + --merge) and their errors.
Usage: exports.py KIOSIM SOURCE_DIR TEST
  TEST: dot | perfetto | request | csv | sweep | jobs | errors"""
import bisect, csv, io, json, os, shlex, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

kiosim, src, test = sys.argv[1], sys.argv[2], sys.argv[3]
copy_table = os.path.join(src, "scenarios", "copy-table.yaml")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def run(args, **kw):
    return subprocess.run([kiosim] + args, capture_output=True, text=True, timeout=900, **kw)


def ok(args, **kw):
    p = run(args, **kw)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
        sys.exit(f"FAIL: kiosim {' '.join(args)} exited {p.returncode}")
    return p


# ---- Perfetto: a validator of the trace-event format, and a test that it can fail ----

def validate_perfetto(doc):
    """Errors in a Chrome/Perfetto trace-event document (an empty list: valid)."""
    errs = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["no traceEvents list"]
    named = set()
    slices = {}   # (pid, tid) -> [(ts, end)]
    stacks = {}   # (pid, tid) -> open B events
    flows = {}    # id -> [(ph, pid, tid, ts, name)]
    counters = {}
    for i, e in enumerate(doc["traceEvents"]):
        ph = e.get("ph")
        if ph not in ("M", "B", "E", "X", "i", "C", "s", "t", "f"):
            errs.append(f"event {i}: bad ph {ph!r}")
            continue
        if not isinstance(e.get("pid"), int):
            errs.append(f"event {i}: pid must be an integer")
        if ph == "M":
            if e.get("name") == "thread_name":
                named.add((e["pid"], e.get("tid")))
            continue
        if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
            errs.append(f"event {i}: ts must be a number >= 0")
            continue
        if ph != "E" and not isinstance(e.get("name"), str):
            errs.append(f"event {i}: name must be a string")
        if ph == "C":
            v = e.get("args", {}).get("value")
            if not isinstance(v, (int, float)):
                errs.append(f"event {i}: counter without a numeric value")
            elif v < counters.get((e["pid"], e["name"]), 0):
                errs.append(f"event {i}: counter {e['name']} went down")
            else:
                counters[(e["pid"], e["name"])] = v
            continue
        if not isinstance(e.get("tid"), int):
            errs.append(f"event {i}: tid must be an integer")
            continue
        key = (e["pid"], e["tid"])
        if key not in named:
            errs.append(f"event {i}: track {key} has no thread_name before it")
        if ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                errs.append(f"event {i}: X without a duration >= 0")
            else:
                slices.setdefault(key, []).append((e["ts"], e["ts"] + e["dur"]))
        elif ph == "B":
            stacks.setdefault(key, []).append(e["ts"])
        elif ph == "E":
            if not stacks.get(key):
                errs.append(f"event {i}: E without a B on {key}")
            else:
                b = stacks[key].pop()
                if e["ts"] < b:
                    errs.append(f"event {i}: E before its B")
                slices.setdefault(key, []).append((b, e["ts"]))
        elif ph in ("s", "t", "f"):
            flows.setdefault(e.get("id"), []).append((ph, e["pid"], e["tid"], e["ts"], e["name"]))
    for key, st in stacks.items():
        if st:
            errs.append(f"{len(st)} B events on {key} never end")
    eps = 1e-6
    for key, sl in slices.items():  # slices on one track nest or follow each other
        sl.sort(key=lambda s: (s[0], -s[1]))
        open_ends = []
        for a, b in sl:
            while open_ends and open_ends[-1] <= a + eps:
                open_ends.pop()
            if open_ends and b > open_ends[-1] + eps:
                errs.append(f"slices overlap without nesting on {key} at {a}")
                break
            open_ends.append(b)
    # Each track's slices as a union of intervals (each widened by eps), sorted, so
    # that "the point lies in some slice" is one bisection, not a scan of them all.
    covered = {}
    for key, sl in slices.items():
        merged = []
        for a, b in sorted(sl):
            if merged and a - eps <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b + eps)
            else:
                merged.append([a - eps, b + eps])
        covered[key] = ([m[0] for m in merged], merged)

    def in_a_slice(key, ts):
        starts, merged = covered.get(key, ([], []))
        k = bisect.bisect_right(starts, ts) - 1
        return k >= 0 and ts <= merged[k][1]

    for fid, pts in flows.items():
        phs = [p[0] for p in pts]
        if phs.count("s") != 1 or phs.count("f") != 1 or phs[0] != "s" or phs[-1] != "f":
            errs.append(f"flow {fid}: expected one s first and one f last, got {phs}")
        if len(set(p[4] for p in pts)) != 1:
            errs.append(f"flow {fid}: its points name different requests")
        if any(pts[k][3] > pts[k + 1][3] for k in range(len(pts) - 1)):
            errs.append(f"flow {fid}: goes back in time")
        for _, pid, tid, ts, _ in pts:
            if not in_a_slice((pid, tid), ts):
                errs.append(f"flow {fid}: point at {ts} on {(pid, tid)} is in no slice")
    return errs


def perfetto_test(tmp):
    out = os.path.join(tmp, "run.json")
    ok(["export", copy_table, "--format", "perfetto", "-o", out])
    doc = json.load(open(out))
    errs = validate_perfetto(doc)
    check(not errs, f"copy-table Perfetto: {errs[:5]}")
    ev = doc["traceEvents"]
    procs = [e["args"]["name"] for e in ev if e.get("ph") == "M" and e["name"] == "process_name"]
    check(procs == ["read_write", "mmap_write", "sendfile", "splice"], f"one process per run: {procs}")
    # read_write: read() and write() as begin/end slices; its read crosses to the disk
    # and the irq lane and back: one flow from the sender (tid 4: lane 3) to the disk
    # (tid 1), the irq lane (tid 3) and back to the sender.
    rw = [e for e in ev if e.get("pid") == 1]
    check(sum(e["ph"] == "B" for e in rw) == 2 and sum(e["ph"] == "E" for e in rw) == 2, "read_write: 2 syscalls as B/E")
    first = [e for e in rw if e.get("ph") in ("s", "t", "f") and e["name"] == "request 1"]
    phs = [e["ph"] for e in first]
    check(phs and phs[0] == "s" and phs[-1] == "f", f"request 1's flow: {phs}")
    check({e["tid"] for e in first} == {1, 3, 4} and first[0]["tid"] == 4 and first[-1]["tid"] == 4,
          f"request 1 goes sender -> disk -> irq -> sender: {[e['tid'] for e in first]}")
    check(any(e["ph"] == "C" and e["name"] == "cpu_copies" and e["args"]["value"] == 2 for e in rw),
          "the cpu_copies counter track reaches 2 (read + write)")
    check(any(e.get("args", {}).get("critical") for e in rw), "critical-path events are marked")
    # Every scenario's export is valid too.
    for name in sorted(os.listdir(os.path.join(src, "scenarios"))):
        if not name.endswith(".yaml") or name == "large-transfer.yaml":
            continue
        p = os.path.join(tmp, name + ".json")
        ok(["export", os.path.join(src, "scenarios", name), "--format", "perfetto", "-o", p])
        errs = validate_perfetto(json.load(open(p)))
        check(not errs, f"{name}: {errs[:3]}")
    # The validator fails on broken files: a lost E, a flow point outside any slice,
    # an X that overlaps its neighbour.
    broken = json.loads(json.dumps(doc))
    broken["traceEvents"].remove(next(e for e in broken["traceEvents"] if e["ph"] == "E"))
    check(validate_perfetto(broken), "the validator misses a lost E")
    broken = json.loads(json.dumps(doc))
    next(e for e in broken["traceEvents"] if e["ph"] == "f")["ts"] += 1e9
    check(validate_perfetto(broken), "the validator misses a dangling flow")
    broken = json.loads(json.dumps(doc))
    xs = [e for e in broken["traceEvents"] if e["ph"] == "X" and e["pid"] == 1 and e["tid"] == 4]
    xs[0]["dur"] = (xs[1]["ts"] - xs[0]["ts"]) + xs[1]["dur"] + 5
    xs[0]["ts"] += 1
    check(validate_perfetto(broken), "the validator misses overlapping slices")


def dot_test(tmp):
    # Every scenario's data-path graph is accepted by Graphviz and renders to SVG.
    for name in sorted(os.listdir(os.path.join(src, "scenarios"))):
        if not name.endswith(".yaml") or name == "large-transfer.yaml":
            continue
        d = os.path.join(tmp, name + ".dot")
        ok(["export", os.path.join(src, "scenarios", name), "--format", "dot", "-o", d])
        p = subprocess.run(["dot", "-Tsvg", d], capture_output=True, text=True)
        check(p.returncode == 0 and not p.stderr.strip(), f"dot -Tsvg {name}: {p.returncode} {p.stderr[:300]}")
        if p.returncode == 0:
            ET.fromstring(p.stdout.encode())
    # One method: one cluster.
    text = ok(["export", copy_table, "--format", "dot", "--method", "sendfile"]).stdout
    check(text.count("subgraph") == 1 and "CPU copy" not in text, "sendfile alone: one cluster, no CPU copy")
    # A trace file is read as well as a scenario: the same graph.
    t = os.path.join(tmp, "t.json")
    ok(["run", copy_table, "--method", "sendfile", "--trace", t])
    check(ok(["export", t, "--format", "dot"]).stdout == text, "a trace file gives the same DOT as its scenario")


def request_test(tmp):
    # Seed 003: one fault followed from the user address to the disk and back. A
    # user-mode touch of a cold mapped file faults outside any system call: the fault,
    # the disk DMA and the interrupt carry the fault's own request id.
    sc = os.path.join(tmp, "fault.yaml")
    open(sc, "w").write("kiosim: 1\nfiles:\n  - { name: f.bin, size: 16KiB, cached: false }\nprocesses:\n"
                        "  - name: app\n    program:\n      - open: { file: f.bin, as: f }\n"
                        "      - mmap: { fd: f, as: m }\n      - touch: { map: m, bytes: 4KiB }\n")
    t = os.path.join(tmp, "fault.json")
    ok(["run", sc, "--trace", t])
    run0 = json.load(open(t))["runs"][0]
    lanes = [l["name"] for l in run0["lanes"]]
    fault = next(e for e in run0["events"] if e["kind"] == "page_fault_major" and e.get("user_mode"))
    req = fault.get("req", 0)
    check(req != 0, "a user-mode fault has a request id")
    mine = [e for e in run0["events"] if e.get("req") == req]
    check(not any(e["kind"] == "syscall_enter" for e in mine), "the fault's request is no system call's")
    check(any(e["kind"] == "dma_copy" and lanes[e["lane"]] == "disk" for e in mine), "the disk DMA carries the fault's id")
    check(any(e["kind"] == "interrupt" for e in mine), "the interrupt carries the fault's id")
    out = ok(["explain", t, "--request", str(req)]).stdout
    check(f"request {req} of `program`" in out and "disk" in out and "major page fault" in out, f"explain --request: {out}")
    # The read() of a cold read+write: sender, disk, irq.
    out = ok(["explain", copy_table, "--method", "read_write", "--request", "1"]).stdout
    check("3 lanes (disk, irq, sender)" in out and "DMA disk -> page cache" in out, f"read(): {out}")
    p = run(["explain", copy_table, "--method", "read_write", "--request", "99"])
    check(p.returncode == 2 and "requests are 1 to 2" in p.stderr, f"an unknown request: {p.returncode} {p.stderr}")
    out = ok(["explain", copy_table, "--method", "read_write", "--critical-path"]).stdout
    check("critical path of `read_write`" in out and "dma copy" in out and "%" in out, f"--critical-path: {out}")


def csv_test(tmp):
    text = ok(["export", copy_table, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    check([r["run"] for r in rows] == ["read_write", "mmap_write", "sendfile", "splice"], "one row per run")
    # The copy table (scenarios/copy-table.yaml's expect:, worked out there): 64 KiB go out
    # as two skbs (the GSO size goal is 45 x 1448 = 65,160 B), one copy each for write().
    want = {"read_write": (2, 4, 3), "mmap_write": (2, 4, 2), "sendfile": (1, 2, 0), "splice": (2, 4, 0)}
    for r in rows:
        check((int(r["syscalls"]), int(r["mode_switches"]), int(r["cpu_copies"])) == want[r["run"]], f"{r['run']}: {r}")
    check("time_breakdown_ns.copy" in rows[0] and "sim_time_ns" in rows[0], "every counter is a column")


def sweep_rows(path):
    return list(csv.DictReader(open(path)))


def sweep_test(tmp):
    out = os.path.join(tmp, "s.csv")
    p = ok(["sweep", copy_table, "--vary", "file.size=4KiB..64KiB", "--steps", "5", "--log", "-o", out, "-j", "2"])
    check("5/5 points" in p.stderr, f"a progress line: {p.stderr}")
    rows = sweep_rows(out)
    methods = ["read_write", "mmap_write", "sendfile", "splice"]
    for m in methods:
        mine = [r for r in rows if r["run"] == m]
        check(len(mine) == 5, f"{m}: 5 rows, got {len(mine)}")
        # 4KiB..64KiB on a log scale in 5 steps: x2 each.
        check([int(r["file.size"]) for r in mine] == [4096, 8192, 16384, 32768, 65536], f"{m}: sizes")
        times = [int(r["sim_time_ns"]) for r in mine]
        check(times == sorted(times) and times[0] < times[-1], f"{m}: more bytes take longer: {times}")
    # One chunk at every size (chunk 64KiB): read() copies once, write() once per skb; an
    # skb holds up to 45 x 1448 = 65,160 B (scenarios/copy-table.yaml), so 4..32 KiB make
    # one skb and 64 KiB two: 2, 2, 2, 2, 3 copies. sendfile never copies.
    rw = [int(r["cpu_copies"]) for r in rows if r["run"] == "read_write"]
    check(rw == [2, 2, 2, 2, 3], f"read_write copies: {rw}")
    check(all(int(r["cpu_copies"]) == 0 for r in rows if r["run"] == "sendfile"), "sendfile: no copy")
    svg = ET.parse(os.path.join(tmp, "s.svg")).getroot()
    check(svg.tag.endswith("svg"), "an SVG document")
    lines = [e for e in svg.iter() if e.tag.endswith("polyline")]
    check(len(lines) == 3 * 4, f"3 panels x 4 methods = 12 lines, got {len(lines)}")
    for e in lines:
        check(len(e.get("points").split()) == 5, f"5 points per line: {e.get('points')}")


def jobs_test(tmp):
    direct = os.path.join(tmp, "direct.csv")
    args = [copy_table, "--vary", "nic.max_frags=1..17", "--steps", "3", "--methods", "sendfile", "splice"]
    ok(["sweep"] + args + ["-o", direct])
    parts = os.path.join(tmp, "parts")
    os.mkdir(parts)
    lines = ok(["sweep"] + args + ["--emit-jobs", "--parts", parts]).stdout.splitlines()
    check(len(lines) == 3, f"one job per point: {lines}")
    for line in lines:
        words = shlex.split(line)
        check(words[0] == "kiosim", line)
        ok(words[1:])
    merged = os.path.join(tmp, "merged.csv")
    files = sorted(os.path.join(parts, f) for f in os.listdir(parts))
    ok(["sweep", "--merge"] + list(reversed(files)) + ["-o", merged])  # in any order
    check(open(merged).read() == open(direct).read(), "emit-jobs + merge = the sweep's CSV")
    check(os.path.exists(os.path.join(tmp, "merged.svg")), "merge plots as well")


def errors_test(tmp):
    out = os.path.join(tmp, "never.csv")
    cases = [
        (["sweep", copy_table, "--vary", "file.size=1GiB..4KiB", "--steps", "3"], "runs backwards"),
        (["sweep", copy_table, "--vary", "nic.max_fragz=1..4", "--steps", "3"], "did you mean `nic.max_frags`"),
        (["sweep", copy_table, "--vary", "file.size=4KiB", "--steps", "3"], "expected KEY=LO..HI"),
        (["sweep", copy_table, "--vary", "file.size=4KiB..big", "--steps", "3"], "sizes like 4KiB..1GiB"),
        (["sweep", copy_table, "--vary", "file.size=4KiB..1MiB", "--steps", "0"], "1 to 256 steps"),
        (["sweep", copy_table, "--vary", "transfer.offset=0..4KiB", "--steps", "3", "--log"], "LO above 0"),
        (["sweep", copy_table, "--vary", "nic.scatter_gather=0..1", "--steps", "2"], "needs a key with numbers"),
        (["sweep", copy_table, "--vary", "file.size=4KiB..1MiB", "--steps", "2", "--methods", "sendfil"], "not a run"),
        (["sweep", "--merge", copy_table], "not a part of a sweep"),
        (["export", copy_table, "--format", "dot", "--method", "nope"], "not a run"),
        (["export", copy_table, "--format", "svg"], "--format"),
    ]
    for args, msg in cases:
        p = run(args + ["-o", out] if args[0] == "sweep" and "--merge" not in args else args)
        check(p.returncode == 2 and msg in p.stderr, f"{args}: exit {p.returncode}, {p.stderr.strip()[:200]}")
    check(not os.path.exists(out), "nothing written on an error")
    bad = os.path.join(tmp, "bad.json")
    open(bad, "w").write('{"format": "kiosim-trace", "version": 1, "runs": [{"name": "x", "lanes": [], '
                         '"events": [{"t": 0, "lane": 3, "kind": "cpu_copy"}]}]}')
    p = run(["export", bad, "--format", "csv"])
    check(p.returncode == 2 and "lane 3 is not in `lanes`" in p.stderr, f"a bad trace: {p.returncode} {p.stderr}")


with tempfile.TemporaryDirectory() as tmp:
    {"dot": dot_test, "perfetto": perfetto_test, "request": request_test, "csv": csv_test, "sweep": sweep_test,
     "jobs": jobs_test, "errors": errors_test}[test](tmp)
if failures:
    sys.exit(f"{len(failures)} failures")
print("ok")
