#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=vbd-hotplug (tests/dom0/scripts/keel-vbd2.sh): boots
# without disks and waits for dom0's `keel block-attach` of xvdb (a phy:
# loop device in dom0); prints its size, the sha256 of its first 4 MiB
# (dom0 put random data there), writes 4 fresh random MiB at 4 MiB with
# fsync and prints their sha256; then waits for `keel block-detach` to
# take the disk away from /dev and /sys/block.
set -u
. /tests/vbd-common.sh
say "HP-READY"
if ! wait_disk xvdb 300; then
	say "ERROR xvdb was never attached: $(ls /dev | grep xvd | tr '\n' ' ')"
	say "END"
	poweroff -f
fi
say "HP-DISK xvdb sectors=$(cat /sys/block/xvdb/size) ro=$(cat /sys/block/xvdb/ro)"
say "HP-READ $(head -c 4194304 /dev/xvdb | sha256sum | cut -d' ' -f1)"
head -c 4194304 /dev/urandom >/tmp/hp.bin
dd if=/tmp/hp.bin of=/dev/xvdb bs=1048576 seek=4 conv=notrunc,fsync 2>/tmp/dd.err
rc=$?
say "HP-WROTE $(sha256sum /tmp/hp.bin | cut -d' ' -f1) rc=$rc $(tr '\n' ' ' </tmp/dd.err)"
if wait_no_disk xvdb 300; then
	say "HP-GONE dev=no sys=no"
else
	say "HP-STILL-THERE dev=$([ -e /dev/xvdb ] && echo yes || echo no) sys=$([ -e /sys/block/xvdb ] && echo yes || echo no)"
fi
say "END"
poweroff -f
