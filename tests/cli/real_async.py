#!/usr/bin/env python3
"""CLI test of real mode's epoll and io_uring (issue 19, item 7): `kiosim check` runs the
scenarios of tests/data/real-async/ for real, unprivileged (as nobody when the test runs
as root and setpriv is there), and the counts that do not depend on the host's timing
are held exact: the io_uring_enter calls of 64 reads in batches of 8 (8), SQPOLL's 0
submission calls, what level-triggered and drain-until-EAGAIN epoll leave unread (0),
at least what one read per edge-triggered wake-up must leave (the predicted 12288:
each wake-up reads 1 KiB of a 4 KiB request, and there are at most as many wake-ups
as requests), EPOLLEXCLUSIVE's at most one wake-up per request. A case the host cannot
run prints its one-line reason. No timing is compared.
Usage: real_async.py KIOSIM SOURCE_DIR CASE   (CASE: epoll herd uring fixed sqpoll nofile)"""
import json, os, resource, shutil, subprocess, sys, tempfile

kiosim, src, case = sys.argv[1], sys.argv[2], sys.argv[3]
data = os.path.join(src, "tests", "data", "real-async")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def unprivileged():
    """The command prefix that drops root (setpriv to nobody), or [] when not root."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        print("note: running as root without setpriv: measured as root")
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def check(name, tmp, nofile=None):
    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    cmd = unprivileged() + [kiosim, "check", os.path.join(data, name), "--repeat", "3", "--json", "-q"]
    r = subprocess.run(cmd, env=dict(os.environ, TMPDIR=tmp), capture_output=True, text=True, timeout=300,
                       preexec_fn=limit)
    return r


def rows(r):
    if r.returncode != 0:
        fail(f"check failed ({r.returncode}): {r.stderr}")
    doc = json.loads(r.stdout)
    out = {}
    for p in doc.get("processes", []):
        out[p["process"]] = {c["figure"]: c for c in p["cells"]}
    return doc, out


def cell(procs, who, figure):
    if who not in procs:
        fail(f"no row for {who}: {list(procs)}")
    if figure not in procs[who]:
        fail(f"{who}: no {figure} cell: {list(procs[who])}")
    return procs[who][figure]


def skipped(r, words):
    """A refused run: exit 2 with one line naming the reason, or the reason in refused_runs."""
    if r.returncode == 2 and words in r.stderr:
        line = [l for l in r.stderr.splitlines() if words in l]
        print("skip:", line[0])
        return True
    return False


FILES = {"epoll": "epoll-modes.yaml", "herd": "epoll-herd.yaml", "uring": "uring-batch.yaml",
         "fixed": "uring-fixed.yaml", "sqpoll": "uring-sqpoll.yaml", "nofile": "epoll-modes.yaml"}
# The hand-worked predictions first: the simulated run must give each file's expect:.
if case in FILES:
    r = subprocess.run([kiosim, "run", os.path.join(data, FILES[case]), "--check"], capture_output=True, text=True,
                       timeout=300)
    if r.returncode != 0:
        fail(f"kiosim run --check {FILES[case]}: {r.stdout[-2000:]} {r.stderr[-2000:]}")

with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o1777)  # nobody's TMPDIR
    if case == "epoll":
        doc, p = rows(check("epoll-modes.yaml", tmp))
        # By hand (the scenario's comment): lt and et_drain read everything; et leaves 3 KiB
        # of each of its 4 requests (12288), or more if two requests came in one wake-up.
        for who, unread in (("lt", 0), ("et_drain", 0)):
            c = cell(p, who, "rcv_unread_bytes")
            if c["predicted"] != unread or c["min"] != unread or c["max"] != unread:
                fail(f"{who}: unread bytes {c}, expected {unread}")
            if cell(p, who, "stalled_connections")["max"] != 0:
                fail(f"{who}: a stalled connection")
        c = cell(p, "et", "rcv_unread_bytes")
        if c["predicted"] != 12288 or c["min"] < 12288 or c["max"] > 16384:
            fail(f"et: unread bytes {c}, expected 12288 predicted and 12288..16384 measured")
        s = cell(p, "et", "stalled_connections")
        if s["predicted"] != 1 or s["min"] != 1:
            fail(f"et: stalled connections {s}")
        e = cell(p, "et_drain", "recv_eagain")
        if e["predicted"] != 4 or not 1 <= e["min"] <= 4:
            fail(f"et_drain: EAGAIN {e}, expected 4 predicted, 1..4 measured (one per wake-up)")
        w = cell(p, "lt", "epoll_wakeups")
        if w["predicted"] != 4 or w["max"] > 4:
            fail(f"lt: epoll wake-ups {w}, at most one per request")
    elif case == "herd":
        doc, p = rows(check("epoll-herd.yaml", tmp))
        for who in ("herd", "exclusive"):
            c = cell(p, who, "rcv_unread_bytes")
            if c["min"] != 0 or c["max"] != 0:
                fail(f"{who}: unread {c}")
        h = cell(p, "herd_worker", "epoll_wakeups")
        x = cell(p, "exclusive_worker", "epoll_wakeups")
        if h["predicted"] != 18 or x["predicted"] != 6:
            fail(f"predicted wake-ups herd {h['predicted']} exclusive {x['predicted']}, expected 18 and 6")
        # EPOLLEXCLUSIVE: ep_poll_callback's ewake stops the walk at the first instance that
        # had a sleeper: at most one wake-up per request (6).
        if x["max"] > 6:
            fail(f"exclusive: {x['max']} wake-ups for 6 requests")
        print(f"note: wake-ups measured herd {h['measured']}, exclusive {x['measured']}")
    elif case == "uring":
        doc, p = rows(check("uring-batch.yaml", tmp))
        for who, enters, calls in (("batch", 8, 8), ("reads", 0, 64)):
            c = cell(p, who, "syscalls")
            if c["predicted"] != calls or c["min"] != calls or c["max"] != calls:
                fail(f"{who}: syscalls {c}, expected {calls}")
        e = cell(p, "batch", "uring_enters")
        if e["predicted"] != 8 or e["min"] != 8 or e["max"] != 8:
            fail(f"batch: io_uring_enter {e}, expected 8")
        q = cell(p, "batch", "uring_cqes")
        if q["predicted"] != 64 or q["min"] != 64:
            fail(f"batch: CQEs {q}")
    elif case == "fixed":
        r = check("uring-fixed.yaml", tmp)
        if skipped(r, "O_DIRECT"):
            sys.exit(0)
        doc, p = rows(r)
        f = cell(p, "fixed", "uring_enters")
        if f["predicted"] != 1 or f["min"] != 1 or f["max"] != 1:
            fail(f"fixed: io_uring_enter {f}")
        if cell(p, "too_big", "memlock_refusals")["predicted"] != 1:
            fail("too_big: the model does not refuse 16 MiB against an 8 MiB memlock")
        # The host refuses the 16 MiB registration when it charges RLIMIT_MEMLOCK (no
        # CAP_IPC_LOCK: not root) and the limit is under 16 MiB.
        soft = resource.getrlimit(resource.RLIMIT_MEMLOCK)[0]
        charged = (os.geteuid() != 0 or unprivileged()) and soft != resource.RLIM_INFINITY and soft < 16 << 20
        m = cell(p, "too_big", "memlock_refusals")
        if m["min"] != int(charged) or m["max"] != int(charged):
            fail(f"too_big: refusals {m}, expected {int(charged)} (RLIMIT_MEMLOCK {soft})")
        ff = cell(p, "too_big", "uring_failed")
        if ff["min"] != int(charged):
            fail(f"too_big: failed CQEs {ff}, expected {int(charged)} (EFAULT after the refusal)")
        small = cell(p, "fixed", "memlock_refusals")
        ok = cell(p, "fixed", "uring_failed")
        if small["max"] == 0 and ok["max"] != 0:
            fail(f"fixed: registered, yet {ok['max']} reads failed")
        if small["max"]:
            print(f"note: RLIMIT_MEMLOCK {soft} refuses even 256 KiB here")
    elif case == "sqpoll":
        r = check("uring-sqpoll.yaml", tmp)
        if skipped(r, "SQPOLL"):
            sys.exit(0)
        doc, p = rows(r)
        # The SQ thread is awake within its 1 s idle: no call submits. On a loaded 2-CPU
        # host one repeat in several has needed one wake-up enter (the ring said
        # IORING_SQ_NEED_WAKEUP at a submission; not explained yet), and under ASan (CI)
        # every repeat of a run once did: at most one wake-up enter per repeat.
        w = cell(p, "sqpoll", "sqpoll_wakeups")
        if w["predicted"] != 0 or w["min"] > 1 or w["max"] > 1:
            fail(f"sqpoll: submission calls {w}, expected 0 (the SQ thread is awake within its 1 s idle)")
        if w["max"]:
            print(f"note: a repeat needed {w['max']:.0f} wake-up enter")
        q = cell(p, "sqpoll", "uring_cqes")
        if q["min"] != 64:
            fail(f"sqpoll: CQEs {q}")
    elif case == "nofile":
        # Each process's 1 connection needs 2 x 1 + 64 descriptors (sim/host/host_clients.cpp):
        # with RLIMIT_NOFILE at 32 (soft and hard), the run is skipped with that reason, in
        # one line, exit 2.
        r = check("epoll-modes.yaml", tmp, nofile=32)
        if r.returncode != 2 or "RLIMIT_NOFILE" not in r.stderr or "66 file descriptors" not in r.stderr:
            fail(f"expected a skip naming RLIMIT_NOFILE: exit {r.returncode}, {r.stderr!r}")
        print("skip:", [l for l in r.stderr.splitlines() if "RLIMIT_NOFILE" in l][0])
    else:
        fail("unknown case " + case)
    left = os.listdir(tmp)
    if left:
        fail(f"left in TMPDIR: {left}")
print("ok: real mode", case)
