#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""PV disk and network throughput on Keel under QEMU (TCG), each as a ratio
to a baseline measured in the same run. Boots dom0 with
keel.test=keel-bench-pvio (tests/dom0/scripts/keel-bench-pvio.sh) and a
virtio disk of its own; dom0 puts a backing file on ext4 on that disk and
runs the block workloads on it, then a guest (stock xen-blkfront and
xen-netfront; tests/domu/scripts/bench-pvio.sh) runs the same workloads on
the same file as /dev/xvda through keel-blkback, and streams TCP to dom0
through keel-netback; dom0's baseline for that is the same busybox nc
pipeline over loopback. Prints each figure beside the issue's target and,
for scale, what Debian's Xen 4.17 gives under the same QEMU (from the issue;
Xen cannot run in the same machine as Keel). Never fails a build: a missing
figure is reported as missing, with the reason the run gave.

Sizes (environment, MiB unless said): KEEL_PVIO_SEQ_MB (64),
KEEL_PVIO_RAND_N (operations, 2000), KEEL_PVIO_RAND_MB (region, 64),
KEEL_PVIO_NET_MB (32); KEEL_PVIO_GUEST_MAX_SECTORS_KB and
KEEL_PVIO_GUEST_INDIRECT (unset: the guest kernel's defaults) are
diagnostics."""
import os
import re
import statistics
import sys

import importlib.util

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "dom0tests", os.path.join(HERE, "..", "tests", "integration", "dom0-tests.py"))
dom0tests = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dom0tests)

SEQ_MB = int(os.environ.get("KEEL_PVIO_SEQ_MB", "64"))
RAND_N = int(os.environ.get("KEEL_PVIO_RAND_N", "2000"))
RAND_MB = int(os.environ.get("KEEL_PVIO_RAND_MB", "64"))
NET_MB = int(os.environ.get("KEEL_PVIO_NET_MB", "32"))
# Diagnostic, unset by default: cap the guest's xvda requests (44 KiB = 11
# segments: no BLKIF_OP_INDIRECT); the report says so when it is set.
MAX_KB = os.environ.get("KEEL_PVIO_GUEST_MAX_SECTORS_KB", "")
# Diagnostic, unset by default: the guest's xen_blkfront.max_indirect_segments
# (the stock default is 32 segments: 128 KiB requests).
INDIRECT = os.environ.get("KEEL_PVIO_GUEST_INDIRECT", "")
SEED = 1
TIMEOUT = 900


def fields(text):
    return dict(re.findall(r"(\w+)=(\S+)", text))


def rate(f, unit):
    """MB/s (10^6 bytes) or Mbit/s from bytes= and seconds=/MBps=, or None."""
    try:
        if f.get("rc", "0") != "0":
            return None
        if "MBps" in f:
            mbps = float(f["MBps"])
        else:
            mbps = int(f["bytes"]) / float(f["seconds"]) / 1e6
    except (KeyError, ValueError, ZeroDivisionError):
        return None
    return mbps * 8 if unit == "Mbit/s" else mbps


def copy_ceiling(notes, dom0_mbps):
    """What the hypervisor's grant-copy account implies for the sequential
    target: under single-threaded TCG one emulated CPU runs at a time, so a
    guest read costs at least dom0's own read of the same bytes plus moving
    each byte once with the CPU (the grant copy). Prints that ceiling."""
    for n in notes.get("GCOPY", []):
        m = re.search(r"(\d+) KiB, (\d+) us in all, (\d+) us of it moving bytes", n)
        if not m or not dom0_mbps or int(m.group(1)) < 1024:
            continue
        mib = int(m.group(1)) / 1024
        move_ms = int(m.group(3)) / 1000 / mib  # per MiB
        all_ms = int(m.group(2)) / 1000 / mib
        dom0_ms = 1.048576 / dom0_mbps * 1000  # dom0's O_DIRECT read, per MiB
        print(f"    grant copy cost per MiB: {move_ms:.2f} ms moving bytes, {all_ms:.2f} ms in "
              f"GNTTABOP_copy; dom0 reads a MiB in {dom0_ms:.2f} ms: with one CPU copy per byte "
              f"a guest's sequential read reaches at most {dom0_ms / (dom0_ms + move_ms):.2f} "
              f"of dom0's under single-threaded TCG ({dom0_ms / (dom0_ms + all_ms):.2f} at "
              f"today's cost per op)")


def main():
    os.makedirs(dom0tests.LOGS, exist_ok=True)
    img = os.path.join(dom0tests.LOGS, "bench-pvio-disk.img")
    with open(img, "wb") as f:  # sparse, fresh every run: file + ext4 + slack
        f.truncate((SEQ_MB + RAND_MB + 96) << 20)
    args = (f"keel.pvio_seq_mb={SEQ_MB} keel.pvio_rand_n={RAND_N} keel.pvio_rand_mb={RAND_MB} "
            f"keel.pvio_net_mb={NET_MB} keel.pvio_seed={SEED}"
            + (f" keel.pvio_max_sectors_kb={MAX_KB}" if MAX_KB else "")
            + (f" keel.pvio_indirect={INDIRECT}" if INDIRECT else ""))
    rc, lines, log = dom0tests.boot(
        "bench-pvio", "keel-bench-pvio",
        "console=com1 noreboot debug_exit=0xf4 dom0_mem=512M dom0_max_vcpus=1",
        smp=2, mem=2048, timeout=TIMEOUT, cmdline_extra=args,
        extra=["-drive", f"file={img},if=none,id=d0,format=raw",
               "-device", "virtio-blk-pci,drive=d0"])
    os.unlink(img)
    got, notes = {}, {}
    for _, line in lines:
        m = re.match(r"KEEL-BENCH-PVIO-([A-Z0-9-]+)(:?) ?(.*)$", line.strip())
        if not m:
            continue
        key, text = m.group(1), m.group(3)
        if m.group(2):  # "KEY: text": log lines, kept in order
            notes.setdefault(key, []).append(text)
        else:
            got.setdefault(key, []).append(text)
    if "PARAMS" not in got:
        print(f"PV I/O bench: no results (QEMU exit {rc}); see {log}")
        return 1

    print(f"PV I/O bench (QEMU TCG, one run, dom0 1 vCPU 512 MiB, guest 1 vCPU 128 MiB; log {log})")
    print(f"  sizes: sequential {SEQ_MB} MiB (dd bs=1M); random {RAND_N} x 4 KiB over a {RAND_MB} MiB "
          f"region (keel-iotool, queue depth 1, seed {SEED}); TCP {NET_MB} MiB (busybox nc)")
    print("  method: the backing file is on ext4 on dom0's virtio disk (a raw file on the host, QEMU's\n"
          "    default cache); reads use O_DIRECT after `echo 3 > /proc/sys/vm/drop_caches`; writes use\n"
          "    O_DIRECT and end with fsync (dd conv=fsync) or fdatasync (keel-iotool), inside the timing;\n"
          "    the \"page cache\" rows are the same dd without O_DIRECT (caches dropped before the read,\n"
          "    fsync inside the write's timing), as a plain `dd` of a disk does;\n"
          "    dom0 runs each block workload 3 times on the file, then drops its caches and the guest\n"
          "    runs it once on /dev/xvda (the same file, through keel-blkback, which uses direct I/O for\n"
          "    whole pages); TCP is timed by the receiver in dom0 from the first byte to the end of the stream,\n"
          "    3 rounds over dom0's loopback, then 3 from the guest (before its disk workloads); medians")
    if MAX_KB:
        print(f"  NOTE: diagnostic run, the guest's xvda requests capped at {MAX_KB} KiB "
              "(KEEL_PVIO_GUEST_MAX_SECTORS_KB); not the default configuration")
    if INDIRECT:
        print(f"  NOTE: diagnostic run, the guest's blkfront uses up to {INDIRECT} segments per "
              "request (KEEL_PVIO_GUEST_INDIRECT); not the default configuration")
    if "DONE" not in got:
        print(f"  note: the run did not finish (QEMU exit {rc}); the figures are what it printed")
    for k in ("BACKENDS", "IMAGE", "GUEST-INITRD", "CREATE", "CREATE-WITHOUT-DISK", "BRIDGE",
              "GUEST-END", "GUEST-STUCK", "G-NET", "G-DISK", "G-NODISK", "G-NONET", "ERROR"):
        for text in got.get(k, []):
            print(f"  {k.lower()}: {text}")

    def value(key, unit):
        """(median figure or None, rounds, why there is no figure)"""
        texts = got.get(key, [])
        vals = [v for v in (rate(fields(t), unit) for t in texts) if v is not None]
        if not vals:
            return None, 0, (texts[-1] if texts else "not run")
        return statistics.median(vals), len(vals), ""

    def row(name, guest_key, dom0_key, unit, target, xen):
        gv, gn, gwhy = value(guest_key, unit)
        dv, dn, dwhy = value(dom0_key, unit)
        tgt = f">= {target:g}" if target else "-"
        if gv is None or dv is None:
            why = []
            if gv is None:
                why.append(f"guest: {gwhy}")
            if dv is None:
                why.append(f"dom0: {dwhy}")
            base = f"; dom0 {dv:.2f} {unit}, median of {dn}" if dv is not None else ""
            print(f"  {name:28s} NO FIGURE ({'; '.join(why)}{base})  target {tgt}  {xen}")
            return
        print(f"  {name:28s} guest {gv:8.2f} {unit:6s} dom0 {dv:8.2f} {unit:6s} (medians of {gn}/{dn}) "
              f"ratio {gv / dv:5.2f}  target {tgt}  {xen}")

    xen_seq = "Xen 4.17: 0.14-0.18 of dom0 raw-disk dd"
    print("  block (guest on xvda / dom0 on the backing file):")
    row("sequential read (dd 1M)", "G-SEQ-READ", "DOM0-SEQ-READ", "MB/s", 0.9, xen_seq)
    row("sequential write (dd 1M)", "G-SEQ-WRITE", "DOM0-SEQ-WRITE", "MB/s", 0.9, xen_seq)
    row("seq read, page cache", "G-SEQ-READ-CACHED", "DOM0-SEQ-READ-CACHED", "MB/s", 0.9, xen_seq)
    row("seq write, page cache", "G-SEQ-WRITE-CACHED", "DOM0-SEQ-WRITE-CACHED", "MB/s", 0.9, xen_seq)
    row("random 4K read (QD1)", "G-RAND-READ", "DOM0-RAND-READ", "MB/s", None, "Xen 4.17: no figure")
    row("random 4K write (QD1)", "G-RAND-WRITE", "DOM0-RAND-WRITE", "MB/s", None, "Xen 4.17: no figure")
    print("  network (guest->dom0 over keel-netback / dom0 loopback, same nc pipeline and size):")
    g, _, _ = value("GUEST-TCP", "Mbit/s")
    row("TCP guest->dom0 (busybox nc)", "GUEST-TCP", "DOM0-LOOP-TCP", "Mbit/s", 0.5,
        "Xen 4.17: 118 Mbit/s guest->dom0" + (f" (ours {g / 118:.2f} of it)" if g else ""))
    for text in got.get("G-NET-SENT", []):
        print(f"    guest's sender: {text}")
    for n in notes.get("EXITS", []):  # the hypervisor's count, for the whole guest run
        print(f"    hypervisor: {n}")
    for n in notes.get("GCOPY", []):
        print(f"    hypervisor: {n}")
    copy_ceiling(notes, value("DOM0-SEQ-READ", "MB/s")[0])
    for n in notes.get("BLKBACK", []):
        # its own account of where the time went: each burst of I/O (a
        # workload, or several run back to back), and the device's total
        if "disconnected after" in n or ": burst of " in n:
            print(f"    keel-blkback: {n}")
    disk_ok = all(value(k, "MB/s")[0] is not None
                  for k in ("G-SEQ-READ", "G-SEQ-WRITE", "G-RAND-READ", "G-RAND-WRITE",
                            "G-SEQ-READ-CACHED", "G-SEQ-WRITE-CACHED"))
    if not disk_ok:
        print("  the guest's disk workloads did not all run; the guest kernel's xvda messages:")
        for n in notes.get("G-DMESG", []) or ["(none)"]:
            print(f"    {n}")
        print("  keel-blkback's log (last lines):")
        for n in notes.get("BLKBACK", []) or ["(none)"]:
            print(f"    {n}")
    if notes.get("GUESTLOG"):
        print("  guest console (last lines):")
        for n in notes["GUESTLOG"]:
            print(f"    {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
