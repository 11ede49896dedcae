#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=vbd-write: ext4 on the PV disk xvda, 64 MiB of random
# data with its checksum, the read-only disk xvdb checked, then power off.
set -u
. /tests/vbd-common.sh
if ! wait_disk xvda 60 || ! wait_disk xvdb 30; then
	say "ERROR no /dev/xvda or /dev/xvdb: $(ls /dev | grep xvd | tr '\n' ' ')"
	poweroff -f
fi
say "DISKS xvda=$(cat /sys/block/xvda/size) xvdb=$(cat /sys/block/xvdb/size) queues=$(ls /sys/block/xvda/mq | wc -l)"
if ! /sbin/mke2fs -F -q -t ext4 /dev/xvda || ! mount -t ext4 /dev/xvda /mnt; then
	say "ERROR cannot make or mount ext4 on /dev/xvda"
	poweroff -f
fi
t0=$(cut -d' ' -f1 /proc/uptime)
dd if=/dev/urandom of=/mnt/data.bin bs=1M count=64 2>/dev/null
sync
t1=$(cut -d' ' -f1 /proc/uptime)
sum=$(sha256sum /mnt/data.bin | cut -d' ' -f1)
echo "$sum" >/mnt/data.sha
umount /mnt
sync
say "WROTE $sum seconds=$(echo "$t1 $t0" | awk '{ printf "%.1f", $1 - $2 }')"
check_ro_disk
say "END"
poweroff -f
