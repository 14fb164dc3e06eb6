#!/usr/bin/env python3
"""scripts/marked-numbers fails on a wrong number, a stale block and a bad mark, and `update` mends them.

Usage: marked_numbers.py KIOSIM SOURCE_DIR
The expected values are worked out from the rules, not copied from a run: the copy
table's read+write moves one 64 KiB chunk, so it makes 2 system calls (one read, one
write), 4 mode switches (two per call) and 2 CPU copies (page cache -> user buffer ->
socket buffer); sendfile makes 1 call and no CPU copy.
"""
import os
import shutil
import subprocess
import sys
import tempfile

kiosim, src = sys.argv[1], sys.argv[2]
script = os.path.join(src, "scripts", "marked-numbers")
failures = []


def run(action, path):
    p = subprocess.run([sys.executable, script, action, "--kiosim", kiosim, path], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def expect(name, cond, out=""):
    if not cond:
        failures.append(f"{name}\n{out}")


tmp = tempfile.mkdtemp(prefix="kiosim-marks-")
try:
    md = os.path.join(tmp, "lesson.md")
    right = ("read+write makes <!--kn copy-table @read_write syscalls-->2 calls and "
             "<!--kn copy-table @read_write mode_switches-->4 mode switches;\n"
             "sendfile <!--kn copy-table @sendfile cpu_copies-->0 CPU copies, "
             "<!--kn copy-table @read_write cpu_copies/syscalls :.2f-->1.50 per call.\n")
    with open(md, "w") as f:
        f.write(right)
    code, out = run("check", md)
    expect("right numbers pass", code == 0 and "4 marks" in out and "0 differ" in out, out)

    with open(md, "w") as f:
        f.write(right.replace("-->2 calls", "-->3 calls").replace("-->1.50 per", "-->1.25 per"))
    code, out = run("check", md)
    expect("a wrong number fails with exit 1", code == 1, out)
    expect("the message gives file:line, the mark, the text and the run",
           "lesson.md:1: `copy-table @read_write syscalls`: the text says 3, the run gives 2" in out, out)
    expect("a wrong derived figure fails too", "lesson.md:2:" in out and "the text says 1.25, the run gives 1.50" in out, out)
    code, out = run("update", md)
    expect("update exits 0", code == 0, out)
    expect("update rewrites just the numbers", open(md).read() == right, open(md).read())
    expect("after update, check passes", run("check", md)[0] == 0)

    # A block of text output: the compare table's read_write row (2 calls, 4 mode switches).
    with open(md, "w") as f:
        f.write("x\n<!--kn-block compare copy-table from=^read_write to=^read_write-->\n```\n"
                "$ kiosim compare scenarios/copy-table.yaml\nread_write   9 9\n```\n")
    code, out = run("check", md)
    expect("a stale block fails", code == 1 and "block `compare copy-table" in out, out)
    run("update", md)
    body = open(md).read()
    row = body.split("\n")[4].split()
    expect("update regenerates the block, keeping the $ line",
           "$ kiosim compare scenarios/copy-table.yaml\n" in body and row[:3] == ["read_write", "2", "4"], body)
    expect("after update, the block checks", run("check", md)[0] == 0)

    # Bad marks: exit 2, file:line and what is wrong; nothing rewritten.
    bad = ("a <!--kn copy-table @read_write no_such_counter-->1\n"
           "b <!--kn copy-table @nope syscalls-->1\n"
           "c <!--kn copy-table syscalls-->1\n"
           "d <!--kn no-such-scenario syscalls-->1\n"
           "e <!--kn copy-table @read_write sim_time_ns/1e3-->1\n"
           "f <!--kn copy-table @read_write syscalls--> no number\n"
           "```\nan example in a fence is not a mark: <!--kn copy-table @read_write syscalls-->7\n```\n"
           "nor one in inline code: `<!--kn copy-table @read_write syscalls-->7`\n")
    with open(md, "w") as f:
        f.write(bad)
    code, out = run("update", md)
    expect("bad marks exit 2", code == 2, out)
    for needle in ["lesson.md:1: error:", "name 'no_such_counter' is not defined",
                   "lesson.md:2: error:", "no run `nope` (runs: read_write, mmap_write, sendfile, splice)",
                   "lesson.md:3: error:", "several runs; name one with @RUN",
                   "lesson.md:4: error:", "scenario `no-such-scenario` not found",
                   "lesson.md:5: error:", "is not a whole number: give a format such as :.1f",
                   "lesson.md:6: error: no number right after the mark", "6 marks"]:
        expect(f"bad-mark message `{needle}`", needle in out, out)
    expect("a bad mark rewrites nothing", open(md).read() == bad)

    # An indented block (in a list item, say) is not taken by the block pattern: an error
    # with its line, not a silent skip.
    indented = "- a list item\n  <!--kn-block compare copy-table-->\n  ```\n  read_write 2 4\n  ```\n"
    with open(md, "w") as f:
        f.write(indented)
    code, out = run("check", md)
    expect("an indented kn-block is an error", code == 2 and "lesson.md:2: error: a kn-block mark must be followed" in out, out)
finally:
    shutil.rmtree(tmp)

for f in failures:
    print("FAIL:", f)
print(f"marked_numbers: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
