#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=vbd-fsck (after vbd-fsync was destroyed mid-write, same
# disk): e2fsck -p replays the journal the killed guest left, then a forced
# read-only e2fsck must find nothing to fix; every 1 MiB chunk of the file
# is listed with its sha256 (HAVE lines) for dom0 to compare with the
# chunks the writer reported as fsync'ed.
set -u
. /tests/vbd-common.sh
if ! wait_disk xvda 60; then
	say "ERROR no /dev/xvda"
	say "END"
	poweroff -f
fi
/sbin/e2fsck -p /dev/xvda >/tmp/fsck-p.log 2>&1
say "FSCK-PREEN rc=$?"
tr -d '\r' </tmp/fsck-p.log | sed 's/^/KEEL-VBD-FSCK-PREEN-LOG: /'
/sbin/e2fsck -f -n /dev/xvda >/tmp/fsck-n.log 2>&1
rc=$?
say "FSCK-FORCED rc=$rc"
[ $rc -eq 0 ] || tr -d '\r' </tmp/fsck-n.log | sed 's/^/KEEL-VBD-FSCK-FORCED-LOG: /'
if mount -t ext4 -o ro /dev/xvda /mnt; then
	size=$(stat -c %s /mnt/data.bin 2>/dev/null || echo 0)
	n=$(((size + 1048575) / 1048576))
	say "HAVE-SIZE $size chunks=$n"
	i=0
	while [ $i -lt $n ]; do
		say "HAVE $i $(dd if=/mnt/data.bin bs=1048576 skip=$i count=1 2>/dev/null | sha256sum | cut -d' ' -f1)"
		i=$((i + 1))
	done
	umount /mnt
else
	say "ERROR cannot mount /dev/xvda"
fi
say "END"
poweroff -f
