#!/usr/bin/env python3
"""CLI test of check's host-wide cells (issue 14, item 2: dirty pages, syncs, the journal,
TLB shootdowns; sim/host/system_cells.h): run as an unprivileged user (nobody, when the
test runs as root and setpriv is there), each cell is beside its predicted counter, the
figures that have a bound by the kernel's rules keep it, a source the host does not have
is one SKIP line, and nothing is left in TMPDIR. No timing is compared.
Usage: check_system.py KIOSIM SOURCE_DIR"""
import json, os, shutil, subprocess, sys, tempfile

kiosim, src = sys.argv[1], sys.argv[2]
data = os.path.join(src, "tests", "data", "check-system")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def cell(proc, figure):
    for c in proc["cells"]:
        if c["figure"] == figure:
            return c
    return None


def unprivileged():
    """The command prefix that drops root (setpriv to nobody), or [] when not root."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        print("note: running as root without setpriv: the cells are measured as root")
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o1777)  # nobody's TMPDIR
    env = dict(os.environ, TMPDIR=tmp)
    cmd = unprivileged() + [kiosim, "check", os.path.join(data, "writer.yaml"), os.path.join(data, "unmap.yaml"),
                            "--repeat", "2", "--json", "-q"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        fail(f"check failed ({r.returncode}): {r.stderr}")
    doc = json.loads(r.stdout)
    procs = {}
    for s in doc["scenarios"]:
        for p in s["processes"]:
            procs[(os.path.basename(s["scenario"]), p["process"])] = (s, p)
    skipped = {os.path.basename(s["scenario"]): s["reason"] for s in doc["skipped"]}
    # writer.yaml, by hand (its description): 256 pages dirtied by the writer, 4 by the logger.
    for who, pages in (("writer", 256), ("logger", 4)):
        if ("writer.yaml", who) not in procs:
            fail(f"no row for writer.yaml {who}: {list(procs)}, skipped {skipped}")
        s, p = procs[("writer.yaml", who)]
        d = cell(p, "pages_dirtied")
        if d is None:
            # /proc/vmstat unreadable: then its one line says so.
            if not any("pages dirtied: /proc/vmstat" in x for x in p["system_skipped"]):
                fail(f"{who}: neither a pages_dirtied cell nor its reason: {p['system_skipped']}")
            print("note:", p["system_skipped"])
        else:
            # folio_account_dirtied counts each of the program's pages once as it turns dirty;
            # anyone else's dirtying only adds. But /proc/vmstat shows the global counter, and
            # each CPU keeps up to its stat threshold (at most 125, mm/vmstat.c
            # calculate_normal_threshold) unfolded: the reading may lag by 125 per CPU.
            lag = 125 * (os.cpu_count() or 1)
            if d["predicted"] != pages or d["min"] < pages - lag:
                fail(f"{who}: pages dirtied predicted {d['predicted']}, fewest measured {d['min']}, expected {pages}")
        f = cell(p, "fsync_wait_ns")
        if f is None or f["min"] <= 0:
            fail(f"{who} syncs: its fsync_wait_ns cell must be there and above 0: {f}")
        if who == "writer":
            b = cell(p, "write_blocked_ns")
            if b is None or b["min"] < 0:
                fail(f"writer: write_blocked_ns missing or negative: {b}")
        if cell(p, "journal_commits") is None and not any("journal commits:" in x for x in p["system_skipped"]):
            fail(f"{who}: neither a journal_commits cell nor its reason: {p['system_skipped']}")
    s, _ = procs[("writer.yaml", "writer")]
    sl = s.get("sync_latency")
    if sl is None:
        fail("writer.yaml syncs but has no sync_latency")
    if "why_not" not in sl and sl["fsync_append"]["tries"] != 4:  # --repeat 2: 2 x 2 tries of each kind
        fail(f"sync latency tries: {sl}")
    # unmap.yaml: 20 IPIs predicted (its description), whatever the host received.
    if "unmap.yaml" in skipped:
        print("note: unmap.yaml skipped:", skipped["unmap.yaml"])
    else:
        _, p = procs[("unmap.yaml", "app")]
        t = cell(p, "tlb_shootdowns")
        if t is None:
            if not any("TLB shootdowns: /proc/interrupts" in x for x in p["system_skipped"]):
                fail(f"unmap: neither a tlb_shootdowns cell nor its reason: {p['system_skipped']}")
            print("note:", p["system_skipped"])
        elif t["predicted"] != 20 or t["family"] != "interrupts":
            fail(f"unmap: tlb_shootdowns predicted {t['predicted']} ({t['family']}), expected 20 interrupts")
        if cell(p, "pages_dirtied") is not None or cell(p, "fsync_wait_ns") is not None:
            fail("unmap: it writes no file and never syncs, yet has a dirty or sync cell")
    fam = {f["family"]: f for f in doc["families"]}
    if "interrupts" not in fam and "unmap.yaml" not in skipped:
        print("note: no interrupts family (no TLB line on this host)")
    # The text: a host line per process with cells, the sync latency line.
    r = subprocess.run(unprivileged() + [kiosim, "check", os.path.join(data, "writer.yaml"), "--repeat", "1", "-q"],
                       env=env, capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or "host  writer" not in r.stdout or ("SYNC " not in r.stdout and "SKIP sync" not in r.stdout):
        fail("text output:\n" + r.stdout[-3000:] + r.stderr)
    left = os.listdir(tmp)
    if left:
        fail(f"left in TMPDIR: {left}")
print("ok: check's host-wide cells, unprivileged")
