#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-disk: the first boot makes ext4 on the
# virtio disk, writes 32 MiB with a known checksum and reboots the machine;
# the next boot (same command line) finds the file and checks it.
set -u
if mount -t ext4 /dev/vda /mnt 2>/dev/null && [ -f /mnt/data.bin ]; then
	echo "KEEL-DISK-VERIFY $(sha256sum /mnt/data.bin | cut -d' ' -f1) $(cat /mnt/data.sha)"
	umount /mnt
	/sbin/e2fsck -f -n /dev/vda >/tmp/fsck.log 2>&1
	echo "KEEL-DISK-FSCK rc=$?"
	echo "KEEL-DOM0-TEST: DONE keel-disk"
	exit 0
fi
umount /mnt 2>/dev/null
# A failure here must not reboot: the next boot would start over forever.
if ! /sbin/mke2fs -F -q -t ext4 /dev/vda 2>&1 || ! mount -t ext4 /dev/vda /mnt 2>&1; then
	echo "KEEL-DISK-ERROR cannot make or mount ext4 on /dev/vda"
	echo "KEEL-DOM0-TEST: DONE keel-disk"
	exit 1
fi
dd if=/dev/urandom of=/mnt/data.bin bs=1M count=32 2>/dev/null
sum=$(sha256sum /mnt/data.bin | cut -d' ' -f1)
echo "$sum" >/mnt/data.sha
umount /mnt
sync
echo "KEEL-DISK-WROTE $sum"
reboot -f
