#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=hostile (tests/dom0/scripts/keel-hostile.sh): booted with
# keel.skipmod=xen-blkfront, so no kernel driver takes the disks; the
# hostile frontend keel-hostile-blkfront drives xvda (51712, read-write)
# and xvdb (51728, read-only) itself and prints KEEL-HOSTILE-* lines. Then
# power off. keel.flood_s=N sets how long it floods the ring.
set -u
flood=20
for arg in $(cat /proc/cmdline); do
	case $arg in keel.flood_s=*) flood=${arg#keel.flood_s=} ;; esac
done
if grep -q '^xen_blkfront ' /proc/modules; then
	echo "KEEL-HOSTILE-GUEST xen-blkfront is loaded: it would take the disks"
fi
echo "KEEL-HOSTILE-GUEST devices $(ls /dev/xen 2>/dev/null | tr '\n' ' ')"
/usr/bin/keel-hostile-blkfront 51712 51728 "$flood"
echo "KEEL-HOSTILE-EXIT rc=$?"
echo "KEEL-HOSTILE-END"
poweroff -f
