#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=vbd-fsync (tests/dom0/scripts/keel-vbd2.sh): ext4 on the
# PV disk xvda, then 1 MiB chunks of fresh random data appended to one
# file, each followed by fsync; a CHUNK line with the chunk's index and
# sha256 only once its fsync has returned. dom0 destroys this guest while
# it writes, so FSYNC-ALL-DONE should never be printed.
set -u
. /tests/vbd-common.sh
max=96
if ! wait_disk xvda 60; then
	say "ERROR no /dev/xvda"
	poweroff -f
fi
if ! /sbin/mke2fs -F -q -t ext4 /dev/xvda || ! mount -t ext4 /dev/xvda /mnt; then
	say "ERROR cannot make or mount ext4 on /dev/xvda"
	poweroff -f
fi
say "FSYNC-START max=$max"
i=0
while [ $i -lt $max ]; do
	head -c 1048576 /dev/urandom >/tmp/chunk
	sum=$(sha256sum /tmp/chunk | cut -d' ' -f1)
	# busybox dd: conv=fsync is fsync(2) on the file before dd exits,
	# and a failed fsync is a failed dd.
	if ! dd if=/tmp/chunk of=/mnt/data.bin bs=1048576 seek=$i count=1 conv=notrunc,fsync \
		2>/tmp/dd.err; then
		say "ERROR chunk $i: $(tr '\n' ' ' </tmp/dd.err)"
		break
	fi
	say "CHUNK $i $sum"
	i=$((i + 1))
done
say "FSYNC-ALL-DONE $i"
umount /mnt
say "END"
poweroff -f
