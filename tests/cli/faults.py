#!/usr/bin/env python3
"""Real mode and the GUI under faults (issue 17): each ends with a clear error (or
the death the signal asks for) and leaves nothing behind in TMPDIR.
Usage: faults.py KIOSIM SOURCE_DIR TEST [KIOSIM_GUI]
TEST: sigterm | readonly | fsize | receiver | gui"""
import os, resource, shutil, signal, subprocess, sys, tempfile, time

kiosim, src, test = sys.argv[1], sys.argv[2], sys.argv[3]
gui = sys.argv[4] if len(sys.argv) > 4 else None
scenario = os.path.join(src, "scenarios", "copy-table.yaml")


def terminate(p, timeout, complaint):
    """Sends SIGTERM and waits; a process still running after `timeout` s fails the test."""
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        fail(complaint)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def env_with(tmp, **more):
    e = dict(os.environ)
    e["TMPDIR"] = tmp
    e.update(more)
    return e


def wait_for_private_dir(tmp, prefix, p, timeout=120):
    """The first directory `prefix`-XXXXXX under tmp that holds a file."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for d in os.listdir(tmp):
            full = os.path.join(tmp, d)
            if d.startswith(prefix) and os.path.isdir(full) and os.listdir(full):
                return full
        if p.poll() is not None:
            fail(f"exited ({p.returncode}) before creating its directory: {p.stderr.read() if p.stderr else ''}")
        time.sleep(0.05)
    p.kill()
    fail(f"no {prefix}XXXXXX directory appeared under TMPDIR")


def nothing_left(tmp, what):
    left = os.listdir(tmp)
    if left:
        fail(f"left behind after {what}: {left}")


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def long_measure(tmp):
    return subprocess.Popen([kiosim, "measure", scenario, "--size", "64MiB", "--repeat", "1000", "-q"],
                            env=env_with(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


with tempfile.TemporaryDirectory() as tmp:
    if test == "sigterm":
        p = long_measure(tmp)
        seen = wait_for_private_dir(tmp, "kiosim-", p)
        time.sleep(0.5)
        rc = terminate(p, 60, "measure did not stop on SIGTERM")
        if rc != -signal.SIGTERM:
            fail(f"expected death by SIGTERM, got exit {rc}")
        nothing_left(tmp, "SIGTERM")
        print("ok: SIGTERM removed", seen)
    elif test == "readonly":
        # A directory root cannot write in either: /proc refuses every mkdir.
        ro = os.path.join(tmp, "ro")
        os.mkdir(ro, 0o555)
        where = "/proc" if os.geteuid() == 0 else ro
        r = subprocess.run([kiosim, "measure", scenario, "--size", "1MiB", "--repeat", "1", "-q"],
                           env=env_with(where), capture_output=True, text=True, timeout=120)
        os.chmod(ro, 0o755)
        if r.returncode != 2 or "TMPDIR" not in r.stderr:
            fail(f"read-only TMPDIR: expected a refusal (exit 2) naming TMPDIR, got {r.returncode}: {r.stderr}")
        if os.listdir(ro) or any(d.startswith("kiosim-") for d in os.listdir("/proc")):
            fail("left something behind in the read-only TMPDIR")
        print("ok: read-only TMPDIR refused:", r.stderr.strip().splitlines()[0])
    elif test == "fsize":
        # `ulimit -f 100` (100 blocks of 512 bytes) stands in for a full disk: the files
        # cannot be written. Once this died of SIGXFSZ and left its directory behind.
        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 512, 100 * 512))
        r = subprocess.run([kiosim, "measure", scenario, "--size", "1MiB", "--repeat", "1", "-q"], env=env_with(tmp),
                           capture_output=True, text=True, timeout=120, preexec_fn=limit)
        if r.returncode < 0:
            fail(f"died of signal {-r.returncode} under ulimit -f")
        if r.returncode == 0 or "File too large" not in r.stderr:
            fail(f"ulimit -f: expected an error saying `File too large`, got {r.returncode}: {r.stderr}")
        nothing_left(tmp, "ulimit -f")
        print("ok: ulimit -f reported:", r.stderr.strip().splitlines()[-1])
    elif test == "receiver":
        p = long_measure(tmp)
        wait_for_private_dir(tmp, "kiosim-", p)
        deadline = time.time() + 60
        killed = None
        while time.time() < deadline and killed is None:
            for c in children_of(p.pid):
                os.kill(c, signal.SIGKILL)  # the receiver (or another helper) dies
                killed = c
            time.sleep(0.02)
        if killed is None:
            p.kill()
            fail("measure never started a receiver process")
        try:
            rc = p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            fail("measure hung after its receiver died")
        err = p.stderr.read()
        if rc <= 0 or "kiosim" not in err:
            fail(f"receiver died: expected an error exit with a message, got {rc}: {err}")
        nothing_left(tmp, "the receiver's death")
        print("ok: the receiver's death reported:", err.strip().splitlines()[-1])
    elif test == "gui":
        # A scenario that simulates for a while: the GUI runs `kiosim run` into its
        # kiosim-gui-XXXXXX directory; SIGTERM must remove it, and the child must go.
        slow = os.path.join(src, "tests", "data", "faults", "slow.yaml")
        # Qt makes $TMPDIR/runtime-USER when XDG_RUNTIME_DIR is unset: give it its own.
        xdg = tempfile.mkdtemp(prefix="kiosim-faults-xdg-")
        os.chmod(xdg, 0o700)
        # Under AddressSanitizer (CI's build) the GUI's exit on SIGTERM leaks one 142-byte
        # Qt string (QArrayData::allocate; Qt has no frame pointers, so no frame of ours
        # shows): leak detection would turn 143 into 1. This test is about the signal and
        # the directory; the GUI tests keep leak detection on.
        asan = os.environ.get("ASAN_OPTIONS", "")
        p = subprocess.Popen([gui, slow], env=env_with(tmp, QT_QPA_PLATFORM="offscreen", KIOSIM_CLI=kiosim,
                                                       XDG_RUNTIME_DIR=xdg,
                                                       ASAN_OPTIONS=(asan + ":" if asan else "") + "detect_leaks=0"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        child = None
        while time.time() < deadline and child is None:
            if any(d.startswith("kiosim-gui-") for d in os.listdir(tmp)):
                child = next(iter(children_of(p.pid)), None)
            time.sleep(0.05)
        if child is None:
            p.kill()
            fail("the GUI never started `kiosim run` in a kiosim-gui-XXXXXX directory")
        rc = terminate(p, 30, "the GUI did not quit on SIGTERM")
        if rc != 128 + signal.SIGTERM:
            fail(f"expected exit {128 + signal.SIGTERM} after SIGTERM, got {rc}")
        time.sleep(0.2)
        if os.path.exists(f"/proc/{child}") and open(f"/proc/{child}/stat").read().split()[2] != "Z":
            fail(f"the GUI's `kiosim run` child {child} is still running")
        shutil.rmtree(xdg, ignore_errors=True)
        nothing_left(tmp, "the GUI's SIGTERM")
        print("ok: the GUI quit on SIGTERM and removed its directory")
    else:
        fail("unknown test " + test)
