#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Shared by the vbd-* guest tests (sourced): waits for the PV disks to
# come and go.
say() { echo "KEEL-VBD-$*"; }

# wait_disk NAME SECONDS: /dev/NAME exists (xen-blkfront connected)
wait_disk() {
	i=0
	while [ ! -b "/dev/$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -b "/dev/$1" ]
}

# wait_no_disk NAME SECONDS: /dev/NAME and /sys/block/NAME are gone
# (xen-blkfront let the disk go)
wait_no_disk() {
	i=0
	while { [ -e "/dev/$1" ] || [ -e "/sys/block/$1" ]; } && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ ! -e "/dev/$1" ] && [ ! -e "/sys/block/$1" ]
}

# The read-only disk: its content, and writes refused first by the guest
# kernel (the backend said VDISK_READONLY), then, with the kernel's flag
# cleared, by the backend itself (an error response: fsync fails).
check_ro_disk() {
	say "RO-SUM $(head -c 1048576 /dev/xvdb | sha256sum | cut -d' ' -f1) ro=$(cat /sys/block/xvdb/ro)"
	if dd if=/dev/zero of=/dev/xvdb bs=4096 count=1 conv=fsync 2>/dev/null; then
		say "RO-KERNEL-WRITE accepted"
	else
		say "RO-KERNEL-WRITE rejected"
	fi
	blockdev --setrw /dev/xvdb 2>/dev/null
	if dd if=/dev/zero of=/dev/xvdb bs=4096 count=1 conv=fsync 2>/dev/null; then
		say "RO-BACKEND-WRITE accepted"
	else
		say "RO-BACKEND-WRITE rejected"
	fi
	echo 3 >/proc/sys/vm/drop_caches
	say "RO-SUM-AFTER $(head -c 1048576 /dev/xvdb | sha256sum | cut -d' ' -f1)"
}
