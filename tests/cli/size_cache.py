#!/usr/bin/env python3
"""run, compare and explain take check's --size and --cache (issue 21 item 3).

By hand: the copy table's read+write moves 64 KiB chunks, so 1 MiB is 16 chunks, one read
and one write each: 32 system calls and 2 CPU copies per byte at any cache state; warm,
the disk DMA is gone (1 DMA copy per byte, the NIC's), cold it is there (2 per byte).
Usage: size_cache.py KIOSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys

kiosim, src = sys.argv[1], sys.argv[2]
table = os.path.join(src, "scenarios", "copy-table.yaml")
failures = []


def run(*args):
    p = subprocess.run([kiosim, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def counters(cmd, *flags):
    code, out, err = run(cmd, table, "--json", *flags)
    if code:
        failures.append(f"{cmd} {flags}: exit {code}: {err}")
        return {}
    return {r["method"]: r["counters"] for r in json.loads(out)["runs"]}


for cmd in ("compare", "run"):
    warm = counters(cmd, "--size", "1MiB", "--cache", "warm")
    cold = counters(cmd, "--size", "1MiB", "--cache", "cold")
    if warm and cold:
        rw_w, rw_c = warm["read_write"], cold["read_write"]
        if rw_w["syscalls"] != 32 or rw_w["cpu_copies_per_byte"] != 2 or rw_w["dma_copies_per_byte"] != 1:
            failures.append(f"{cmd} --size 1MiB --cache warm: read_write {rw_w['syscalls']} calls, "
                            f"{rw_w['cpu_copies_per_byte']} CPU and {rw_w['dma_copies_per_byte']} DMA copies per byte")
        if rw_c["syscalls"] != 32 or rw_c["dma_copies_per_byte"] != 2:
            failures.append(f"{cmd} --size 1MiB --cache cold: read_write {rw_c['syscalls']} calls, "
                            f"{rw_c['dma_copies_per_byte']} DMA copies per byte")
code, out, _ = run("compare", table, "--size", "1MiB")
if code or "ARG size      1MiB" not in out:
    failures.append(f"compare --size prints no ARG size line:\n{out}")
code, out, _ = run("explain", table, "--method", "sendfile", "--cache", "warm")
if code or "DMA disk -> page cache" in out:
    failures.append(f"explain --cache warm still reads the disk:\n{out}")
for args, msg in [
    (["--size", "3x"], "expected a size from 4KiB to 64GiB like 16MiB, found `3x`"),
    (["--size", "2GiB", "--cache", "warm"], "does not fit the page cache"),
    (["--cache", "tepid"], "--cache"),
]:
    code, _, err = run("compare", table, *args)
    if code != 2 or msg not in err:
        failures.append(f"compare {args}: exit {code}, expected 2 and `{msg}`: {err}")
code, _, err = run("run", os.path.join(src, "scenarios", "pollution.yaml"), "--size", "1MiB")
if code != 2 or "--size needs a transfer scenario" not in err:
    failures.append(f"run of a program scenario with --size: exit {code}: {err}")

for f in failures:
    print("FAIL:", f)
print(f"size_cache: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
