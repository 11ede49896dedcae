#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Toolstack timings on Keel under QEMU (TCG): keel create until it returns and
until the guest's first console line and its init, keel list, and a
create+destroy cycle of a small guest. Boots dom0 with keel.test=keel-bench
(tests/dom0/scripts/keel-bench.sh) and prints medians, each beside the issue's
target and the figure Debian's Xen 4.17 gives under the same QEMU (from the
issue; Xen cannot run in the same machine as Keel), and keel list against a
baseline measured in the same run (spawning a trivial process in dom0), both
as a shell loop and as single calls timed from fork to exit."""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import importlib.util

spec = importlib.util.spec_from_file_location(
    "dom0tests", os.path.join(os.path.dirname(__file__), "..", "tests", "integration", "dom0-tests.py"))
dom0tests = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dom0tests)


def main():
    os.makedirs(dom0tests.LOGS, exist_ok=True)
    # dom0's /var is RAM here (its initramfs): with 1 GiB, keel's kernel cache
    # has the room it would have on a dom0 with a disk.
    rc, lines, log = dom0tests.boot("bench", "keel-bench",
                                    "console=com1 noreboot debug_exit=0xf4 dom0_mem=1024M dom0_max_vcpus=1",
                                    smp=2, mem=2048, timeout=900)
    got, steps, spawns = {}, {}, {}
    for _, line in lines:
        m = re.match(r"KEEL-SPAWN (\S+) median=([\d.]+)ms .*utime=([\d.]+)ms stime=([\d.]+)ms fails=(\d+)",
                     line.strip())
        if m:
            spawns.setdefault(m.group(1), []).append([float(m.group(i)) for i in range(2, 6)])
            continue
        m = re.match(r"KEEL-BENCH-STEP ([\d.]+) (.*)$", line.strip())
        if m:
            steps.setdefault(m.group(2), []).append(float(m.group(1)))
            continue
        m = re.match(r"KEEL-BENCH-([A-Z0-9-]+) ([\d.]+)$", line.strip())
        if m:
            got.setdefault(m.group(1), []).append(float(m.group(2)))
    if "CREATE-RETURN" not in got:
        print(f"bench: no results (QEMU exit {rc}); see {log}")
        return 1
    med = {k: statistics.median(v) for k, v in got.items()}
    rows = [
        ("keel create returns", med.get("CREATE-RETURN"), 3.0, 28.0, "s"),
        ("guest's first console line", med.get("FIRST-CONSOLE-LINE"), None, None, "s"),
        ("guest's init prints", med.get("GUEST-INIT"), 15.0, 46.0, "s"),
        ("keel list", med.get("LIST-20", 0) / 20 * 1000, 35.0, 354.0, "ms"),
        ("create+destroy cycle", med.get("CYCLES-3", 0) / 3, None, None, "s"),
    ]
    print(f"toolstack bench (QEMU TCG, {len(got['CREATE-RETURN'])} runs, medians; log {log})")
    for name, value, target, xen, unit in rows:
        if value is None:
            print(f"  {name:28s} no result")
            continue
        extra = ""
        if target:
            extra += f"  target {target:g} {unit} (ratio {value / target:.2f})"
        if xen:
            extra += f"  Xen 4.17 {xen:g} {unit} (ratio {value / xen:.2f})"
        print(f"  {name:28s} {value:8.2f} {unit}{extra}")
    if steps:
        print("  where keel create spends its time (KEEL_TIMING, medians):")
        for step, v in steps.items():
            print(f"    {step:30s} {statistics.median(v):7.3f} s")
    spawn = med.get("SPAWN-20")
    if spawn:
        print(f"  spawning a trivial process   {spawn / 20 * 1000:8.2f} ms  (cat /proc/uptime, same loop, same run)")
        print(f"  keel list / spawning a trivial process in dom0 (same run): "
              f"{med['LIST-20'] / spawn:.1f}x")
    if spawns:
        print("  single calls, fork to exit (keel-spawntime, median of the runs' medians of 20):")
        for label, runs in spawns.items():
            wall, user, sys_ = (statistics.median(r[i] for r in runs) for i in range(3))
            fails = sum(r[3] for r in runs)
            print(f"    {label:10s} {wall:7.2f} ms  (user {user:.2f} ms, system {sys_:.2f} ms"
                  f"{f', {fails:g} calls failed' if fails else ''})")
        if "list" in spawns and "spawn" in spawns:
            ratio = statistics.median(r[0] for r in spawns["list"]) / \
                statistics.median(r[0] for r in spawns["spawn"])
            print(f"    keel list / trivial process: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
