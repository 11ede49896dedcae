#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=vbd-verify (after vbd-write, same disk): the file's
# checksum is still the one written, e2fsck finds the filesystem clean,
# the read-only disk still refuses writes; then power off.
set -u
. /tests/vbd-common.sh
if ! wait_disk xvda 60; then
	say "ERROR no /dev/xvda"
	poweroff -f
fi
/sbin/e2fsck -f -n /dev/xvda >/tmp/fsck.log 2>&1
say "FSCK rc=$?"
if mount -t ext4 -o ro /dev/xvda /mnt; then
	say "VERIFY $(sha256sum /mnt/data.bin | cut -d' ' -f1) $(cat /mnt/data.sha)"
	umount /mnt
else
	say "ERROR cannot mount /dev/xvda"
fi
wait_disk xvdb 30 && check_ro_disk
say "END"
poweroff -f
